// Watches against a real Consul agent: instances coming and going, keys written and deleted.
// The watches here have a 10-minute interval (except where an error retry is wanted), so any event
// that arrives at all came from a blocking query waking up, not from polling.
import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import type { ServiceConfig, WatchConfig } from '../config/types.ts';
import { createConsulClient } from '../discovery/consul-client.ts';
import { ConsulServiceRegistration } from '../discovery/registration.ts';
import { EventBus } from '../events/bus.ts';
import { silentLogger } from '../logging/logger.ts';
import { useConsulAgent } from '../../../../test/support/consul.ts';
import { KeyWatch } from './key-watch.ts';
import { ServiceWatch } from './service-watch.ts';

const consul = useConsulAgent();
const TEN_MINUTES = 600_000;
const stops: Array<() => unknown> = [];
afterEach(async () => {
  for (const stop of stops.splice(0).reverse()) await stop();
});
const closers: Array<() => void> = [];
afterAll(() => closers.forEach((close) => close()));

function client() {
  const c = createConsulClient(consul().config());
  closers.push(() => c.close());
  return c;
}

function instance(name: string, host: string, port: number, tags: string[] = []) {
  const service: ServiceConfig = {
    id: `${name}-${host}`,
    name,
    port,
    interfaces: [`static:10.0.0.${port % 250}`],
    tags,
    meta: {},
    enableTagOverride: false,
  };
  return new ConsulServiceRegistration(service, 60_000, { client: client(), logger: silentLogger() });
}

function watchService(name: string, extra: Partial<WatchConfig> = {}) {
  const bus = new EventBus();
  const events: string[] = [];
  bus.subscribe('recorder', (e) => void events.push(`${e.code}:${e.source}`));
  const counts: number[] = [];
  const watch = new ServiceWatch(
    { name, kind: 'service', interval: TEN_MINUTES, wait: 60_000, ...extra },
    { client: client(), bus, logger: silentLogger(), onInstanceCount: (_n, count) => counts.push(count) },
  );
  watch.start();
  stops.push(() => watch.stop());
  return { watch, events, counts, bus };
}

const eventually = (assertion: () => void | Promise<void>) =>
  vi.waitFor(assertion, { timeout: 20_000, interval: 50 });

describe('ServiceWatch on a real agent', () => {
  it('follows instances as they register, fail and leave', async () => {
    const { watch, events, bus } = watchService('hello');
    await watch.firstAnswer;
    expect(events).toEqual([]); // nothing there yet: nothing to say

    const a = instance('hello', 'pod-a', 3001);
    await a.pass('ok');
    await eventually(() => expect(events).toEqual(['changed:watch.hello', 'healthy:watch.hello']));
    expect(watch.instances().map((i) => `${i.id} ${i.address}:${i.port}`)).toEqual([
      'hello-pod-a 10.0.0.1:3001',
    ]);

    const b = instance('hello', 'pod-b', 3002);
    await b.pass('ok');
    await eventually(() => expect(watch.instances()).toHaveLength(2));

    await a.fail('down');
    await eventually(() => expect(watch.instances().map((i) => i.id)).toEqual(['hello-pod-b']));

    await b.deregister();
    await eventually(() => expect(watch.instances()).toEqual([]));
    await a.deregister();
    await bus.settled();

    expect(events).toEqual([
      'changed:watch.hello',
      'healthy:watch.hello', // a
      'changed:watch.hello',
      'healthy:watch.hello', // a + b
      'changed:watch.hello',
      'healthy:watch.hello', // b
      'changed:watch.hello',
      'unhealthy:watch.hello', // none
    ]);
  });

  it('sees only the instances carrying its tag', async () => {
    const blue = instance('tagged', 'pod-blue', 3011, ['blue']);
    const green = instance('tagged', 'pod-green', 3012, ['green']);
    await Promise.all([blue.pass('ok'), green.pass('ok')]);
    stops.push(
      () => blue.deregister(),
      () => green.deregister(),
    );
    const { watch, events } = watchService('tagged', { tag: 'blue' });
    await eventually(() => expect(events).toEqual(['changed:watch.tagged', 'healthy:watch.tagged']));
    expect(watch.instances().map((i) => i.id)).toEqual(['tagged-pod-blue']);
  });

  it('reports the instance count of every answer', async () => {
    const one = instance('counted', 'pod-1', 3021);
    await one.pass('ok');
    stops.push(() => one.deregister());
    const { watch, counts } = watchService('counted');
    await watch.firstAnswer;
    expect(counts).toEqual([1]);
  });

  it('stops at once even while a query is blocked', async () => {
    const { watch } = watchService('idle', { wait: TEN_MINUTES / 2 });
    await watch.firstAnswer;
    await watch.stop(); // the test would time out if this waited for the blocking query
    expect(watch.ready).toBe(true);
  });

  it('finds the service again after the agent restarted with an empty state', async () => {
    // The restart drops the blocked query; a short interval makes the retry after that error quick.
    const { watch, events, bus } = watchService('phoenix', { interval: 200 });
    const registration = instance('phoenix', 'pod-1', 3031);
    await registration.pass('ok');
    stops.push(() => registration.deregister());
    await eventually(() => expect(watch.instances()).toHaveLength(1));

    await consul().restartEmpty();
    await eventually(() => expect(watch.instances()).toHaveLength(0));
    await registration.pass('ok'); // re-registers
    await eventually(() => expect(watch.instances()).toHaveLength(1));
    await bus.settled();

    expect(events).toEqual([
      'changed:watch.phoenix',
      'healthy:watch.phoenix',
      'changed:watch.phoenix',
      'unhealthy:watch.phoenix',
      'changed:watch.phoenix',
      'healthy:watch.phoenix',
    ]);
  });
});

describe('KeyWatch on a real agent', () => {
  it('publishes changed when a key is written, rewritten and deleted', async () => {
    const kv = client();
    const bus = new EventBus();
    const events: string[] = [];
    bus.subscribe('recorder', (e) => void events.push(`${e.code}:${e.source}`));
    const watch = new KeyWatch(
      { name: 'flags', kind: 'key', key: 'app/feature/flags', interval: TEN_MINUTES, wait: 60_000 },
      { client: kv, bus, logger: silentLogger() },
    );
    watch.start();
    stops.push(() => watch.stop());
    await watch.firstAnswer;
    expect(watch.value()).toBeUndefined();

    await kv.kvPut('app/feature/flags', 'dark-mode=on');
    await eventually(() => expect(watch.value()).toBe('dark-mode=on'));
    await kv.kvPut('app/feature/other', 'unrelated');
    await kv.kvPut('app/feature/flags', 'dark-mode=off');
    await eventually(() => expect(watch.value()).toBe('dark-mode=off'));
    await kv.kvDelete('app/feature/flags');
    await eventually(() => expect(watch.value()).toBeUndefined());
    await bus.settled();

    expect(events).toEqual(['changed:watch.flags', 'changed:watch.flags', 'changed:watch.flags']);
  });
});
