// A controller: N workers taking keys from a work queue and calling a level-triggered reconcile(key).
// As in controller-runtime, an error (or `requeue`) retries the key with per-key exponential backoff,
// success forgets its backoff, and `requeueAfterMs` schedules the next look. The queue guarantees a
// key is never reconciled by two workers at once.
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { realClock, type Clock } from './clock.ts';
import { runtimeMetrics, type ControllerMetrics, type ReconcileResult } from './metrics.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { watchEvents, type EventSource, type KeyMapper, type UpdatePredicate } from './watches.ts';
import { WorkQueue } from './workqueue.ts';

export interface ReconcileOutcome {
  /** Reconcile again after the rate limiter's backoff (without counting as an error). */
  requeue?: boolean;
  /** Reconcile again after this long (e.g. to poll progress), resetting the backoff. */
  requeueAfterMs?: number;
}

/** `signal` aborts when the controller stops and the drain deadline has passed. */
export type Reconciler = (key: string, signal: AbortSignal) => Promise<ReconcileOutcome | void>;

export interface ControllerOptions {
  name: string;
  reconcile: Reconciler;
  logger: Logger;
  /** Concurrent reconciles (controller-runtime's MaxConcurrentReconciles); default 1. */
  workers?: number;
  registry?: Registry;
  clock?: Clock;
  rateLimiter?: RateLimiter;
}

const noMetrics: ControllerMetrics = {
  reconciled: () => {},
  activeWorkers: () => {},
  maxConcurrentReconciles: () => {},
};

export class Controller {
  readonly name: string;
  readonly queue: WorkQueue;
  private readonly reconcile: Reconciler;
  private readonly logger: Logger;
  private readonly workers: number;
  private readonly clock: Clock;
  private readonly metrics: ControllerMetrics;
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(options: ControllerOptions) {
    this.name = options.name;
    this.reconcile = options.reconcile;
    this.logger = options.logger.child({ controller: options.name });
    this.workers = Math.max(1, options.workers ?? 1);
    this.clock = options.clock ?? realClock;
    const metrics = options.registry && runtimeMetrics(options.registry);
    this.metrics = metrics?.controller(options.name) ?? noMetrics;
    this.queue = new WorkQueue({
      name: options.name,
      clock: this.clock,
      rateLimiter: options.rateLimiter,
      metrics: metrics?.queue(options.name),
    });
  }

  /** Reconciles the keys that `source`'s events map to; `predicate` filters updates. */
  watch<T>(source: EventSource<T>, toKeys: KeyMapper<T>, predicate?: UpdatePredicate<T>): this {
    watchEvents(source, toKeys, (key) => this.queue.add(key), predicate);
    return this;
  }

  enqueue(key: string): void {
    this.queue.add(key);
  }

  /** Starts the workers (call once the watched informers have synced). */
  start(): this {
    if (this.running) return this;
    this.metrics.maxConcurrentReconciles(this.workers);
    this.running = Promise.all(Array.from({ length: this.workers }, () => this.work())).then(() => {});
    this.logger.info({ workers: this.workers }, 'controller started');
    return this;
  }

  /**
   * Stops taking keys and waits up to `drainMs` for reconciles in flight; past that their signal
   * aborts. Resolves true when every reconcile finished within the deadline.
   */
  async stop(drainMs = 30_000): Promise<boolean> {
    const drained = await this.queue.shutDownWithDrain(drainMs);
    if (!drained) {
      this.logger.warn({ drainMs }, 'reconciles still running at the drain deadline; aborting them');
      this.abort.abort();
    } else await this.running;
    this.logger.info({ drained }, 'controller stopped');
    return drained;
  }

  private async work(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      await this.process(key);
    }
  }

  private async process(key: string): Promise<void> {
    const startedAt = this.clock.now();
    let result: ReconcileResult = 'success';
    this.metrics.activeWorkers(1);
    try {
      const outcome = await this.reconcile(key, this.abort.signal);
      if (outcome?.requeueAfterMs !== undefined && outcome.requeueAfterMs > 0) {
        result = 'requeue_after';
        this.queue.forget(key);
        this.queue.addAfter(key, outcome.requeueAfterMs);
      } else if (outcome?.requeue) {
        result = 'requeue';
        this.queue.addRateLimited(key);
      } else {
        this.queue.forget(key);
      }
    } catch (error) {
      result = 'error';
      this.queue.addRateLimited(key);
      this.logger.error({ err: error, key, retries: this.queue.numRequeues(key) }, 'reconcile failed');
    } finally {
      const seconds = (this.clock.now() - startedAt) / 1000;
      this.metrics.activeWorkers(-1);
      this.metrics.reconciled(result, seconds);
      this.queue.done(key);
      this.logger.debug({ key, result, seconds }, 'reconciled');
    }
  }
}
