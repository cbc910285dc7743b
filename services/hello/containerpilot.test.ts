import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderContainerPilotConfig } from '../demo-service/src/testing/render-containerpilot-config.ts';

const configPath = fileURLToPath(new URL('./containerpilot.json5', import.meta.url));

describe('the hello service autopilot config', () => {
  it('runs the hello entrypoint as a Consul service on 3001, checked on its readiness endpoint', () => {
    const config = renderContainerPilotConfig(configPath, {});

    expect(config.consul).toBe('localhost:8500');
    expect(config.jobs).toEqual([
      expect.objectContaining({
        name: 'hello',
        exec: ['node', './services/hello/src/main.ts'],
        port: '3001', // a numeric string, as ContainerPilot accepts
        health: expect.objectContaining({ http: 'http://127.0.0.1:3001/readyz', interval: 3, ttl: 10 }),
        stopSignal: 'SIGTERM',
        drainDelay: '3s',
      }),
    ]);
  });

  it('takes the Consul address, port, node binary and app root from the environment', () => {
    const config = renderContainerPilotConfig(configPath, {
      CONSUL: 'consul.default.svc:8500',
      PORT: '4100',
      NODE_BIN: '/opt/node/bin/node',
      APP_ROOT: '/app',
    });

    expect(config.consul).toBe('consul.default.svc:8500');
    expect(config.jobs).toEqual([
      expect.objectContaining({
        exec: ['/opt/node/bin/node', '/app/services/hello/src/main.ts'],
        port: '4100',
        health: expect.objectContaining({ http: 'http://127.0.0.1:4100/readyz' }),
      }),
    ]);
  });
});
