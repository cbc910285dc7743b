// One ContainerPilot job: waits for its `when`, runs its exec (runs serialised, bursts coalesced,
// restarts with backoff), health-checks and registers its service, and stops in the order the
// supervisor asks for. Its bus handler never waits on a process, so it never holds up its queue.
import type { JobConfig, Millis } from '../config/types.ts';
import type { ServiceRegistration } from '../discovery/types.ts';
import type { EventBus, Subscription } from '../events/bus.ts';
import { GLOBAL_SOURCE, type Event, type EventCode } from '../events/events.ts';
import type { Logger } from '../logging/logger.ts';
import type { JobState, JobStatus } from '../supervisor/types.ts';
import { RestartBackoff, type BackoffPolicy } from './backoff.ts';
import { realDelay, settlesWithin, type Delay } from './delay.ts';
import type { JobEnvironment } from './environment.ts';
import { HealthMonitor, type HealthCheck } from './health-monitor.ts';
import { describeExit, startProcess, succeeded, type RunningProcess, type RunOptions, type RunResult } from './process.ts';
import { SerialQueue } from './serial.ts';
import { isStopHook, isTrigger } from './when.ts';

export interface JobDeps {
  bus: EventBus;
  logger: Logger;
  env: JobEnvironment;
  registration?: ServiceRegistration;
  healthCheck?: HealthCheck;
  /** Starts a process; tests pass fakes. */
  spawn?: (options: RunOptions) => RunningProcess;
  delay?: Delay;
  backoff?: BackoffPolicy;
}

export interface StopOptions {
  /** How long the process gets after its stop signal before the group is SIGKILLed. */
  killAfter: Millis;
}

type Phase = 'active' | 'stopping' | 'done';

export class Job {
  readonly name: string;
  readonly config: JobConfig;
  /** Jobs that react to this job's `stopping` (preStop hooks): waited for before it stops. */
  preStopHooks: Job[] = [];
  readonly completed: Promise<void>;

  private readonly deps: JobDeps;
  private readonly log: Logger;
  private readonly spawn: (options: RunOptions) => RunningProcess;
  private readonly delay: Delay;
  private readonly backoff: RestartBackoff;
  private readonly consulCalls = new SerialQueue();
  private readonly health: HealthMonitor | undefined;
  private subscription: Subscription | undefined;
  private resolveCompleted!: () => void;

  private phase: Phase = 'active';
  private finalState: JobState = 'stopped';
  private triggersLeft: number;
  private restartsLeft: number;
  private restartsDone = 0;
  private started = false;
  private inShutdown = false;
  private stopRequested = false;
  private pending = false;
  private maintenance = false;
  private loop: Promise<void> | undefined;
  private current: RunningProcess | undefined;
  private lastExit: string | undefined;
  private halting: Promise<void> | undefined;
  private whenTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;
  private restartWait: AbortController | undefined;
  private runWaiters: Array<() => void> = [];

  constructor(config: JobConfig, deps: JobDeps) {
    this.name = config.name;
    this.config = config;
    this.deps = deps;
    this.log = deps.logger.child({ job: config.name });
    this.spawn = deps.spawn ?? startProcess;
    this.delay = deps.delay ?? realDelay;
    this.backoff = new RestartBackoff(deps.backoff);
    this.triggersLeft = config.when.kind === 'each' ? Infinity : 1;
    const { restarts } = config;
    this.restartsLeft = restarts.kind === 'unlimited' ? Infinity : restarts.kind === 'count' ? restarts.count : 0;
    this.completed = new Promise((resolve) => (this.resolveCompleted = resolve));
    if (config.health && deps.healthCheck) {
      this.health = new HealthMonitor({
        job: config.name,
        interval: config.health.interval,
        check: deps.healthCheck,
        bus: deps.bus,
        logger: deps.logger,
        registration: deps.registration,
        consulCalls: this.consulCalls,
        delay: this.delay,
      });
    }
  }

  get isStopHook(): boolean {
    return isStopHook(this.config);
  }

  get isComplete(): boolean {
    return this.phase === 'done';
  }

  /** Triggered at least once (a hook that has started must be given its chance to finish). */
  get hasStarted(): boolean {
    return this.started;
  }

  /** Subscribes to the bus. Call for every job before the global `startup` is published. */
  start(): void {
    if (this.subscription) return;
    this.subscription = this.deps.bus.subscribe(`job:${this.name}`, (event) => this.onEvent(event));
    const { when } = this.config;
    if (when.kind !== 'interval' && when.timeout !== undefined && when.timeout > 0) {
      this.whenTimer = setTimeout(() => this.onWhenTimeout(), when.timeout);
    }
    if (this.config.service?.initialStatus && this.deps.registration) {
      const registration = this.deps.registration;
      void this.callConsul('could not register with initial status', () => registration.registerInitial());
    }
  }

