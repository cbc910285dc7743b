// Periodic health checking of one job: `healthy`/`unhealthy` on the bus after every check, and the
// matching TTL pass/fail to its Consul registration. Paused during maintenance.
import { warnRetriedFailure } from '../logging/errors.ts';
import type { Millis } from '../config/types.ts';
import type { ServiceRegistration } from '../discovery/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import { realDelay, type Delay } from './delay.ts';
import type { SerialQueue } from './serial.ts';

export interface HealthResult {
  ok: boolean;
  /** Check output or error, sent to Consul as the check's note. */
  note: string;
}
export type HealthCheck = () => Promise<HealthResult>;

export interface HealthMonitorOptions {
  job: string;
  interval: Millis;
  check: HealthCheck;
  bus: EventBus;
  logger: Logger;
  registration?: ServiceRegistration;
  /** The job's queue of Consul calls, so heartbeats never overtake maintenance or deregistration. */
  consulCalls: SerialQueue;
  delay?: Delay;
}

export class HealthMonitor {
  private readonly options: HealthMonitorOptions;
  private readonly delay: Delay;
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private paused = false;
  /** Outcome of the latest check that was reported, if any. */
  lastOk: boolean | undefined;

  constructor(options: HealthMonitorOptions) {
    this.options = options;
    this.delay = options.delay ?? realDelay;
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  start(): void {
    if (this.loop) return;
    const abort = new AbortController();
    this.abort = abort;
    this.loop = this.checkEveryInterval(abort.signal);
  }

  /** Maintenance: no checks, no heartbeats, until resumed. */
  pause(): void {
    this.paused = true;
    this.lastOk = undefined;
  }

  resume(): void {
    this.paused = false;
  }

  /** Stops checking; resolves once a check in flight (and its Consul call) has finished. */
  async stop(): Promise<void> {
    this.abort?.abort();
    await this.loop;
  }

  private async checkEveryInterval(signal: AbortSignal): Promise<void> {
    // Like ContainerPilot, the first check comes one interval after the job started.
    while (await this.delay(this.options.interval, signal)) {
      if (this.paused) continue;
      const result = await this.runCheck();
      if (signal.aborted || this.paused) continue;
      await this.report(result);
    }
  }

  private async runCheck(): Promise<HealthResult> {
    try {
      return await this.options.check();
    } catch (error) {
      return { ok: false, note: error instanceof Error ? error.message : String(error) };
    }
  }

  private async report({ ok, note }: HealthResult): Promise<void> {
    const { job, bus, logger, registration, consulCalls } = this.options;
    if (!ok) logger.warn({ job, note }, 'health check failed');
    else if (this.lastOk === false) logger.info({ job }, 'health check passing again');
    this.lastOk = ok;
    bus.publish({ code: ok ? 'healthy' : 'unhealthy', source: job });
    if (!registration) return;
    try {
      await consulCalls.run(() => (ok ? registration.pass(note) : registration.fail(note)));
    } catch (error) {
      warnRetriedFailure(
        logger,
        { job },
        error,
        ok ? 'could not send heartbeat to Consul' : 'could not mark check critical',
      );
    }
  }
}
