// A work queue with client-go's semantics: a key waiting in the queue is held once however often it
// is added (bursts coalesce); a key being processed is never handed to a second worker — adding it
// meanwhile marks it dirty and it is queued again once the first worker calls done(). Delayed and
// rate-limited adds sit in a timer until due. Time comes from an injectable Clock.
import { realClock, type Clock, type TimerHandle } from './clock.ts';
import { defaultControllerRateLimiter, type RateLimiter } from './rate-limiter.ts';

/** Where a queue reports what it does; metrics.ts provides the Prometheus implementation. */
export interface WorkQueueMetrics {
  added(): void;
  depth(length: number): void;
  /** Seconds a key waited in the queue before a worker took it. */
  queued(seconds: number): void;
  /** Seconds a worker held a key. */
  worked(seconds: number): void;
  retried(): void;
  /** Lets the metrics read in-flight work when they are scraped. */
  observe(unfinished: () => UnfinishedWork): void;
}

export interface UnfinishedWork {
  /** Sum over in-flight keys of how long each has been processed. */
  totalSeconds: number;
  longestSeconds: number;
}

export interface WorkQueueOptions {
  name?: string;
  clock?: Clock;
  rateLimiter?: RateLimiter;
  metrics?: WorkQueueMetrics;
}

export class WorkQueue {
  readonly name: string;
  private readonly clock: Clock;
  private readonly rateLimiter: RateLimiter;
  private readonly metrics: WorkQueueMetrics | undefined;
  private queue: string[] = [];
  private readonly dirty = new Set<string>();
  /** Key → when a worker took it. */
  private readonly processing = new Map<string, number>();
  /** Key → when it was queued, for the queue-latency metric. */
  private readonly addedAt = new Map<string, number>();
  /** Key → due time and timer of its earliest pending delayed add. */
  private readonly waiting = new Map<string, { due: number; timer: TimerHandle }>();
  private waiters: ((key: string | undefined) => void)[] = [];
  private idleWaiters: (() => void)[] = [];
  private shuttingDown = false;

  constructor(options: WorkQueueOptions = {}) {
    this.name = options.name ?? 'workqueue';
    this.clock = options.clock ?? realClock;
    this.rateLimiter = options.rateLimiter ?? defaultControllerRateLimiter(this.clock);
    this.metrics = options.metrics;
    this.metrics?.observe(() => this.unfinishedWork());
  }

  add(key: string): void {
    if (this.shuttingDown || this.dirty.has(key)) return;
    this.metrics?.added();
    this.dirty.add(key);
    if (this.processing.has(key)) return;
    this.enqueue(key);
  }

  /** Adds `key` once `ms` has passed; of several pending delays for one key the earliest wins. */
  addAfter(key: string, ms: number): void {
    if (this.shuttingDown) return;
    if (ms <= 0) return this.add(key);
    const due = this.clock.now() + ms;
    const pending = this.waiting.get(key);
    if (pending && pending.due <= due) return;
    if (pending) this.clock.clearTimeout(pending.timer);
    const timer = this.clock.setTimeout(() => {
      this.waiting.delete(key);
      this.add(key);
    }, ms);
    this.waiting.set(key, { due, timer });
  }

  /** Adds `key` after the rate limiter's delay: its own backoff, or the overall limit. */
  addRateLimited(key: string): void {
    if (this.shuttingDown) return;
    this.metrics?.retried();
    this.addAfter(key, this.rateLimiter.when(key));
  }

  /** Ends the backoff of `key` (call after it was processed successfully). */
  forget(key: string): void {
    this.rateLimiter.forget(key);
  }

  numRequeues(key: string): number {
    return this.rateLimiter.numRequeues(key);
  }

  /** The next key to process, waiting for one; undefined once the queue is shut down. */
  get(): Promise<string | undefined> {
    if (this.shuttingDown) return Promise.resolve(undefined);
    const key = this.queue.shift();
    if (key !== undefined) return Promise.resolve(this.take(key));
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Marks `key` as processed; if it was added meanwhile, it goes back into the queue. */
  done(key: string): void {
    const startedAt = this.processing.get(key);
    if (startedAt === undefined) return;
    this.processing.delete(key);
    this.metrics?.worked((this.clock.now() - startedAt) / 1000);
    if (this.dirty.has(key) && !this.shuttingDown) this.enqueue(key);
    if (this.processing.size === 0) this.notifyIdle();
  }

  /** Keys waiting to be handed out (not counting delayed or in-flight ones). */
  len(): number {
    return this.queue.length;
  }

  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops handing out keys: waiting get() calls resolve undefined; queued and delayed keys are dropped. */
  shutDown(): void {
    if (this.shuttingDown) return;
    this.shuttingDown = true;
    for (const { timer } of this.waiting.values()) this.clock.clearTimeout(timer);
    this.waiting.clear();
    this.queue = [];
    this.dirty.clear();
    this.addedAt.clear();
    this.metrics?.depth(0);
    for (const resolve of this.waiters.splice(0)) resolve(undefined);
    if (this.processing.size === 0) this.notifyIdle();
  }

  /**
   * Shuts down and waits until every key in flight is done, or the deadline passes. Level-triggered
   * reconcilers lose nothing by dropping queued keys: the next start lists everything again.
   * Resolves true when all in-flight work finished.
   */
  async shutDownWithDrain(deadlineMs: number): Promise<boolean> {
    this.shutDown();
    if (this.processing.size === 0) return true;
    return new Promise((resolve) => {
      const timer = this.clock.setTimeout(() => resolve(this.processing.size === 0), deadlineMs);
      this.idleWaiters.push(() => {
        this.clock.clearTimeout(timer);
        resolve(true);
      });
    });
  }

  unfinishedWork(): UnfinishedWork {
    const now = this.clock.now();
    let totalSeconds = 0;
    let longestSeconds = 0;
    for (const startedAt of this.processing.values()) {
      const seconds = (now - startedAt) / 1000;
      totalSeconds += seconds;
      longestSeconds = Math.max(longestSeconds, seconds);
    }
    return { totalSeconds, longestSeconds };
  }

  private enqueue(key: string): void {
    this.addedAt.set(key, this.clock.now());
    const waiter = this.waiters.shift();
    if (waiter) return waiter(this.take(key));
    this.queue.push(key);
    this.metrics?.depth(this.queue.length);
  }

  private take(key: string): string {
    const now = this.clock.now();
    this.metrics?.depth(this.queue.length);
    this.metrics?.queued((now - (this.addedAt.get(key) ?? now)) / 1000);
    this.addedAt.delete(key);
    this.dirty.delete(key);
    this.processing.set(key, now);
    return key;
  }

  private notifyIdle(): void {
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
