// Polls until a probe passes: it returns without throwing and its result is not `false`. Bounded, so
// a broken feature fails the test with the last reason instead of hanging; never a timed assertion.
import { setTimeout as sleep } from 'node:timers/promises';

export async function eventually<T>(
  probe: () => T | Promise<T>,
  what: string,
  timeoutMs = 30_000,
  intervalMs = 100,
): Promise<Exclude<T, false>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let reason = 'it returned false';
    try {
      const result = await probe();
      if (result !== false) return result as Exclude<T, false>;
    } catch (error) {
      reason = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${reason}`);
    await sleep(intervalMs);
  }
}
