import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../../../scripts/local/consul-agent.ts';
import { silentLogger } from '../logging/logger.ts';
import type { HealthConfig } from '../config/types.ts';
import { createHealthCheck } from './check.ts';

const timing = { interval: 1000, ttl: 5000, timeout: 1000 };
const check = (config: HealthConfig, env?: NodeJS.ProcessEnv) =>
  createHealthCheck(config, { logger: silentLogger(), name: 'app', env: env && (() => env) })();
const exec = (argv: string[], timeout = 1000): HealthConfig => ({
  ...timing,
  timeout,
  kind: 'exec',
  exec: argv,
  logging: { raw: false },
});

describe('exec health checks', () => {
  it('passes when the command exits 0, with its output as the note', async () => {
    expect(await check(exec(['sh', '-c', 'echo all good']))).toEqual({ ok: true, note: 'all good' });
    expect(await check(exec(['true']))).toEqual({ ok: true, note: 'ok' });
  });

  it('fails with the exit code and output when the command fails', async () => {
    const result = await check(exec(['sh', '-c', 'echo backend down >&2; exit 3']));
    expect(result).toEqual({ ok: false, note: 'exit code 3: backend down' });
  });

  it('passes the environment through to the command', async () => {
    const result = await check(exec(['sh', '-c', 'echo "$CHECK_TARGET"']), {
      PATH: process.env.PATH,
      CHECK_TARGET: 'db:5432',
    });
    expect(result.note).toBe('db:5432');
  });

  it('reads the environment each time it runs, not when it is built', async () => {
    let env: NodeJS.ProcessEnv = { PATH: process.env.PATH, COLOR: 'red' };
    const run = createHealthCheck(exec(['sh', '-c', 'echo "$COLOR"']), {
      logger: silentLogger(),
      name: 'app',
      env: () => env,
    });
    expect((await run()).note).toBe('red');
    env = { ...env, COLOR: 'blue' };
    expect((await run()).note).toBe('blue');
  });

  it('kills a command that overruns its timeout and fails', async () => {
    const result = await check(exec(['sleep', '30'], 150));
    expect(result).toEqual({ ok: false, note: 'timed out' });
  });

  it('fails when the command cannot be started', async () => {
    const result = await check(exec(['/nonexistent/health-probe']));
    expect(result.ok).toBe(false);
    expect(result.note).toMatch(/failed to start: .*ENOENT/);
  });
});

describe('native HTTP health checks', () => {
  let server: http.Server;
  let base: string;
  beforeAll(async () => {
    server = http.createServer((req, res) => {
      if (req.url === '/hang') return; // never answers
      const status = Number(req.url?.slice(1)) || 200;
      res.writeHead(status).end('body');
    });
    server.listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => {
    server.closeAllConnections();
    server.close();
  });

  const httpCheck = (path: string, extra: Partial<{ expectStatus: number; timeout: number }> = {}) =>
    check({ ...timing, kind: 'http', url: `${base}${path}`, ...extra });

  it('passes on any 2xx, with the status line as the note', async () => {
    expect(await httpCheck('/200')).toEqual({ ok: true, note: 'HTTP 200 OK' });
    expect(await httpCheck('/204')).toEqual({ ok: true, note: 'HTTP 204 No Content' });
  });

  it('fails on an error status', async () => {
    expect(await httpCheck('/503')).toEqual({ ok: false, note: 'HTTP 503 Service Unavailable' });
  });

  it('passes only on the expected status when one is configured', async () => {
    expect((await httpCheck('/200', { expectStatus: 418 })).ok).toBe(false);
    expect((await httpCheck('/418', { expectStatus: 418 })).ok).toBe(true);
  });

  it('fails when the server does not answer in time', async () => {
    expect(await httpCheck('/hang', { timeout: 150 })).toEqual({
      ok: false,
      note: `GET ${base}/hang: timed out after 150ms`,
    });
  });

  it('fails when nothing listens', async () => {
    const port = await freePort();
    const result = await check({ ...timing, kind: 'http', url: `http://127.0.0.1:${port}/` });
    expect(result).toEqual({ ok: false, note: `GET http://127.0.0.1:${port}/: ECONNREFUSED` });
  });

  it('rejects a malformed URL when the check is created', () => {
    expect(() =>
      createHealthCheck(
        { ...timing, kind: 'http', url: 'not a url' },
        { logger: silentLogger(), name: 'app' },
      ),
    ).toThrow();
  });
});

describe('native TCP health checks', () => {
  it('passes when the port accepts a connection', async () => {
    const server = net.createServer((socket) => socket.end()).listen(0, '127.0.0.1');
    await new Promise((r) => server.once('listening', r));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await check({ ...timing, kind: 'tcp', address })).toEqual({
        ok: true,
        note: `TCP ${address}: connected`,
      });
    } finally {
      server.close();
    }
  });

  it('fails when the connection is refused', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const result = await check({ ...timing, kind: 'tcp', address });
    expect(result.ok).toBe(false);
    expect(result.note).toMatch(/ECONNREFUSED/);
  });
});
