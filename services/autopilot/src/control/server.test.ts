import { request } from 'node:http';
import { link, mkdtemp, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../logging/logger.ts';
import { startControlServer, type ControlServer } from './server.ts';
import { UnknownMetricError, type ControlActions } from './types.ts';

class FakeActions implements ControlActions {
  readonly env: Record<string, string>[] = [];
  readonly metrics: Record<string, number>[] = [];
  readonly maintenance: boolean[] = [];
  reloads = 0;
  inMaintenance = false;
  reloadError: Error | undefined;

  async reload(): Promise<void> {
    if (this.reloadError) throw this.reloadError;
    this.reloads++;
  }
  async setMaintenance(enabled: boolean): Promise<void> {
    this.maintenance.push(enabled);
    this.inMaintenance = enabled;
  }
  putEnv(values: Record<string, string>): void {
    this.env.push(values);
  }
  putMetric(values: Record<string, number>): void {
    for (const name of Object.keys(values)) {
      if (name !== 'jobs_done') throw new UnknownMetricError(name, ['jobs_done']);
    }
    this.metrics.push(values);
  }
}

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function send(socketPath: string, method: string, urlPath: string, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, method, path: urlPath }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode!, body: text, headers: res.headers }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

let dir: string;
let socket: string;
let actions: FakeActions;
let counted: [string, number][];
let server: ControlServer | undefined;

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'autopilot-control-'));
  socket = path.join(dir, 'cp.socket');
  actions = new FakeActions();
  counted = [];
  server = await startControlServer({
    socket,
    actions,
    logger: silentLogger(),
    onRequest: (p, code) => counted.push([p, code]),
    inMaintenance: () => actions.inMaintenance,
  });
});
afterEach(async () => {
  await server?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('control server verbs', () => {
  it('answers GET /v3/ping with 200 ok', async () => {
    const answer = await send(socket, 'GET', '/v3/ping');
    expect([answer.status, answer.body]).toEqual([200, 'ok']);
  });

  it('puts environment variables through /v3/environ and its alias /v3/env, null clearing one', async () => {
    expect((await send(socket, 'POST', '/v3/environ', '{"A":"1","B":"x=y"}')).status).toBe(200);
    expect((await send(socket, 'POST', '/v3/env', '{"C":null}')).status).toBe(200);
    expect(actions.env).toEqual([{ A: '1', B: 'x=y' }, { C: '' }]);
  });

  it('puts metrics as numbers, accepting the numeric strings ContainerPilot clients send', async () => {
    expect((await send(socket, 'POST', '/v3/metric', '{"jobs_done":2}')).status).toBe(200);
    expect((await send(socket, 'POST', '/v3/metric', '{"jobs_done":"0.5"}')).status).toBe(200);
    expect(actions.metrics).toEqual([{ jobs_done: 2 }, { jobs_done: 0.5 }]);
  });

  it('reloads through /v3/reload', async () => {
    expect((await send(socket, 'POST', '/v3/reload')).status).toBe(200);
    expect(actions.reloads).toBe(1);
  });

  it('toggles maintenance and reports whether anything changed', async () => {
    const first = await send(socket, 'POST', '/v3/maintenance/enable');
    const again = await send(socket, 'POST', '/v3/maintenance/enable');
    const off = await send(socket, 'POST', '/v3/maintenance/disable');

    expect([first.status, JSON.parse(first.body)]).toEqual([200, { updated: true }]);
    expect(JSON.parse(again.body)).toEqual({ updated: false });
    expect(JSON.parse(off.body)).toEqual({ updated: true });
    expect(actions.maintenance).toEqual([true, true, false]);
  });
});

describe('control server refusals', () => {
  it.each([
    ['/v3/environ', 'not json', /not valid JSON/],
    ['/v3/environ', '["A=1"]', /must be a JSON object/],
    ['/v3/environ', '', /body is empty/],
    ['/v3/environ', '{"A":1}', /"A" must be a string or null/],
    ['/v3/environ', '{"A=B":"1"}', /"A=B" is not a valid environment variable name/],
    ['/v3/metric', '{"jobs_done":"many"}', /"jobs_done" must be a finite number/],
    ['/v3/metric', '{"jobs_done":true}', /"jobs_done" must be a finite number/],
    ['/v3/metric', '{"undeclared":1}', /unknown metric "undeclared" \(declared metrics: jobs_done\)/],
  ])('answers 400 with the reason for POST %s %s', async (urlPath, body, reason) => {
    const answer = await send(socket, 'POST', urlPath, body);

    expect(answer.status).toBe(400);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(JSON.parse(answer.body).error).toMatch(reason);
    expect(actions.env).toEqual([]);
    expect(actions.metrics).toEqual([]);
  });

  it('answers 404 for unknown paths', async () => {
    const answer = await send(socket, 'POST', '/v3/nothing');
    expect([answer.status, JSON.parse(answer.body).error]).toEqual([404, 'no such endpoint: /v3/nothing']);
  });

  it('answers 405 naming the allowed method for wrong methods', async () => {
    const getReload = await send(socket, 'GET', '/v3/reload');
    const postPing = await send(socket, 'POST', '/v3/ping');

    expect([getReload.status, getReload.headers.allow]).toEqual([405, 'POST']);
    expect([postPing.status, postPing.headers.allow]).toEqual([405, 'GET']);
    expect(actions.reloads).toBe(0);
  });

  it('answers 500 with the message when an action fails', async () => {
    actions.reloadError = new Error('config.json5:3:7: unexpected token');
    const answer = await send(socket, 'POST', '/v3/reload');
    expect([answer.status, JSON.parse(answer.body).error]).toEqual([
      500,
      'config.json5:3:7: unexpected token',
    ]);
  });
});

describe('control server bookkeeping', () => {
  it('reports every answered request with its path and code, unknown paths as "other"', async () => {
    await send(socket, 'GET', '/v3/ping');
    await send(socket, 'POST', '/v3/metric', 'nope');
    await send(socket, 'GET', '/v3/reload');
    await send(socket, 'GET', '/random/path');

    expect(counted).toEqual([
      ['/v3/ping', 200],
      ['/v3/metric', 400],
      ['/v3/reload', 405],
      ['other', 404],
    ]);
  });

  it('creates the socket with mode 0600 and removes it on close', async () => {
    expect((await stat(socket)).mode & 0o777).toBe(0o600);
    await server!.close();
    await expect(stat(socket)).rejects.toThrow(/ENOENT/);
  });

  it('replaces a stale socket file left by a dead process', async () => {
    await server!.close();
    const stale = await listenAndAbandon(path.join(dir, 'stale.socket'));

    server = await startControlServer({ socket: stale, actions, logger: silentLogger() });

    expect((await send(stale, 'GET', '/v3/ping')).status).toBe(200);
  });

  it('refuses a socket another process still answers on, and a path that is not a socket', async () => {
    await expect(startControlServer({ socket, actions, logger: silentLogger() })).rejects.toThrow(/in use/);

    const file = path.join(dir, 'plain-file');
    await writeFile(file, 'keep me');
    await expect(startControlServer({ socket: file, actions, logger: silentLogger() })).rejects.toThrow(
      /exists and is not a socket/,
    );
  });
});

/** A socket file whose listener is gone: what a killed autopilot leaves behind. */
async function listenAndAbandon(socketPath: string): Promise<string> {
  const listener: Server = createServer();
  await new Promise<void>((resolve) => listener.listen(socketPath, resolve));
  // libuv unlinks a socket path when its listener closes; a second hard link keeps the file alive.
  await link(socketPath, `${socketPath}.keep`);
  await new Promise<void>((resolve) => listener.close(() => resolve()));
  await link(`${socketPath}.keep`, socketPath);
  await unlink(`${socketPath}.keep`);
  return socketPath;
}
