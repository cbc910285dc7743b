// The story every demo service's autopilot config must tell (hello and world alike): run the
// service's entrypoint as a Consul service checked on its readiness endpoint, with the Consul
// address, port, node binary and app root taken from the environment.
import { describe, expect, it } from 'vitest';
import { renderContainerPilotConfig } from './render-containerpilot-config.ts';

export function describeDemoServiceConfig(service: string, defaultPort: number, configPath: string): void {
  describe(`the ${service} service autopilot config`, () => {
    it(`runs the ${service} entrypoint as a Consul service on ${defaultPort}, checked on its readiness endpoint`, () => {
      const config = renderContainerPilotConfig(configPath, {});

      expect(config.consul).toBe('localhost:8500');
      expect(config.jobs).toEqual([
        expect.objectContaining({
          name: service,
          exec: ['node', `./services/${service}/src/main.ts`],
          port: String(defaultPort), // a numeric string, as ContainerPilot accepts
          health: expect.objectContaining({
            http: `http://127.0.0.1:${defaultPort}/readyz`,
            interval: 3,
            ttl: 10,
          }),
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
          exec: ['/opt/node/bin/node', `/app/services/${service}/src/main.ts`],
          port: '4100',
          health: expect.objectContaining({ http: 'http://127.0.0.1:4100/readyz' }),
        }),
      ]);
    });
  });
}