  status(): JobStatus {
    const status: JobStatus = { name: this.name, state: this.state(), restarts: this.restartsDone };
    if (this.current?.pid !== undefined) status.pid = this.current.pid;
    if (this.lastExit !== undefined) status.lastExit = this.lastExit;
    if (this.config.service) {
      status.serviceId = this.config.service.id;
      status.port = this.config.service.port;
      const address = this.deps.registration?.address;
      if (address !== undefined) status.address = address;
    }
    return status;
  }

  /** Resolves when the run in progress (or the next one) has finished, or the job is done. */
  nextRunFinished(): Promise<void> {
    if (this.phase === 'done') return Promise.resolve();
    return new Promise((resolve) => this.runWaiters.push(resolve));
  }

  /**
   * The shutdown order for this job: `stopping` → preStop hooks (≤ stopTimeout) → deregister →
   * drainDelay → stopSignal to the group → SIGKILL after `killAfter` → `stopped`.
   */
  stop(options: StopOptions): Promise<void> {
    this.stopRequested = true;
    this.inShutdown = true;
    this.cancelTimers();
    this.halting ??= this.stopSequence(options);
    return this.halting;
  }

  /** Last resort: SIGKILL whatever this job still has running. */
  kill(): void {
    this.current?.signal('SIGKILL');
  }

  /** Resolves once queued Consul calls (maintenance, heartbeats) have reached the agent. */
  consulSettled(): Promise<void> {
    return this.consulCalls.idle();
  }

  private state(): JobState {
    if (this.phase === 'done') return this.finalState;
    if (this.phase === 'stopping') return 'stopping';
    if (this.maintenance) return 'maintenance';
    if (this.health?.lastOk !== undefined) return this.health.lastOk ? 'healthy' : 'unhealthy';
    return this.current ? 'running' : 'idle';
  }

  private onEvent(event: Event): void {
    if (this.phase !== 'active') return;
    if (event.source === GLOBAL_SOURCE) {
      if (event.code === 'shutdown') this.onShutdown();
      else if (event.code === 'enterMaintenance') this.setMaintenance(true);
      else if (event.code === 'exitMaintenance') this.setMaintenance(false);
    }
    if (!isTrigger(this.config.when, event)) return;
    if (this.triggersLeft <= 0 || (this.inShutdown && !this.isStopHook)) return;
    if (this.config.when.kind === 'interval') this.startTicking();
    this.trigger();
  }

  private trigger(): void {
    this.triggersLeft -= 1;
    clearTimeout(this.whenTimer);
    if (!this.started) {
      this.started = true;
      this.health?.start();
    }
    if (!this.config.exec) {
      // Registration-only: the process runs elsewhere; only its health and registration are ours.
      if (!this.config.service) void this.halt('completed');
      return;
    }
    this.pending = true;
    this.ensureLoop();
  }

  private ensureLoop(): void {
    this.loop ??= this.runWhilePending().finally(() => {
      this.loop = undefined;
      this.afterRuns();
    });
  }

  private async runWhilePending(): Promise<void> {
    while (this.pending && !this.stopRequested) {
      this.pending = false;
      const startedAt = Date.now();
      await this.runOnce();
      // A trigger that arrived during the run (a coalesced burst) runs next, instead of a restart.
      if (this.stopRequested || this.pending || this.config.when.kind === 'interval') continue;
      if (this.restartsLeft <= 0) continue;
      this.restartsLeft -= 1;
      this.restartsDone += 1;
      const wait = this.backoff.next(Date.now() - startedAt);
      this.log.info({ delayMs: wait, restarts: this.restartsDone }, 'restarting');
      this.restartWait = new AbortController();
      const waited = await this.delay(wait, this.restartWait.signal);
      this.restartWait = undefined;
      if (waited && !this.stopRequested) this.pending = true;
    }
  }

  private afterRuns(): void {
    if (this.phase !== 'active' || this.stopRequested) return;
    if (this.pending) return this.ensureLoop();
    if (this.ticker !== undefined) return; // interval jobs: the ticker decides
    if (this.triggersLeft <= 0) void this.halt(this.config.restarts.kind === 'never' ? 'completed' : 'stopped');
  }

  private async runOnce(): Promise<void> {
    const argv = this.config.exec!;
    let result: RunResult;
    try {
      const running = this.spawn({
        name: this.name,
        argv,
        env: this.deps.env.forChild(),
        logger: this.deps.logger,
        raw: this.config.logging.raw,
        timeout: this.config.timeout,
      });
      this.current = running;
      this.deps.env.setJobPid(this.name, running.pid);
      this.log.debug({ pid: running.pid }, 'started');
      result = await running.done;
    } catch (error) {
      result = { code: null, signal: null, timedOut: false, spawnError: error as Error, output: '' };
    }
    this.current = undefined;
    this.deps.env.setJobPid(this.name, undefined);
    this.lastExit = describeExit(result);
    this.logExit(result);
    this.publish(succeeded(result) ? 'exitSuccess' : 'exitFailed');
    this.releaseRunWaiters();
  }

