// The supervisor: runs one configuration's generation, answers the control socket, turns signals
// into shutdown / events / log reopening, and reports an exit code once nothing is left to do.
import type { Config } from '../config/types.ts';
import type { ControlActions } from '../control/types.ts';
import { JobEnvironment } from '../jobs/environment.ts';
import type { Logger } from '../logging/logger.ts';
import { AUTOPILOT_VERSION } from '../version.ts';
import type { AppDeps, ControlServerHandle } from './deps.ts';
import { Generation } from './generation.ts';
import { installSignalHandlers } from './signals.ts';
import type { StatusSnapshot } from './types.ts';

export class App implements ControlActions {
  /** Resolves with the exit code: 0 once every job is done for good, or after a shutdown. */
  readonly done: Promise<number>;
  private config: Config;
  private generation: Generation;
  private readonly deps: AppDeps;
  private readonly log: Logger;
  private readonly env: JobEnvironment;
  private control: ControlServerHandle | undefined;
  private uninstallSignals: () => void = () => {};
  private maintenance = false;
  private shuttingDown: Promise<void> | undefined;
  private reloads: Promise<void> = Promise.resolve();
  private resolveDone!: (code: number) => void;

  private constructor(config: Config, deps: AppDeps) {
    this.config = config;
    this.deps = deps;
    this.log = deps.logger.child({ component: 'supervisor' });
    this.env = new JobEnvironment(deps.env ?? process.env, deps.supervisorPid ?? process.pid);
    this.done = new Promise((resolve) => (this.resolveDone = resolve));
    this.generation = this.newGeneration(config);
  }

  static async start(config: Config, deps: AppDeps): Promise<App> {
    const app = new App(config, deps);
    if (deps.startControlServer) {
      app.control = await deps.startControlServer({
        socket: config.control.socket,
        actions: app,
        logger: deps.logger,
        onRequest: (path, code) => app.generation.telemetry.recordControlRequest(path, code),
        inMaintenance: () => app.maintenance,
      });
    }
    if (deps.handleSignals !== false) {
      app.uninstallSignals = installSignalHandlers({
        shutdown: (signal) => {
          app.log.info({ signal }, 'shutting down');
          void app.shutdown();
        },
        event: (signal) => app.generation.publish('signal', signal),
        reopenLogs: () => deps.reopenLogs?.(),
      });
    }
    await app.startGeneration();
    return app;
  }

  status(): StatusSnapshot {
    return {
      version: AUTOPILOT_VERSION,
      maintenance: this.maintenance,
      jobs: this.generation.jobs.map((job) => job.status()),
      watches: this.generation.watches.map((watch) => ({
        name: watch.name,
        kind: this.config.watches.find((w) => w.name === watch.name)?.kind ?? 'service',
        instances: watch.instanceCount(),
      })),
    };
  }

  /**
   * Re-reads the config file and, once it is accepted, stops every job and starts the new
   * configuration (ContainerPilot #505). Resolves when the new config is accepted; a bad file is
   * logged and rejected, and the running configuration is kept. `reloaded()` waits for the restart.
   */
  async reload(): Promise<void> {
    if (this.shuttingDown) throw new Error('shutting down: not reloading');
    let next: Config;
    try {
      next = await this.deps.loadConfig(this.config.path);
    } catch (error) {
      this.log.error({ err: error }, 'reload: bad configuration, keeping the running one');
      throw error;
    }
    this.reloads = this.reloads
      .then(() => this.replaceGeneration(next))
      .catch((error: unknown) => this.log.error({ err: error }, 'reload failed'));
  }

  /** Resolves once reloads asked for so far have restarted the jobs. */
  reloaded(): Promise<void> {
    return this.reloads;
  }

  async setMaintenance(enabled: boolean): Promise<void> {
    if (this.maintenance === enabled) return;
    this.maintenance = enabled;
    this.log.info(enabled ? 'entering maintenance' : 'leaving maintenance');
    const generation = this.generation;
    generation.publish(enabled ? 'enterMaintenance' : 'exitMaintenance');
    await generation.bus.settled();
    await Promise.all(generation.jobs.map((job) => job.consulSettled()));
  }

  putEnv(values: Record<string, string>): void {
    this.env.put(values);
  }

  putMetric(values: Record<string, number>): void {
    this.generation.telemetry.putMetric(values);
  }

  /** SIGTERM/SIGINT: stop everything in order, then resolve `done` with 0. Idempotent. */
  shutdown(): Promise<void> {
    this.shuttingDown ??= (async () => {
      await this.reloads;
      await this.generation.stop();
      await this.finish(0);
    })();
    return this.shuttingDown;
  }

  private newGeneration(config: Config): Generation {
    const generation = new Generation(config, this.deps, this.env);
    generation.telemetry.setStatusProvider(() => this.status());
    // ContainerPilot exits once all jobs are done, unless telemetry keeps serving.
    void generation.jobsFinished.then(() => {
      if (generation !== this.generation || this.shuttingDown || config.telemetry) return;
      this.log.info('all jobs are done; exiting');
      void this.shutdown();
    });
    return generation;
  }

  private async startGeneration(): Promise<void> {
    try {
      await this.generation.start(this.maintenance);
    } catch (error) {
      this.log.error({ err: error }, 'could not start');
      await this.generation.stop();
      await this.finish(1);
      throw error;
    }
  }

  private async replaceGeneration(next: Config): Promise<void> {
    if (this.shuttingDown) return;
    const replacement = this.newGeneration(next); // may throw: then the running one is kept
    if (next.control.socket !== this.config.control.socket) {
      this.log.warn(
        { socket: this.config.control.socket },
        'reload: the control socket cannot move; keeping it',
      );
    }
    this.log.info({ path: next.path }, 'reloading: stopping all jobs');
    await this.generation.stop();
    this.config = next;
    this.generation = replacement;
    await this.startGeneration();
    this.log.info('reloaded');
  }

  private async finish(code: number): Promise<void> {
    this.uninstallSignals();
    try {
      await this.control?.close();
    } catch (error) {
      this.log.warn({ err: error }, 'could not close the control socket');
    }
    this.resolveDone(code);
  }
}
