// One ContainerPilot job: waits for its `when`, runs its exec (see run-loop.ts), health-checks and
// registers its service, and stops in the order the supervisor asks for. Its bus handler never
// waits on a process or on Consul, so it never holds up its own queue.
import { warnRetriedFailure } from '../logging/errors.ts';
import type { JobConfig, Millis } from '../config/types.ts';
import type { Subscription } from '../events/bus.ts';
import { GLOBAL_SOURCE, type Event, type EventCode } from '../events/events.ts';
import type { Logger } from '../logging/logger.ts';
import type { JobState, JobStatus } from '../supervisor/types.ts';
import { realDelay, settlesWithin, type Delay } from './delay.ts';
import { HealthMonitor } from './health-monitor.ts';
import type { JobDeps, StopOptions } from './job-deps.ts';
import { startProcess } from './process.ts';
import { RestartBudget, RunLoop } from './run-loop.ts';
import { SerialQueue } from './serial.ts';
import { isStopHook, isTrigger } from './when.ts';

type Phase = 'active' | 'stopping' | 'done';

export type { JobDeps, StopOptions } from './job-deps.ts';

export class Job {
  readonly name: string;
  readonly config: JobConfig;
  /** Jobs that react to this job's `stopping` (preStop hooks): waited for before it stops. */
  preStopHooks: Job[] = [];
  readonly completed: Promise<void>;

  private readonly deps: JobDeps;
  private readonly log: Logger;
  private readonly delay: Delay;
  private readonly budget: RestartBudget;
  private readonly runs: RunLoop;
  private readonly consulCalls = new SerialQueue();
  private readonly health: HealthMonitor | undefined;
  private subscription: Subscription | undefined;
  private resolveCompleted!: () => void;

  private phase: Phase = 'active';
  private finalState: JobState = 'stopped';
  /** `once`: 1; `each`: unlimited (until the shutdown makes a stop hook's next run its last). */
  private triggersLeft: number;
  private started = false;
  private inShutdown = false;
  private stopRequested = false;
  private maintenance = false;
  private halting: Promise<void> | undefined;
  private whenTimer: NodeJS.Timeout | undefined;
  private ticker: NodeJS.Timeout | undefined;

