// Supervising one configuration until done: what the CLI's default command runs (in the worker,
// when autopilot is PID 1; see pid1.ts).
import type { Config } from '../config/types.ts';
import { createLogger, type Logger } from '../logging/logger.ts';
import { App } from './app.ts';
import { realDeps } from './wiring.ts';

export interface RunSupervisorOptions {
  /** Loads the config file again on reload. */
  loadConfig(path: string): Promise<Config>;
  logger?: Logger;
  /** For the telemetry service's ID (AUTOPILOT_HOSTNAME); default os.hostname(). */
  hostname?: string;
}

/** Resolves with the process exit code: 0 after a shutdown or once all jobs are done, 1 if it could not start. */
export async function runSupervisor(config: Config, options: RunSupervisorOptions): Promise<number> {
  const logger = options.logger ?? createLogger(config.logging);
  try {
    const app = await App.start(
      config,
      realDeps({ logger, loadConfig: options.loadConfig, hostname: options.hostname }),
    );
    return await app.done;
  } catch (error) {
    logger.fatal({ err: error }, 'autopilot could not start');
    return 1;
  }
}
