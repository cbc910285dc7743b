import { describe, expect, it } from 'vitest';
import { FakeClock, settle } from './clock.ts';
import { ItemExponentialFailureRateLimiter } from './rate-limiter.ts';
import { WorkQueue, type UnfinishedWork, type WorkQueueMetrics } from './workqueue.ts';

function recordingMetrics() {
  const seen = {
    adds: 0,
    retries: 0,
    depths: [] as number[],
    queued: [] as number[],
    worked: [] as number[],
  };
  let unfinished: () => UnfinishedWork = () => ({ totalSeconds: -1, longestSeconds: -1 });
  const metrics: WorkQueueMetrics = {
    added: () => void seen.adds++,
    retried: () => void seen.retries++,
    depth: (n) => void seen.depths.push(n),
    queued: (s) => void seen.queued.push(s),
    worked: (s) => void seen.worked.push(s),
    observe: (fn) => void (unfinished = fn),
  };
  return { seen, metrics, unfinished: () => unfinished() };
}

describe('WorkQueue', () => {
  it('coalesces a burst of adds for one key into one item, in first-added order', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    for (const key of ['a', 'b', 'a', 'a', 'c', 'b']) queue.add(key);
    expect(queue.len()).toBe(3);
    expect([await queue.get(), await queue.get(), await queue.get()]).toEqual(['a', 'b', 'c']);
  });

  it('never hands a key in flight to a second worker; an add meanwhile requeues it once after done', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    queue.add('a');
    const key = await queue.get();
    queue.add('a');
    queue.add('a');
    expect(queue.len()).toBe(0);
    let second: string | undefined;
    void queue.get().then((k) => (second = k));
    await settle();
    expect(second).toBeUndefined();
    queue.done(key!);
    await settle();
    expect(second).toBe('a');
    queue.done('a');
    expect(queue.len()).toBe(0);
  });

  it('hands a waiting worker the next key as soon as it is added', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const next = queue.get();
    queue.add('x');
    expect(await next).toBe('x');
  });

  it('adds a delayed key only when its time comes, and the earliest of two delays wins', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.addAfter('a', 1000);
    queue.addAfter('a', 300);
    queue.addAfter('a', 5000);
    clock.advance(299);
    expect(queue.len()).toBe(0);
    clock.advance(1);
    expect(queue.len()).toBe(1);
    clock.advance(10_000);
    expect(queue.len()).toBe(1);
  });

  it('backs a failing key off exponentially from 5 ms, up to 1000 s, until it is forgotten', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock, rateLimiter: new ItemExponentialFailureRateLimiter() });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const start = clock.now();
      queue.addRateLimited('a');
      while (queue.len() === 0) clock.advance(1);
      delays.push(clock.now() - start);
      queue.done((await queue.get())!);
    }
    expect(delays).toEqual([5, 10, 20, 40]);
    expect(queue.numRequeues('a')).toBe(4);
    queue.forget('a');
    expect(queue.numRequeues('a')).toBe(0);
    const capped = new ItemExponentialFailureRateLimiter();
    for (let i = 0; i < 30; i++) capped.when('b');
    expect(capped.when('b')).toBe(1_000_000);
  });

  it('shutDown wakes waiting workers with undefined and refuses new work', async () => {
    const queue = new WorkQueue({ clock: new FakeClock() });
    const waiting = queue.get();
    queue.shutDown();
    expect(await waiting).toBeUndefined();
    queue.add('late');
    expect(queue.len()).toBe(0);
    expect(await queue.get()).toBeUndefined();
  });

  it('drains: waits for in-flight keys to be done, and gives up at the deadline', async () => {
    const clock = new FakeClock();
    const queue = new WorkQueue({ clock });
    queue.add('a');
    queue.add('b');
    const a = (await queue.get())!;
    const b = (await queue.get())!;
    let drained: boolean | undefined;
    void queue.shutDownWithDrain(1000).then((r) => (drained = r));
    queue.done(a);
    await settle();
    expect(drained).toBeUndefined();
    queue.done(b);
    await settle();
    expect(drained).toBe(true);

    const stuck = new WorkQueue({ clock });
    stuck.add('c');
    await stuck.get();
    let gaveUp: boolean | undefined;
    void stuck.shutDownWithDrain(1000).then((r) => (gaveUp = r));
    clock.advance(1000);
    await settle();
    expect(gaveUp).toBe(false);
  });

  it('reports adds, depth, retries, time queued and worked, and unfinished work', async () => {
    const clock = new FakeClock();
    const { seen, metrics, unfinished } = recordingMetrics();
    const queue = new WorkQueue({ clock, metrics, rateLimiter: new ItemExponentialFailureRateLimiter() });
    queue.add('a');
    queue.add('a');
    queue.add('b');
    clock.advance(2000);
    const key = (await queue.get())!;
    clock.advance(3000);
    expect(unfinished()).toEqual({ totalSeconds: 3, longestSeconds: 3 });
    queue.done(key);
    queue.addRateLimited('a');
    expect(seen.adds).toBe(2);
    expect(seen.retries).toBe(1);
    expect(seen.depths).toEqual([1, 2, 1]);
    expect(seen.queued).toEqual([2]);
    expect(seen.worked).toEqual([3]);
    expect(unfinished()).toEqual({ totalSeconds: 0, longestSeconds: 0 });
  });
});
