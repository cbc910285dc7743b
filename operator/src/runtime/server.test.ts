import { pino } from 'pino';
import { Counter, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { ProbeServer } from './server.ts';

const logger = pino({ level: 'silent' });
let server: ProbeServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(registry = new Registry()) {
  server = new ProbeServer({ registry, logger });
  const port = await server.listen(0, '127.0.0.1');
  const get = async (path: string, method = 'GET') => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { method });
    return { status: res.status, body: await res.text(), type: res.headers.get('content-type') };
  };
  return { server, get };
}

describe('ProbeServer', () => {
  it('is live while it serves, and ready only once every readiness check passes', async () => {
    let synced = false;
    const { server, get } = await start();
    server.addReadyCheck('informers', () => synced);
    server.addReadyCheck('leader-election', async () => true);
    expect(await get('/healthz')).toMatchObject({ status: 200, body: 'ok\n' });
    const notReady = await get('/readyz');
    expect(notReady.status).toBe(503);
    expect(notReady.body).toContain('[-]informers failed');
    expect(notReady.body).toContain('[+]leader-election ok');
    synced = true;
    expect(await get('/readyz')).toMatchObject({ status: 200, body: 'ok\n' });
    expect((await get('/readyz?verbose')).body).toBe('[+]informers ok\n[+]leader-election ok\nok\n');
  });

  it('counts a throwing check as failed, and a failing health check makes /healthz 503', async () => {
    const { server, get } = await start();
    server.addReadyCheck('broken', () => {
      throw new Error('boom');
    });
    server.addHealthCheck('event-loop', () => false);
    expect((await get('/readyz')).status).toBe(503);
    expect((await get('/healthz')).status).toBe(503);
  });

  it('serves the registry as Prometheus text, and 404/405 for anything else', async () => {
    const registry = new Registry();
    new Counter({ name: 'demo_total', help: 'demo', registers: [registry] }).inc(3);
    const { get } = await start(registry);
    const metrics = await get('/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.type).toContain('text/plain');
    expect(metrics.body).toContain('demo_total 3');
    expect((await get('/nope')).status).toBe(404);
    expect((await get('/metrics', 'POST')).status).toBe(405);
  });
});
