import { afterEach, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { Writable } from 'node:stream';
import { EventBus } from '../events/bus.ts';
import { silentLogger } from '../logging/logger.ts';
import type { WatchConfig } from '../config/types.ts';
import { ServiceWatch, instancesDiffer, toInstance } from './service-watch.ts';
import { ScriptedConsul, entry } from './fake-consul.test-helper.ts';

const config: WatchConfig = { name: 'hello', kind: 'service', interval: 10, wait: 60_000 };

function setup(logger = silentLogger()) {
  const consul = new ScriptedConsul();
  const bus = new EventBus();
  const events: string[] = [];
  bus.subscribe('recorder', (e) => void events.push(`${e.code}:${e.source}`));
  const counts: number[] = [];
  const watch = new ServiceWatch(config, {
    client: consul.client(),
    bus,
    logger,
    onInstanceCount: (_name, n) => counts.push(n),
  });
  watches.push(watch);
  watch.start();
  return { consul, bus, events, counts, watch };
}

const watches: ServiceWatch[] = [];
afterEach(async () => {
  await Promise.all(watches.splice(0).map((w) => w.stop()));
});

describe('ServiceWatch', () => {
  it('publishes changed then healthy when instances appear, and unhealthy when the last one goes', async () => {
    const { consul, bus, events, watch } = setup();
    await consul.answer(5n, [entry('hello-a', '10.0.0.2', 3001)]);
    await consul.answer(6n, [entry('hello-a', '10.0.0.2', 3001), entry('hello-b', '10.0.0.3', 3001)]);
    await consul.answer(7n, []);
    await consul.inFlight();
    await bus.settled();
    expect(events).toEqual([
      'changed:watch.hello',
      'healthy:watch.hello',
      'changed:watch.hello',
      'healthy:watch.hello',
      'changed:watch.hello',
      'unhealthy:watch.hello',
    ]);
    expect(watch.instances()).toEqual([]);
  });

  it('publishes nothing when the service has no instances at the first answer', async () => {
    const { consul, bus, events, counts } = setup();
    await consul.answer(3n, []);
    await consul.answer(4n, []);
    await consul.inFlight();
    await bus.settled();
    expect(events).toEqual([]);
    expect(counts).toEqual([0, 0]);
  });

  it('ignores answers that only reorder instances or change their tags, but keeps the fresh tags', async () => {
    const { consul, bus, events, watch } = setup();
    await consul.answer(5n, [entry('hello-b', '10.0.0.3', 3001), entry('hello-a', '10.0.0.2', 3001)]);
    await consul.answer(6n, [entry('hello-a', '10.0.0.2', 3001, ['v2']), entry('hello-b', '10.0.0.3', 3001)]);
    await consul.inFlight();
    await bus.settled();
    expect(events).toEqual(['changed:watch.hello', 'healthy:watch.hello']);
    expect(watch.instances().map((i) => [i.id, i.tags])).toEqual([
      ['hello-a', ['v2']],
      ['hello-b', []],
    ]);
  });

  it('sees a moved instance (same ID, new address) as a change', async () => {
    const { consul, bus, events } = setup();
    await consul.answer(5n, [entry('hello-a', '10.0.0.2', 3001)]);
    await consul.answer(6n, [entry('hello-a', '10.0.0.9', 3001)]);
    await consul.inFlight();
    await bus.settled();
    expect(events.filter((e) => e.startsWith('changed'))).toHaveLength(2);
  });

  it('blocks on the index of the previous answer, and starts over when the index goes backwards', async () => {
    const { consul } = setup();
    expect((await consul.inFlight()).index).toBe(0n);
    await consul.answer(40n, []);
    expect((await consul.inFlight()).index).toBe(40n);
    expect((await consul.inFlight()).wait).toBe(60_000);
    await consul.answer(12n, []); // a new agent with a younger raft log
    expect((await consul.inFlight()).index).toBe(0n);
    await consul.answer(13n, []);
    expect((await consul.inFlight()).index).toBe(13n);
  });

  it('retries after an error without a stale index, logging the failure once and the recovery', async () => {
    const lines: Array<{ level: number; msg: string }> = [];
    const sink = new Writable({ write: (chunk, _e, cb) => (lines.push(JSON.parse(String(chunk))), cb()) });
    const { consul, bus, events } = setup(pino({ level: 'debug' }, sink));
    await consul.answer(9n, [entry('hello-a', '10.0.0.2', 3001)]);
    await consul.fail('connect ECONNREFUSED');
    await consul.fail('connect ECONNREFUSED');
    expect((await consul.inFlight()).index).toBe(0n);
    await consul.answer(10n, [entry('hello-a', '10.0.0.2', 3001)]);
    await consul.inFlight();
    await bus.settled();
    expect(events).toEqual(['changed:watch.hello', 'healthy:watch.hello']);
    const levels = lines.filter((l) => /Consul query/.test(l.msg)).map((l) => [l.level, l.msg]);
    expect(levels).toEqual([
      [40, 'Consul query failed'],
      [20, 'Consul query still failing'],
      [30, 'Consul query recovered'],
    ]);
  });

  it('aborts the query in flight when stopped, and queries no more', async () => {
    const { consul, watch } = setup();
    const inFlight = await consul.inFlight();
    await watch.stop();
    expect(inFlight.signal?.aborted).toBe(true);
    expect(consul.queries).toHaveLength(1);
  });

  it('tells listeners about a change before the events are handled', async () => {
    const { consul, bus, watch } = setup();
    const seen = vi.fn();
    watch.onChange(seen);
    await consul.answer(5n, [entry('hello-a', '10.0.0.2', 3001)]);
    await consul.inFlight();
    await bus.settled();
    expect(seen).toHaveBeenCalledOnce();
    expect(seen.mock.calls[0]![0]).toMatchObject([{ id: 'hello-a', address: '10.0.0.2', port: 3001 }]);
  });
});

describe('instances from Consul', () => {
  it('takes the node address when the service registered none', () => {
    expect(toInstance(entry('hello-a', '', 3001)).address).toBe('10.0.0.1');
  });

  it('compares count, ID, address and port', () => {
    const a = toInstance(entry('hello-a', '10.0.0.2', 3001));
    expect(instancesDiffer([a], [a])).toBe(false);
    expect(instancesDiffer([a], [])).toBe(true);
    expect(instancesDiffer([a], [{ ...a, port: 3002 }])).toBe(true);
    expect(instancesDiffer([a], [{ ...a, id: 'hello-z' }])).toBe(true);
    expect(instancesDiffer([a], [{ ...a, tags: ['x'], meta: { y: 'z' } }])).toBe(false);
  });
});
