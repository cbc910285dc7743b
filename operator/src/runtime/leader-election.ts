// Leader election on a Lease with client-go's algorithm and controller-runtime's defaults (lease 15 s,
// renew deadline 10 s, retry 2 s). Expiry is judged by *our* clock: a lease counts as expired when
// its record has not changed, as we observed it, for leaseDuration — so clock skew between replicas
// does not matter. On stop the leader releases the lease (holder emptied, duration 1 s, like
// ReleaseOnCancel) so a successor takes over at once instead of waiting out the lease.
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import { microTime, realClock, sleep, type Clock } from './clock.ts';
import type { Lease, LeaseLock, LeaseSpec } from './lease-lock.ts';

export interface LeaderElectorOptions {
  lock: LeaseLock;
  logger: Logger;
  /** Unique per process; default "<hostname>_<uuid>" like controller-runtime. */
  identity?: string;
  leaseDurationMs?: number;
  renewDeadlineMs?: number;
  retryPeriodMs?: number;
  /** Empty the lease when stopped while leading (default true). */
  releaseOnCancel?: boolean;
  clock?: Clock;
  random?: () => number;
}

export interface LeaderCallbacks {
  /** Runs once leadership is acquired; `signal` aborts when it is lost or the elector stops. */
  onStartedLeading(signal: AbortSignal): void | Promise<void>;
  onStoppedLeading?(): void;
  /** Called whenever the observed holder changes (including to us). */
  onNewLeader?(identity: string): void;
}

export class LeaderElector {
  readonly identity: string;
  private readonly lock: LeaseLock;
  private readonly logger: Logger;
  private readonly leaseDurationMs: number;
  private readonly renewDeadlineMs: number;
  private readonly retryPeriodMs: number;
  private readonly releaseOnCancel: boolean;
  private readonly clock: Clock;
  private readonly random: () => number;
  private readonly stopping = new AbortController();
  private observed: Lease | undefined;
  private observedSpec = '';
  private observedAt = 0;
  private leading = false;
  private running: Promise<void> | undefined;

  constructor(options: LeaderElectorOptions) {
    this.lock = options.lock;
    this.identity = options.identity ?? `${hostname()}_${randomUUID()}`;
    this.logger = options.logger.child({
      lease: `${options.lock.namespace}/${options.lock.name}`,
      identity: this.identity,
    });
    this.leaseDurationMs = options.leaseDurationMs ?? 15_000;
    this.renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
    this.retryPeriodMs = options.retryPeriodMs ?? 2_000;
    if (this.leaseDurationMs <= this.renewDeadlineMs)
      throw new Error('leaseDuration must exceed renewDeadline');
    this.releaseOnCancel = options.releaseOnCancel ?? true;
    this.clock = options.clock ?? realClock;
    this.random = options.random ?? Math.random;
  }

  isLeader(): boolean {
    return this.leading;
  }

  /** The holder as last observed ('' when none). */
  get leader(): string {
    return this.observed?.spec.holderIdentity ?? '';
  }

  /** Contends for the lease, leads while renewals succeed; resolves once leadership ends or stop() is called. */
  run(callbacks: LeaderCallbacks): Promise<void> {
    this.running ??= this.campaign(callbacks);
    return this.running;
  }

  /** Stops contending or leading, releasing the lease if held; resolves when run() has ended. */
  async stop(): Promise<void> {
    this.stopping.abort();
    await this.running;
  }

  private async campaign(callbacks: LeaderCallbacks): Promise<void> {
    const stop = this.stopping.signal;
    this.logger.info('attempting to acquire leader lease');
    while (!stop.aborted && !(await this.tryAcquireOrRenew(callbacks))) {
      // client-go's JitterUntil(retryPeriod, 1.2): replicas spread their attempts.
      await sleep(this.clock, this.retryPeriodMs * (1 + 1.2 * this.random()), stop);
    }
    if (stop.aborted) return;

    this.leading = true;
    const leadership = new AbortController();
    this.logger.info('acquired leader lease');
    Promise.resolve()
      .then(() => callbacks.onStartedLeading(leadership.signal))
      .catch((error: unknown) => this.logger.error({ err: error }, 'onStartedLeading failed'));

    while (!stop.aborted && (await this.renewWithinDeadline(callbacks))) {
      await sleep(this.clock, this.retryPeriodMs, stop);
    }
    this.leading = false;
    leadership.abort();
    if (stop.aborted) {
      if (this.releaseOnCancel) await this.release();
    } else this.logger.error('failed to renew leader lease within the renew deadline; leadership lost');
    callbacks.onStoppedLeading?.();
  }

  /** Retries renewal every retryPeriod until it succeeds or renewDeadline has passed. */
  private async renewWithinDeadline(callbacks: LeaderCallbacks): Promise<boolean> {
    const deadline = this.clock.now() + this.renewDeadlineMs;
    for (;;) {
      if (await this.tryAcquireOrRenew(callbacks)) return true;
      if (this.stopping.signal.aborted || this.clock.now() + this.retryPeriodMs > deadline) return false;
      await sleep(this.clock, this.retryPeriodMs, this.stopping.signal);
    }
  }

  private async tryAcquireOrRenew(callbacks: LeaderCallbacks): Promise<boolean> {
    const now = microTime(this.clock.date());
    const mine: LeaseSpec = {
      holderIdentity: this.identity,
      leaseDurationSeconds: Math.round(this.leaseDurationMs / 1000),
      acquireTime: now,
      renewTime: now,
      leaseTransitions: 0,
    };
    try {
      const current = await this.lock.get();
      if (!current) return this.observe(await this.lock.create(mine), callbacks);
      this.observe(current, callbacks);
      const spec = current.spec;
      const holder = spec.holderIdentity ?? '';
      const expiresAt = this.observedAt + (spec.leaseDurationSeconds ?? 0) * 1000;
      if (holder !== '' && holder !== this.identity && expiresAt > this.clock.now()) return false;
      const next: LeaseSpec =
        holder === this.identity
          ? { ...mine, acquireTime: spec.acquireTime ?? now, leaseTransitions: spec.leaseTransitions ?? 0 }
          : { ...mine, leaseTransitions: (spec.leaseTransitions ?? 0) + 1 };
      return this.observe(await this.lock.update(current, next), callbacks);
    } catch (error) {
      this.logger.debug({ err: error }, 'lease acquire/renew attempt failed');
      return false;
    }
  }

  /** Remembers the lease and, when its record changed, the moment we saw it change. */
  private observe(lease: Lease, callbacks: LeaderCallbacks): true {
    const spec = JSON.stringify(lease.spec);
    const previousHolder = this.leader;
    this.observed = lease;
    if (spec !== this.observedSpec) {
      this.observedSpec = spec;
      this.observedAt = this.clock.now();
    }
    const holder = lease.spec.holderIdentity ?? '';
    if (holder !== previousHolder && holder !== '') callbacks.onNewLeader?.(holder);
    return true;
  }

  private async release(): Promise<void> {
    if (this.observed?.spec.holderIdentity !== this.identity) return;
    const now = microTime(this.clock.date());
    try {
      await this.lock.update(this.observed, {
        holderIdentity: '',
        leaseDurationSeconds: 1,
        acquireTime: now,
        renewTime: now,
        leaseTransitions: this.observed.spec.leaseTransitions ?? 0,
      });
      this.logger.info('released leader lease');
    } catch (error) {
      this.logger.warn({ err: error }, 'failed to release leader lease; successors wait for it to expire');
    }
  }
}
