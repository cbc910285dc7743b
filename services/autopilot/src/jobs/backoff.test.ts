import { describe, expect, it } from 'vitest';
import { RestartBackoff } from './backoff.ts';

describe('restart backoff', () => {
  it('doubles from 100 ms up to a 30 s cap by default', () => {
    const backoff = new RestartBackoff();
    const delays = Array.from({ length: 11 }, () => backoff.next(5));
    expect(delays).toEqual([100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  });

  it('starts over after a run that lasted long enough to count as healthy', () => {
    const backoff = new RestartBackoff({ initial: 10, factor: 2, max: 1000, resetAfter: 500 });
    expect([backoff.next(1), backoff.next(1), backoff.next(1)]).toEqual([10, 20, 40]);
    expect(backoff.next(600)).toBe(10);
    expect(backoff.next(1)).toBe(20);
  });
});
