import { describe, expect, it } from 'vitest';
import { Backoff, randomBetween } from './backoff.ts';

describe('Backoff', () => {
  it('doubles from the initial delay up to the cap, and starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 1000, jitter: 0 });
    expect(Array.from({ length: 6 }, () => backoff.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect(backoff.failures).toBe(6);
    backoff.reset();
    expect(backoff.next()).toBe(100);
  });

  it('stretches each delay by a random share of the jitter', () => {
    const backoff = new Backoff({ initialMs: 100, jitter: 1, random: () => 0.5 });
    expect(backoff.next()).toBe(150);
    expect(backoff.next()).toBe(300);
  });

  it('randomBetween spans both bounds', () => {
    expect(randomBetween(300, 600, () => 0)).toBe(300);
    expect(randomBetween(300, 600, () => 0.9999999)).toBe(600);
  });
});
