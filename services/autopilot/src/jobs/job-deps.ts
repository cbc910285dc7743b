// What a Job is built from, and how it is asked to stop.
import type { Millis } from '../config/types.ts';
import type { ServiceRegistration } from '../discovery/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import type { BackoffPolicy } from './backoff.ts';
import type { Delay } from './delay.ts';
import type { JobEnvironment } from './environment.ts';
import type { HealthCheck } from './health-monitor.ts';
import type { RunningProcess, RunOptions } from './process.ts';

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
