import os from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import type { RunningDemoService } from './service.ts';
import { startForTest } from './testing/start-for-test.ts';

describe('the demo service app', () => {
  let service: RunningDemoService | undefined;
  afterEach(async () => {
    await service?.shutdown();
    service = undefined;
  });

  it('answers its word as plain text, like the original demo, and names the instance in a header', async () => {
    service = await startForTest('Hello', { instanceId: 'hello-1' });

    const response = await fetch(`${service.url}/`);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toBe('Hello');
    expect(response.headers.get('x-instance-id')).toBe('hello-1');
    expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it('the world service answers World', async () => {
    service = await startForTest('World');

    expect(await (await fetch(`${service.url}/`)).text()).toBe('World');
  });

  it('gives a JSON answer naming the instance when asked with ?format=json', async () => {
    service = await startForTest('World', { instanceId: 'world-7' });

    const response = await fetch(`${service.url}/?format=json`);

    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      message: 'World',
      instance: 'world-7',
      host: os.hostname(),
      version: '9.9.9-test',
      pid: process.pid,
    });
  });

  it('lets the Accept header choose JSON, and prefers plain text for */*', async () => {
    service = await startForTest('Hello');

    const json = await fetch(`${service.url}/`, { headers: { accept: 'application/json' } });
    const anything = await fetch(`${service.url}/`, { headers: { accept: '*/*' } });
    const forcedText = await fetch(`${service.url}/?format=text`, {
      headers: { accept: 'application/json' },
    });

    expect(((await json.json()) as { message: string }).message).toBe('Hello');
    expect(await anything.text()).toBe('Hello');
    expect(await forcedText.text()).toBe('Hello');
  });

  it('names the instance like its Consul service ID, hello-<hostname>, when INSTANCE_ID is not given', async () => {
    service = await startForTest('Hello');

    const answer = (await (await fetch(`${service.url}/?format=json`)).json()) as { instance: string };

    expect(answer.instance).toBe(`hello-${os.hostname()}`);
    expect(service.instanceId).toBe(answer.instance);
  });

  it('is live on /healthz and ready on /readyz until it starts draining', async () => {
    service = await startForTest('Hello');

    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${service.url}/readyz`)).status).toBe(200);

    service.readiness.draining = true;

    const readyz = await fetch(`${service.url}/readyz`);
    expect(readyz.status).toBe(503);
    expect(await readyz.text()).toBe('draining\n');
    expect((await fetch(`${service.url}/healthz`)).status).toBe(200);
  });

  it('answers unknown paths with a plain-text 404', async () => {
    service = await startForTest('Hello');

    const response = await fetch(`${service.url}/elsewhere`);

    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toContain('GET /elsewhere');
  });
});