  constructor(config: JobConfig, deps: JobDeps) {
    this.name = config.name;
    this.config = config;
    this.deps = deps;
    this.log = deps.logger.child({ job: config.name });
    this.delay = deps.delay ?? realDelay;
    this.triggersLeft = config.when.kind === 'each' ? Infinity : 1;
    this.budget = new RestartBudget(config.restarts);
    this.completed = new Promise((resolve) => (this.resolveCompleted = resolve));
    this.runs = new RunLoop({
      config,
      bus: deps.bus,
      logger: deps.logger,
      env: deps.env,
      spawn: deps.spawn ?? startProcess,
      delay: this.delay,
      backoff: deps.backoff,
      budget: this.budget,
      restartOnExit: config.when.kind !== 'interval', // interval jobs: the ticker decides
      stopping: () => this.stopRequested,
      onIdle: () => this.afterRuns(),
    });
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

  /**
   * A stop hook still waiting for its event: kept listening through a shutdown. One that already
   * ran is, like in ContainerPilot, stopped like any other job.
   */
  get awaitsStopEvent(): boolean {
    return this.isStopHook && this.phase === 'active' && this.triggersLeft > 0;
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
    const registration = this.deps.registration;
    if (this.config.service?.initialStatus && registration) {
      void this.callConsul('could not register with initial status', () => registration.registerInitial());
    }
  }

  status(): JobStatus {
    const status: JobStatus = { name: this.name, state: this.state(), restarts: this.budget.used };
    if (this.runs.current?.pid !== undefined) status.pid = this.runs.current.pid;
    if (this.runs.lastExit !== undefined) status.lastExit = this.runs.lastExit;
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
    return this.runs.nextRunFinished();
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

  /** Resolves once queued Consul calls (maintenance, heartbeats) have reached the agent. */
  consulSettled(): Promise<void> {
    return this.consulCalls.idle();
  }

  private state(): JobState {
    if (this.phase === 'done') return this.finalState;
    if (this.phase === 'stopping') return 'stopping';
    if (this.maintenance) return 'maintenance';
    if (this.health?.lastOk !== undefined) return this.health.lastOk ? 'healthy' : 'unhealthy';
    return this.runs.current ? 'running' : 'idle';
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
    this.triggersLeft -= 1;
    clearTimeout(this.whenTimer);
    if (!this.started) {
      this.started = true;
      this.health?.start();
    }
    if (this.config.when.kind === 'interval') this.startTicking();
    if (this.config.exec) this.runs.request();
    // Registration-only jobs only check and register a process that runs elsewhere.
    else if (!this.config.service) void this.halt('completed');
  }

  private afterRuns(): void {
    if (this.phase !== 'active' || this.stopRequested || this.ticker !== undefined) return;
    if (this.triggersLeft <= 0)
      void this.halt(this.config.restarts.kind === 'never' ? 'completed' : 'stopped');
  }

  private startTicking(): void {
    const { when } = this.config;
    if (when.kind !== 'interval' || this.ticker !== undefined) return;
    this.ticker = setInterval(() => this.onTick(), when.interval);
  }

  private onTick(): void {
    if (this.phase !== 'active' || this.inShutdown) return;
    if (this.budget.take()) return this.runs.request(); // coalesces with a run still going
    clearInterval(this.ticker);
    this.ticker = undefined;
    if (!this.runs.running) void this.halt('stopped');
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
    this.budget.revoke();
    this.runs.cancelRestart();
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
      const failure = enabled ? 'could not enter maintenance' : 'could not leave maintenance';
      void this.callConsul(failure, () => registration.setMaintenance(enabled));
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
    const { stopTimeout } = this.config;
    if (hooks.length > 0 && !(await settlesWithin(Promise.all(hooks), stopTimeout, this.delay))) {
      this.log.warn({ stopTimeoutMs: stopTimeout }, 'preStop hooks still running; stopping anyway');
    }
    await this.health?.stop();
    await this.deregister();
    await this.stopProcess(options.killAfter);
    this.phase = 'done';
    this.subscription?.unsubscribe();
    this.publish('stopped');
    this.runs.releaseWaiters();
    this.resolveCompleted();
  }

  private async deregister(): Promise<void> {
    const registration = this.deps.registration;
    if (!registration) return;
    const wasRegistered = registration.registered;
    await this.callConsul('could not deregister', () => registration.deregister());
    // Routers that poll Consul keep sending traffic for a while: let them notice before we stop.
    if (wasRegistered && this.runs.current && this.config.drainDelay > 0) {
      this.log.info({ drainDelayMs: this.config.drainDelay }, 'deregistered; draining');
      await this.delay(this.config.drainDelay);
    }
  }

  private async stopProcess(killAfter: Millis): Promise<void> {
    const running = this.runs.current;
    if (running) {
      this.log.info({ signal: this.config.stopSignal, pid: running.pid }, 'stopping process');
      running.signal(this.config.stopSignal);
      if (!(await settlesWithin(this.runs.idle(), killAfter, this.delay))) {
        this.log.warn(
          { killAfterMs: killAfter },
          'still running after its stop signal; killing process group',
        );
        running.signal('SIGKILL');
      }
      // Daemonised leftovers of the group go too, as in ContainerPilot.
      running.signal('SIGKILL');
    }
    await this.runs.idle();
  }

  private cancelTimers(): void {
    clearTimeout(this.whenTimer);
    clearInterval(this.ticker);
    this.ticker = undefined;
    this.runs.cancelRestart();
  }

  private async callConsul(failure: string, call: () => Promise<void>): Promise<void> {
    try {
      await this.consulCalls.run(call);
    } catch (error) {
      warnRetriedFailure(this.log, {}, error, failure);
    }
  }

  private publish(code: EventCode): void {
    this.deps.bus.publish({ code, source: this.name });
  }
}