  private logExit(result: RunResult): void {
    const fields = { exitCode: result.code, signal: result.signal, timedOut: result.timedOut };
    if (succeeded(result)) this.log.info(fields, 'exited successfully');
    else if (this.stopRequested && !result.spawnError) this.log.info(fields, `stopped: ${this.lastExit}`);
    else this.log.error({ ...fields, err: result.spawnError }, `failed: ${this.lastExit}`);
  }

  private startTicking(): void {
    const { when } = this.config;
    if (when.kind !== 'interval' || this.ticker !== undefined) return;
    this.ticker = setInterval(() => this.onTick(), when.interval);
  }

  private onTick(): void {
    if (this.phase !== 'active' || this.inShutdown) return;
    if (this.restartsLeft <= 0) {
      clearInterval(this.ticker);
      this.ticker = undefined;
      if (!this.loop) void this.halt('stopped');
      return;
    }
    this.restartsLeft -= 1;
    this.restartsDone += 1;
    this.pending = true; // a run still in progress coalesces with this tick
    this.ensureLoop();
  }

  private onWhenTimeout(): void {
    if (this.phase !== 'active' || this.started) return;
    this.log.warn({ timeoutMs: this.config.when.timeout }, 'gave up waiting for its `when` event');
    this.triggersLeft = 0;
    this.publish('timerExpired');
    void this.halt('stopped');
  }

  private onShutdown(): void {
    // Like ContainerPilot: no more restarts; a stop hook's next run is its last.
    this.inShutdown = true;
    this.restartsLeft = 0;
    this.restartWait?.abort();
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (this.isStopHook && this.triggersLeft > 1) this.triggersLeft = 1;
  }

  private setMaintenance(enabled: boolean): void {
    if (this.maintenance === enabled) return;
    this.maintenance = enabled;
    if (enabled) this.health?.pause();
    const registration = this.deps.registration;
    if (registration) {
      const action = enabled ? 'could not enter maintenance' : 'could not leave maintenance';
      void this.callConsul(action, () => registration.setMaintenance(enabled));
    }
    if (!enabled) this.health?.resume();
  }

  /** Finished on its own (no restarts left, or `when.timeout`): the stop order without a process. */
  private halt(finalState: JobState): Promise<void> {
    this.finalState = finalState;
    this.halting ??= this.stopSequence({ killAfter: 0 });
    return this.halting;
  }

  private async stopSequence(options: StopOptions): Promise<void> {
    if (this.phase !== 'active') return;
    this.phase = 'stopping';
    this.cancelTimers();
    const hooks = this.preStopHooks.filter((hook) => !hook.isComplete).map((hook) => hook.nextRunFinished());
    this.publish('stopping');
    if (hooks.length > 0 && !(await settlesWithin(Promise.all(hooks), this.config.stopTimeout, this.delay))) {
      this.log.warn({ stopTimeoutMs: this.config.stopTimeout }, 'preStop hooks still running; stopping anyway');
    }
    await this.health?.stop();
    await this.deregister();
    await this.stopProcess(options.killAfter);
    this.phase = 'done';
    this.subscription?.unsubscribe();
    this.publish('stopped');
    this.releaseRunWaiters();
    this.resolveCompleted();
  }

  private async deregister(): Promise<void> {
    const registration = this.deps.registration;
    if (!registration) return;
    const wasRegistered = registration.registered;
    await this.callConsul('could not deregister', () => registration.deregister());
    // Routers that poll Consul keep sending traffic for a while: let them notice before we stop.
    if (wasRegistered && this.current && this.config.drainDelay > 0) {
      this.log.info({ drainDelayMs: this.config.drainDelay }, 'deregistered; draining');
      await this.delay(this.config.drainDelay);
    }
  }

  private async stopProcess(killAfter: Millis): Promise<void> {
    const running = this.current;
    if (running) {
      this.log.info({ signal: this.config.stopSignal, pid: running.pid }, 'stopping process');
      running.signal(this.config.stopSignal);
      if (!(this.loop && (await settlesWithin(this.loop, killAfter, this.delay)))) {
        this.log.warn({ killAfterMs: killAfter }, 'still running after its stop signal; killing process group');
        running.signal('SIGKILL');
      }
      // Daemonised leftovers of the group go too, as in ContainerPilot.
      running.signal('SIGKILL');
    }
    await this.loop;
  }

  private cancelTimers(): void {
    clearTimeout(this.whenTimer);
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.restartWait?.abort();
  }

  private async callConsul(failure: string, call: () => Promise<void>): Promise<void> {
    try {
      await this.consulCalls.run(call);
    } catch (error) {
      this.log.warn({ err: error }, failure);
    }
  }

  private releaseRunWaiters(): void {
    const waiters = this.runWaiters;
    this.runWaiters = [];
    for (const release of waiters) release();
  }

  private publish(code: EventCode): void {
    this.deps.bus.publish({ code, source: this.name });
  }
}
