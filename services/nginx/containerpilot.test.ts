import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { renderContainerPilotConfig } from '../demo-service/src/testing/render-containerpilot-config.ts';

const configPath = fileURLToPath(new URL('./containerpilot.json5', import.meta.url));

describe('the nginx autopilot config', () => {
  const config = renderContainerPilotConfig(configPath, {
    NGINX_RUN_DIR: '/run/nginx',
    NGINX_PORT: '8088',
    APP_ROOT: '/app',
  });

  it('renders nginx.conf into the writable run directory and reloads nginx only once it runs', () => {
    expect(config.templates).toEqual([
      {
        name: 'nginx',
        source: '/app/services/nginx/nginx.conf.tmpl',
        dest: '/run/nginx/nginx.conf',
        onChange: [
          '/bin/sh',
          '-c',
          "test ! -s '/run/nginx/nginx.pid' || exec nginx -s reload -e stderr -c '/run/nginx/nginx.conf'",
        ],
      },
    ]);
  });

  it('starts nginx on the first render, restarts it if it dies, and stops it gracefully', () => {
    expect(config.jobs).toEqual([
      expect.objectContaining({
        name: 'nginx',
        exec: ['nginx', '-e', 'stderr', '-c', '/run/nginx/nginx.conf'],
        when: { source: 'template.nginx', once: 'changed' },
        restarts: 'unlimited',
        stopSignal: 'SIGQUIT',
        port: '8088',
        health: expect.objectContaining({ http: 'http://127.0.0.1:8088/health' }),
      }),
    ]);
  });

  it('watches the hello and world services', () => {
    expect(config.watches).toEqual([
      { name: 'hello', interval: 3 },
      { name: 'world', interval: 3 },
    ]);
  });
});
