import http from 'node:http';
import net from 'node:net';
import type { Express } from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningDemoService } from './service.ts';
import { deferred, startForTest, type Deferred } from './testing/start-for-test.ts';

/** A `/hold` route that answers only when the test releases it. */
function holdRoute(arrived: Deferred, release: Deferred) {
  return (app: Express) => {
    app.get('/hold', async (_req, res) => {
      arrived.resolve();
      await release.promise;
      res.type('text/plain').send('held and released');
    });
  };
}

function connectionError(port: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve('connected');
    });
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

/** GET over a keep-alive agent, so the connection stays open after the answer. */
function keepAliveGet(
  url: string,
  agent: http.Agent,
): Promise<{ status: number; body: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { agent }, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body, connection: res.headers.connection }),
        );
      })
      .on('error', reject);
  });
}

describe('graceful shutdown of a demo service', () => {
  let service: RunningDemoService | undefined;
  const agents: http.Agent[] = [];
  afterEach(async () => {
    await service?.shutdown();
    service = undefined;
    agents.splice(0).forEach((agent) => agent.destroy());
  });

  it('lets an in-flight request finish while refusing new connections', async () => {
    const arrived = deferred();
    const release = deferred();
    service = await startForTest('Hello', {}, { extend: holdRoute(arrived, release) });
    const inFlight = fetch(`${service.url}/hold`);
    await arrived.promise;

    const stopped = service.shutdown();

    expect(await connectionError(service.port)).toBe('ECONNREFUSED');
    release.resolve();
    const response = await inFlight;
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('held and released');
    expect(await stopped).toEqual({ forced: false });
  });

  it('fails readiness but keeps serving during the drain delay, closing each connection after use', async () => {
    const delayOver = deferred();
    service = await startForTest('World', { shutdownDelayMs: 30_000 }, { sleep: () => delayOver.promise });
    const agent = new http.Agent({ keepAlive: true });
    agents.push(agent);

    const stopped = service.shutdown();

    const readyz = await keepAliveGet(`${service.url}/readyz`, agent);
    expect(readyz.status).toBe(503);
    const answer = await keepAliveGet(`${service.url}/`, agent);
    expect(answer).toMatchObject({ status: 200, body: 'World', connection: 'close' });

    delayOver.resolve();
    expect(await stopped).toEqual({ forced: false });
    expect(await connectionError(service.port)).toBe('ECONNREFUSED');
  });

  it('does not wait for a keep-alive connection that went idle after its request finished', async () => {
    const arrived = deferred();
    const release = deferred();
    service = await startForTest(
      'Hello',
      { shutdownTimeoutMs: 60_000 },
      { extend: holdRoute(arrived, release) },
    );
    const agent = new http.Agent({ keepAlive: true });
    agents.push(agent);
    const inFlight = keepAliveGet(`${service.url}/hold`, agent);
    await arrived.promise;

    const stopped = service.shutdown();
    release.resolve();

    expect((await inFlight).body).toBe('held and released');
    expect(await stopped).toEqual({ forced: false });
  });

  it('cuts a request that outlives the shutdown timeout and reports the shutdown as forced', async () => {
    const arrived = deferred();
    const never = deferred();
    service = await startForTest('Hello', { shutdownTimeoutMs: 50 }, { extend: holdRoute(arrived, never) });
    const inFlight = fetch(`${service.url}/hold`).then(
      () => 'answered',
      () => 'cut',
    );
    await arrived.promise;

    expect(await service.shutdown()).toEqual({ forced: true });
    expect(await inFlight).toBe('cut');
  });

  it('shuts down once however many times it is asked', async () => {
    service = await startForTest('Hello');

    const [first, second] = [service.shutdown(), service.shutdown()];

    expect(first).toBe(second);
    expect(await first).toEqual({ forced: false });
  });
});
