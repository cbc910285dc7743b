import { describe, expect, it } from 'vitest';
import { nextIndex, retryDelay, MAX_RETRY_DELAY } from './blocking-loop.ts';

describe('blocking query bookkeeping', () => {
  it('keeps a growing index and resets it when it goes backwards or is 0', () => {
    expect(nextIndex(0n, 7n)).toBe(7n);
    expect(nextIndex(7n, 7n)).toBe(7n);
    expect(nextIndex(7n, 9n)).toBe(9n);
    expect(nextIndex(9n, 3n)).toBe(0n);
    expect(nextIndex(9n, 0n)).toBe(0n);
  });

  it('backs off from the interval, doubling up to a cap, with jitter around it', () => {
    const middle = () => 0.5;
    expect(retryDelay(1000, 1, middle)).toBe(1000);
    expect(retryDelay(1000, 2, middle)).toBe(2000);
    expect(retryDelay(1000, 3, middle)).toBe(4000);
    expect(retryDelay(1000, 20, middle)).toBe(MAX_RETRY_DELAY);
    expect(retryDelay(1000, 1, () => 0)).toBe(750);
    expect(retryDelay(1000, 1, () => 1)).toBe(1250);
  });
});
