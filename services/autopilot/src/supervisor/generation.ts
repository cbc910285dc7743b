// Everything one configuration runs: its bus, discovery, jobs, watches, templates and telemetry.
// A reload stops one generation and starts the next (ContainerPilot #505); the control server and
// the putEnv values outlive generations and belong to the App.
import type { Config, JobConfig } from '../config/types.ts';
import { EventBus } from '../events/bus.ts';
import { GLOBAL_SOURCE, type EventCode } from '../events/events.ts';
import { createJobs } from '../jobs/create.ts';
import { realDelay, settlesWithin } from '../jobs/delay.ts';
import type { JobEnvironment } from '../jobs/environment.ts';
import type { Job } from '../jobs/job.ts';
import type { Logger } from '../logging/logger.ts';
import type { AppDeps, DiscoveryHandle, TelemetryHandle, TemplatesHandle, WatchHandle } from './deps.ts';

export class Generation {
  readonly config: Config;
  readonly bus: EventBus;
  readonly jobs: Job[];
  readonly watches: WatchHandle[];
  readonly telemetry: TelemetryHandle;
  /** Resolves once every job is done for good (never, for a configuration without jobs). */
  readonly jobsFinished: Promise<void>;
  private readonly discovery: DiscoveryHandle | undefined;
  private readonly templates: TemplatesHandle | undefined;
  private readonly log: Logger;
  private stopping: Promise<void> | undefined;

  constructor(config: Config, deps: AppDeps, env: JobEnvironment) {
    this.config = config;
    this.log = deps.logger;
    this.bus = new EventBus((name, error) =>
      this.log.error({ err: error, subscriber: name }, 'event handler failed'),
    );
    this.discovery = needsDiscovery(config) ? deps.createDiscovery(config.consul, deps.logger) : undefined;
    this.telemetry = deps.createTelemetry(config.telemetry, {
      bus: this.bus,
      logger: deps.logger,
      discovery: this.discovery,
    });
    for (const job of config.jobs) {
      const address = job.service ? this.addressOf(job, deps) : undefined;
      if (address !== undefined) env.setJobIp(job.name, address);
    }
    this.jobs = createJobs(config.jobs, (job) => ({
      bus: this.bus,
      logger: deps.logger,
      env,
      registration:
        job.service && job.health ? this.discovery?.registration(job.service, job.health.ttl) : undefined,
      healthCheck: job.health
        ? deps.createHealthCheck(job.health, {
            logger: deps.logger,
            name: job.name,
            env: () => env.forChild(),
          })
        : undefined,
      spawn: deps.spawn,
      delay: deps.delay,
      backoff: deps.backoff,
    }));
    const discovery = this.discovery;
    this.watches = discovery
      ? config.watches.map((watch) =>
          deps.createWatch(watch, {
            bus: this.bus,
            logger: deps.logger,
            discovery,
            onInstanceCount: (name, count) => this.telemetry.setWatchInstances(name, count),
          }),
        )
      : [];
    if (config.templates.length > 0 && !deps.createTemplates) {
      this.log.error(
        { templates: config.templates.map((t) => t.name) },
        'templates are not supported by this build; ignoring them',
      );
    }
    this.templates =
      config.templates.length > 0 && deps.createTemplates
        ? deps.createTemplates(config.templates, {
            bus: this.bus,
            logger: deps.logger,
            discovery: this.discovery,
            env: () => env.forChild(),
          })
        : undefined;
    this.jobsFinished =
      this.jobs.length > 0
        ? Promise.all(this.jobs.map((job) => job.completed)).then(() => undefined)
        : new Promise(() => {});
  }

  /** Subscribes every job before anything publishes, then kicks everything off with `startup`. */
  async start(maintenance: boolean): Promise<void> {
    await this.telemetry.start();
    for (const job of this.jobs) job.start();
    for (const watch of this.watches) watch.start();
    await this.templates?.start();
    this.publish('startup');
    if (maintenance) this.publish('enterMaintenance');
  }

  publish(code: EventCode, source: string = GLOBAL_SOURCE): void {
    this.bus.publish({ code, source });
  }

  /**
   * The shutdown order: `shutdown`; every ordinary job stops in parallel, each one
   * stopping → preStop → deregister → drain → stop signal → SIGKILL → stopped; then the stop hooks
   * those events started (postStop) get up to the top-level stopTimeout to finish.
   */
  stop(): Promise<void> {
    this.stopping ??= this.stopInOrder();
    return this.stopping;
  }

  private async stopInOrder(): Promise<void> {
    const { stopTimeout } = this.config;
    this.publish('shutdown');
    const hooks = this.jobs.filter((job) => job.awaitsStopEvent);
    const ordinary = this.jobs.filter((job) => !hooks.includes(job));
    await Promise.all(ordinary.map((job) => job.stop({ killAfter: stopTimeout })));
    await this.waitForStopHooks(hooks);
    await Promise.all(hooks.map((job) => job.stop({ killAfter: 0 })));
    await Promise.all(this.watches.map((watch) => watch.stop()));
    await this.templates?.stop();
    await this.bus.settled();
    await this.telemetry.stop();
    this.discovery?.close?.();
  }

  /** Hooks started by the last events (and hooks they start in turn), up to stopTimeout in all. */
  private async waitForStopHooks(hooks: Job[]): Promise<void> {
    const deadline = Date.now() + this.config.stopTimeout;
    for (;;) {
      await this.bus.settled();
      const busy = hooks.filter((hook) => hook.hasStarted && !hook.isComplete);
      const left = deadline - Date.now();
      if (busy.length === 0) return;
      if (
        left <= 0 ||
        !(await settlesWithin(Promise.race(busy.map((hook) => hook.completed)), left, realDelay))
      ) {
        this.log.warn(
          { jobs: busy.map((hook) => hook.name) },
          'stop hooks still running after stopTimeout; killing them',
        );
        return;
      }
    }
  }

  private addressOf(job: JobConfig, deps: AppDeps): string | undefined {
    try {
      return deps.resolveAddress(job);
    } catch (error) {
      this.log.warn({ job: job.name, err: error }, 'no address for CONTAINERPILOT_{JOB}_IP');
      return undefined;
    }
  }
}

function needsDiscovery(config: Config): boolean {
  return (
    config.consul !== undefined ||
    config.watches.length > 0 ||
    config.templates.length > 0 ||
    config.jobs.some((job) => job.service !== undefined)
  );
}
