import { describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
  TokenBucket,
  defaultControllerRateLimiter,
} from './rate-limiter.ts';

describe('rate limiters', () => {
  it('backs off each key on its own: one failing key does not slow another', () => {
    const limiter = new ItemExponentialFailureRateLimiter(5, 1_000_000);
    expect([limiter.when('a'), limiter.when('a'), limiter.when('a')]).toEqual([5, 10, 20]);
    expect(limiter.when('b')).toBe(5);
    limiter.forget('a');
    expect(limiter.when('a')).toBe(5);
  });

  it('a token bucket spends its burst at once, then spaces reservations by 1/qps', () => {
    const clock = new FakeClock();
    const bucket = new TokenBucket(10, 3, clock);
    expect([bucket.reserve(), bucket.reserve(), bucket.reserve()]).toEqual([0, 0, 0]);
    expect(bucket.reserve()).toBeCloseTo(100);
    expect(bucket.reserve()).toBeCloseTo(200);
    expect(bucket.tryTake()).toBe(false);
    clock.advance(10_000);
    expect(bucket.tryTake()).toBe(true);
  });

  it('the controller default takes the larger of the per-key backoff and the overall limit', () => {
    const clock = new FakeClock();
    const limiter = new MaxOfRateLimiter(
      new ItemExponentialFailureRateLimiter(5, 1000),
      new BucketRateLimiter(1, 2, clock),
    );
    expect(limiter.when('a')).toBe(5);
    expect(limiter.when('b')).toBe(5);
    expect(limiter.when('c')).toBeCloseTo(1000);
    expect(limiter.numRequeues('a')).toBe(1);

    const defaults = defaultControllerRateLimiter(clock);
    const delays = Array.from({ length: 25 }, () => defaults.when('x'));
    expect(delays[0]).toBe(5);
    expect(delays.at(-1)).toBe(Math.min(1_000_000, 5 * 2 ** 24));
  });
});
