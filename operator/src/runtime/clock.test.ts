import { describe, expect, it } from 'vitest';
import { FakeClock, microTime, realClock, sleep } from './clock.ts';

describe('clock', () => {
  it('a fake clock fires timers in due order, each at its own instant', () => {
    const clock = new FakeClock();
    const fired: string[] = [];
    clock.setTimeout(() => fired.push(`b@${clock.now()}`), 20);
    clock.setTimeout(() => fired.push(`a@${clock.now()}`), 10);
    const cancelled = clock.setTimeout(() => fired.push('never'), 15);
    clock.clearTimeout(cancelled);
    clock.advance(25);
    expect(fired).toEqual(['a@10', 'b@20']);
    expect(clock.now()).toBe(25);
    expect(clock.pending()).toBe(0);
  });

  it('timers scheduled by a firing timer still fire within the same advance', () => {
    const clock = new FakeClock();
    const fired: number[] = [];
    clock.setTimeout(() => clock.setTimeout(() => fired.push(clock.now()), 5), 5);
    clock.advance(10);
    expect(fired).toEqual([10]);
  });

  it('sleep resolves when its time comes, or at once on abort', async () => {
    const clock = new FakeClock();
    let woke = false;
    const sleeping = sleep(clock, 100).then(() => (woke = true));
    await clock.advanceAsync(99);
    expect(woke).toBe(false);
    await clock.advanceAsync(1);
    await sleeping;
    expect(woke).toBe(true);

    const abort = new AbortController();
    const aborted = sleep(realClock, 3_600_000, abort.signal);
    abort.abort();
    await aborted;
  });

  it('writes MicroTime with six fractional digits, as the apiserver parses it', () => {
    expect(microTime(new Date('2025-03-04T05:06:07.123Z'))).toBe('2025-03-04T05:06:07.123000Z');
  });
});
