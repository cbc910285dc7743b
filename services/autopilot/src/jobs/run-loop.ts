// The runs of one job's exec: one at a time; a request arriving during a run (a burst of `each`
// events, an interval tick) coalesces into one more run afterwards (ContainerPilot #216, #548);
// after an exit, a restart if the budget allows, with backoff between restarts (#396).
import type { JobConfig, RestartPolicy } from '../config/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import { RestartBackoff, type BackoffPolicy } from './backoff.ts';
import type { Delay } from './delay.ts';
import type { JobEnvironment } from './environment.ts';
import { describeExit, succeeded, type RunningProcess, type RunOptions, type RunResult } from './process.ts';

/** How many more times the job may run again on its own: restarts, or interval ticks. */
export class RestartBudget {
  private left: number;
  used = 0;

  constructor(policy: RestartPolicy) {
    this.left = policy.kind === 'unlimited' ? Infinity : policy.kind === 'count' ? policy.count : 0;
  }

  take(): boolean {
    if (this.left <= 0) return false;
    this.left -= 1;
    this.used += 1;
    return true;
  }

  /** Shutdown: nothing restarts any more. */
  revoke(): void {
    this.left = 0;
  }
}

export interface RunLoopOptions {
  config: JobConfig;
  bus: EventBus;
  logger: Logger;
  env: JobEnvironment;
  spawn: (options: RunOptions) => RunningProcess;
  delay: Delay;
  backoff?: BackoffPolicy;
  budget: RestartBudget;
  /** Restart after exits (not for interval jobs, whose ticker decides). */
  restartOnExit: boolean;
  /** True once the job is being stopped: no new runs, and exits are expected. */
  stopping: () => boolean;
  /** Called whenever the loop goes idle with nothing pending. */
  onIdle: () => void;
}

export class RunLoop {
  private readonly options: RunLoopOptions;
  private readonly log: Logger;
  private readonly backoff: RestartBackoff;
  private pending = false;
  private loop: Promise<void> | undefined;
  private restartWait: AbortController | undefined;
  private waiters: Array<() => void> = [];
  current: RunningProcess | undefined;
  lastExit: string | undefined;

  constructor(options: RunLoopOptions) {
    this.options = options;
    this.log = options.logger.child({ job: options.config.name });
    this.backoff = new RestartBackoff(options.backoff);
  }

  /** Run now, or once more after the run in progress. */
  request(): void {
    this.pending = true;
    this.loop ??= this.runWhilePending().finally(() => {
      this.loop = undefined;
      if (this.pending && !this.options.stopping()) this.request();
      else this.options.onIdle();
    });
  }

  get running(): boolean {
    return this.loop !== undefined;
  }

  /** Resolves when the loop has nothing left to do (immediately if idle). */
  idle(): Promise<void> {
    return this.loop ?? Promise.resolve();
  }

  /** Resolves when the run in progress (or the next one) has finished. */
  nextRunFinished(): Promise<void> {
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Wakes a loop sleeping before a restart, so a stopping job does not wait for its backoff. */
  cancelRestart(): void {
    this.restartWait?.abort();
  }

  releaseWaiters(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const release of waiters) release();
  }

  private async runWhilePending(): Promise<void> {
    const { budget, stopping } = this.options;
    while (this.pending && !stopping()) {
      this.pending = false;
      const startedAt = Date.now();
      await this.runOnce();
      // A request that arrived during the run (a coalesced burst) runs next, instead of a restart.
      if (stopping() || this.pending || !this.options.restartOnExit || !budget.take()) continue;
      const wait = this.backoff.next(Date.now() - startedAt);
      this.log.info({ delayMs: wait, restarts: budget.used }, 'restarting');
      this.restartWait = new AbortController();
      const waited = await this.options.delay(wait, this.restartWait.signal);
      this.restartWait = undefined;
      if (waited && !stopping()) this.pending = true;
    }
  }

  private async runOnce(): Promise<void> {
    const { config, env, bus } = this.options;
    let result: RunResult;
    try {
      const running = this.options.spawn({
        name: config.name,
        argv: config.exec!,
        env: env.forChild(),
        logger: this.options.logger,
        raw: config.logging.raw,
        timeout: config.timeout,
      });
      this.current = running;
      env.setJobPid(config.name, running.pid);
      this.log.debug({ pid: running.pid }, 'started');
      result = await running.done;
    } catch (error) {
      result = { code: null, signal: null, timedOut: false, spawnError: error as Error, output: '' };
    }
    this.current = undefined;
    env.setJobPid(config.name, undefined);
    this.lastExit = describeExit(result);
    this.logExit(result);
    bus.publish({ code: succeeded(result) ? 'exitSuccess' : 'exitFailed', source: config.name });
    this.releaseWaiters();
  }

  private logExit(result: RunResult): void {
    const fields = { exitCode: result.code, signal: result.signal, timedOut: result.timedOut };
    if (succeeded(result)) this.log.info(fields, 'exited successfully');
    else if (this.options.stopping() && !result.spawnError)
      this.log.info(fields, `stopped: ${this.lastExit}`);
    else this.log.error({ ...fields, err: result.spawnError }, `failed: ${this.lastExit}`);
  }
}
