import { describe, expect, it } from 'vitest';
import { EventBus } from './bus.ts';
import type { Event } from './events.ts';

const ev = (code: Event['code'], source = 'job'): Event => ({ code, source });

describe('EventBus', () => {
  it('delivers every event to every subscriber in publish order', async () => {
    const bus = new EventBus();
    const seenA: string[] = [];
    const seenB: string[] = [];
    bus.subscribe('a', (e) => void seenA.push(e.code));
    bus.subscribe('b', (e) => void seenB.push(e.code));
    bus.publish(ev('startup'));
    bus.publish(ev('healthy'));
    bus.publish(ev('stopping'));
    await bus.settled();
    expect(seenA).toEqual(['startup', 'healthy', 'stopping']);
    expect(seenB).toEqual(['startup', 'healthy', 'stopping']);
  });

  it('does not let a slow subscriber hold up publishers or other subscribers', async () => {
    const bus = new EventBus();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slowSeen: string[] = [];
    const fastSeen: string[] = [];
    bus.subscribe('slow', async (e) => {
      await gate;
      slowSeen.push(e.code);
    });
    bus.subscribe('fast', (e) => void fastSeen.push(e.code));
    for (let i = 0; i < 100; i++) bus.publish(ev('changed'));
    bus.publish(ev('stopping'));
    await new Promise((r) => setTimeout(r, 10));
    expect(fastSeen).toHaveLength(101);
    expect(slowSeen).toHaveLength(0);
    release();
    await bus.settled();
    expect(slowSeen.at(-1)).toBe('stopping');
    expect(slowSeen).toHaveLength(101);
  });

  it('returns from publish before any handler runs', () => {
    const bus = new EventBus();
    const seen: string[] = [];
    bus.subscribe('a', (e) => void seen.push(e.code));
    bus.publish(ev('startup'));
    expect(seen).toEqual([]);
  });

  it('reports a throwing handler and keeps delivering to it', async () => {
    const errors: string[] = [];
    const bus = new EventBus((name) => errors.push(name));
    const seen: string[] = [];
    bus.subscribe('flaky', (e) => {
      seen.push(e.code);
      if (e.code === 'healthy') throw new Error('boom');
    });
    bus.publish(ev('healthy'));
    bus.publish(ev('unhealthy'));
    await bus.settled();
    expect(errors).toEqual(['flaky']);
    expect(seen).toEqual(['healthy', 'unhealthy']);
  });

  it('stops delivering after unsubscribe and calls taps inline', async () => {
    const bus = new EventBus();
    const tapped: string[] = [];
    bus.tap((e) => tapped.push(e.code));
    const seen: string[] = [];
    const sub = bus.subscribe('a', (e) => void seen.push(e.code));
    sub.unsubscribe();
    bus.publish(ev('startup'));
    expect(tapped).toEqual(['startup']);
    await bus.settled();
    expect(seen).toEqual([]);
    expect(bus.subscriberCount).toBe(0);
  });
});
