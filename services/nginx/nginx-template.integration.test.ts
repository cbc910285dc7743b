// nginx.conf.tmpl rendered by autopilot's template engine and run by a real nginx (as `nobody`
// when the suite runs as root) in front of real hello and world processes.
import http from 'node:http';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnDemoProcess, type DemoProcess } from '../demo-service/src/testing/spawn-demo-process.ts';
import { freePort } from '../../scripts/local/consul-agent.ts';
import { eventually } from '../../test/support/eventually.ts';
import { startNginx, type Catalog, type Instance, type RunningNginx } from './testing/nginx-harness.ts';

const helloMain = fileURLToPath(new URL('../hello/src/main.ts', import.meta.url));
const worldMain = fileURLToPath(new URL('../world/src/main.ts', import.meta.url));

const instance = (id: string, port: number): Instance => ({ ID: id, Address: '127.0.0.1', Port: port });

/** GET from a chosen loopback source address (127.0.0.2 is "not localhost" to nginx's allow list). */
function getFrom(localAddress: string, url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { localAddress, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
      .on('error', reject);
  });
}

describe('the nginx front end rendered from nginx.conf.tmpl', () => {
  const processes: DemoProcess[] = [];
  let helloA: Instance;
  let helloB: Instance;
  let worldA: Instance;
  let deadPort: number;
  let nginx: RunningNginx;
  let everyone: Catalog;

  beforeAll(async () => {
    const [a, b, w] = await Promise.all([
      spawnDemoProcess(helloMain, { INSTANCE_ID: 'hello-a' }),
      spawnDemoProcess(helloMain, { INSTANCE_ID: 'hello-b' }),
      spawnDemoProcess(worldMain, { INSTANCE_ID: 'world-a' }),
    ]);
    processes.push(a, b, w);
    helloA = instance('hello-a', a.port);
    helloB = instance('hello-b', b.port);
    worldA = instance('world-a', w.port);
    deadPort = await freePort();
    everyone = { hello: [helloA, helloB], world: [worldA] };
    nginx = await startNginx(everyone);
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all(processes.map((p) => p.stop()));
  });

  it('is a configuration nginx -t accepts', () => {
    const { status, output } = nginx.testConfig();

    expect(output).toContain('syntax is ok');
    expect(status).toBe(0);
  });

  it('routes /hello and /world to the services, as the original demo did', async () => {
    await nginx.configure(everyone);

    expect(await (await fetch(`${nginx.url}/hello`)).text()).toBe('Hello');
    expect(await (await fetch(`${nginx.url}/world`)).text()).toBe('World');
    expect(await (await fetch(`${nginx.url}/world/readyz`)).text()).toBe('ready\n');
  });

  it('spreads requests over every healthy instance, which the JSON form names', async () => {
    await nginx.configure(everyone);

    const answered = new Set<string>();
    for (let i = 0; i < 10; i++) {
      const answer = (await (await fetch(`${nginx.url}/hello?format=json`)).json()) as { instance: string };
      answered.add(answer.instance);
    }

    expect([...answered].sort()).toEqual(['hello-a', 'hello-b']);
  });

  it('lists the healthy instances on /instances.json for the page', async () => {
    await nginx.configure(everyone);

    const response = await fetch(`${nginx.url}/instances.json`);

    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      hello: [
        { id: 'hello-a', address: '127.0.0.1', port: helloA.Port },
        { id: 'hello-b', address: '127.0.0.1', port: helloB.Port },
      ],
      world: [{ id: 'world-a', address: '127.0.0.1', port: worldA.Port }],
    });
  });

  it('skips an instance that stopped answering, so no request fails', async () => {
    await nginx.configure({ hello: [instance('hello-gone', deadPort), helloA], world: [worldA] });

    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await fetch(`${nginx.url}/hello`)).status);

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
  });

  it('answers a clear 503 in text or JSON when a service has no instances, never an HTML page', async () => {
    await nginx.configure({ hello: [helloA], world: [] });

    const text = await fetch(`${nginx.url}/world`);
    expect(text.status).toBe(503);
    expect(text.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await text.text()).toBe(
      'No healthy world instances are available. Start or scale up the world service.\n',
    );

    const json = await fetch(`${nginx.url}/world?format=json`);
    expect(json.status).toBe(503);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await json.json()).toEqual({
      error: 'unavailable',
      service: 'world',
      message: 'No healthy world instances are available.',
    });

    const accepting = await fetch(`${nginx.url}/world`, { headers: { accept: 'application/json' } });
    expect(((await accepting.json()) as { service: string }).service).toBe('world');
    expect(await (await fetch(`${nginx.url}/hello`)).text()).toBe('Hello');
  });

  it('answers the same clear 503 when every listed instance fails, instead of nginx’s 502 page', async () => {
    await nginx.configure({ hello: [helloA], world: [instance('world-gone', deadPort)] });

    const response = await fetch(`${nginx.url}/world?format=json`);

    expect(response.status).toBe(503);
    expect(((await response.json()) as { error: string }).error).toBe('unavailable');
  });

  it('picks up a service as soon as a render lists it and nginx reloads', async () => {
    await nginx.configure({ hello: [helloA], world: [] });
    expect((await fetch(`${nginx.url}/world`)).status).toBe(503);

    await nginx.configure({ hello: [helloA], world: [worldA] });

    expect(await (await fetch(`${nginx.url}/world`)).text()).toBe('World');
  });

  it('answers /health (stub_status) to loopback clients only', async () => {
    const local = await fetch(`${nginx.url}/health`);
    expect(local.status).toBe(200);
    expect(await local.text()).toMatch(/^Active connections: \d+/);

    expect(await getFrom('127.0.0.2', `${nginx.url}/health`)).toBe(403);
  });

  it('serves the page, its script as JavaScript (ES modules need it) and its stylesheet', async () => {
    const page = await fetch(`${nginx.url}/`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('data-testid="world-count"');

    expect((await fetch(`${nginx.url}/app.js`)).headers.get('content-type')).toMatch(
      /^application\/javascript/,
    );
    expect((await fetch(`${nginx.url}/style.css`)).headers.get('content-type')).toMatch(/^text\/css/);
  });

  it('writes its access log as JSON lines on stderr, naming the upstream that answered', async () => {
    await nginx.configure(everyone);
    await fetch(`${nginx.url}/world?format=json&from=log-test`);

    // The line is written after the answer is sent, so it shows up a moment later.
    const logged = () =>
      nginx
        .stderr()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as Record<string, unknown>)
        .find((entry) => entry.uri === '/world?format=json&from=log-test');
    await eventually(() => logged() !== undefined, 'the access log line', 15_000);

    expect(logged()).toMatchObject({ method: 'GET', status: 200, upstream: `127.0.0.1:${worldA.Port}` });
  });
});
