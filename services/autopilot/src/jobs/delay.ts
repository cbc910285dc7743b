// Cancellable waiting, injectable so tests can observe (or shorten) the delays a job asks for.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Millis } from '../config/types.ts';

/** Resolves true once `ms` elapsed, false if `signal` aborted first. Never rejects. */
export type Delay = (ms: Millis, signal?: AbortSignal) => Promise<boolean>;

export const realDelay: Delay = async (ms, signal) => {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, { signal });
    return true;
  } catch {
    return false;
  }
};

/** Waits for `promise` at most `ms`; true when it settled in time. Rejections count as settled. */
export async function settlesWithin(
  promise: Promise<unknown>,
  ms: Millis,
  delay: Delay = realDelay,
): Promise<boolean> {
  const timer = new AbortController();
  const settled = promise.then(
    () => true,
    () => true,
  );
  const result = await Promise.race([settled, delay(ms, timer.signal).then(() => false)]);
  timer.abort();
  return result;
}
