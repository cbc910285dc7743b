// Time as the runtime sees it. Everything that waits or measures (work queue delays, rate limiters,
// lease expiry) goes through a Clock so tests can drive time by hand instead of sleeping.
import { performance } from 'node:perf_hooks';

export type TimerHandle = { readonly id: number } | ReturnType<typeof setTimeout>;

export interface Clock {
  /** Monotonic milliseconds: for durations and expiry, immune to wall-clock jumps. */
  now(): number;
  /** Wall-clock time: for timestamps written into API objects. */
  date(): Date;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const realClock: Clock = {
  now: () => performance.now(),
  date: () => new Date(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, Math.max(0, ms));
    timer.unref();
    return timer;
  },
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Resolves after `ms` on `clock`, or early (without throwing) once `signal` aborts. */
export function sleep(clock: Clock, ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const onAbort = () => {
      clock.clearTimeout(handle);
      resolve();
    };
    const handle = clock.setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Kubernetes MicroTime (RFC 3339 with exactly six fractional digits), as lease and event fields need. */
export function microTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

interface FakeTimer {
  id: number;
  at: number;
  fn: () => void;
}

/** A clock that only moves when a test advances it; timers fire in due order. */
export class FakeClock implements Clock {
  private current: number;
  private readonly epoch: number;
  private timers: FakeTimer[] = [];
  private nextId = 1;

  constructor(startMs = 0, epochMs = Date.UTC(2025, 0, 1)) {
    this.current = startMs;
    this.epoch = epochMs - startMs;
  }

  now(): number {
    return this.current;
  }

  date(): Date {
    return new Date(this.epoch + this.current);
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const timer = { id: this.nextId++, at: this.current + Math.max(0, ms), fn };
    this.timers.push(timer);
    return { id: timer.id };
  }

  clearTimeout(handle: TimerHandle): void {
    const id = (handle as { id: number }).id;
    this.timers = this.timers.filter((t) => t.id !== id);
  }

  /** Timers still waiting to fire. */
  pending(): number {
    return this.timers.length;
  }

  /** Moves time forward synchronously, firing each due timer at its own instant. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      const due = this.timers.filter((t) => t.at <= target).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.current = Math.max(this.current, due.at);
      due.fn();
    }
    this.current = target;
  }

  /**
   * Moves time forward in steps, letting promise chains and I/O callbacks settle after each step, so
   * async loops that sleep on this clock make progress as they would in real time.
   */
  async advanceAsync(ms: number, stepMs = 10): Promise<void> {
    await settle();
    for (let moved = 0; moved < ms; moved += stepMs) {
      this.advance(Math.min(stepMs, ms - moved));
      await settle();
    }
  }
}

/** Lets pending microtasks and immediates run (a few rounds, for chained awaits). */
export async function settle(rounds = 5): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
