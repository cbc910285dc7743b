// What the App is built from. Every part is created through a factory here, so unit tests pass
// fakes and supervisor/wiring.ts passes the real discovery, watches, telemetry and control server.
import type {
  Config,
  ConsulConfig,
  HealthConfig,
  JobConfig,
  TelemetryConfig,
  TemplateConfig,
  WatchConfig,
} from '../config/types.ts';
import type { ControlActions } from '../control/types.ts';
import type { Discovery } from '../discovery/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { BackoffPolicy } from '../jobs/backoff.ts';
import type { Delay } from '../jobs/delay.ts';
import type { HealthCheck } from '../jobs/health-monitor.ts';
import type { RunningProcess, RunOptions } from '../jobs/process.ts';
import type { Logger } from '../logging/logger.ts';
import type { StatusSnapshot } from './types.ts';

/** Service discovery for one configuration; closed when that configuration is replaced. */
export interface DiscoveryHandle extends Discovery {
  close?(): void;
}

export interface WatchHandle {
  readonly name: string;
  start(): void;
  stop(): Promise<void>;
  /** Healthy instances (service watches), for /status. */
  instanceCount(): number;
}

export interface WatchContext {
  bus: EventBus;
  logger: Logger;
  discovery: DiscoveryHandle;
  onInstanceCount: (name: string, count: number) => void;
}

export interface TelemetryHandle {
  start(): Promise<void>;
  stop(): Promise<void>;
  putMetric(values: Record<string, number>): void;
  setWatchInstances(service: string, instances: number): void;
  setStatusProvider(provider: () => StatusSnapshot): void;
  recordControlRequest(path: string, code: number): void;
}

export interface TelemetryContext {
  bus: EventBus;
  logger: Logger;
  discovery?: DiscoveryHandle;
}

export interface TemplatesHandle {
  start(): void | Promise<void>;
  stop(): Promise<void>;
}

export interface TemplatesContext {
  bus: EventBus;
  logger: Logger;
  discovery?: DiscoveryHandle;
  /** Environment for onChange commands. */
  env: () => NodeJS.ProcessEnv;
}

export interface ControlServerHandle {
  close(): Promise<void>;
}

export interface ControlServerContext {
  socket: string;
  actions: ControlActions;
  logger: Logger;
  onRequest: (path: string, code: number) => void;
  inMaintenance: () => boolean;
}

export interface AppDeps {
  logger: Logger;
  /** Re-reads the config file on reload; throws (ConfigError) on a bad file. */
  loadConfig(path: string): Promise<Config>;
  createDiscovery(consul: ConsulConfig | undefined, logger: Logger): DiscoveryHandle;
  createHealthCheck(
    health: HealthConfig,
    context: { logger: Logger; env: () => NodeJS.ProcessEnv; name: string },
  ): HealthCheck;
  /** The address a service job advertises, for CONTAINERPILOT_{JOB}_IP; throws when none matches. */
  resolveAddress(job: JobConfig): string;
  createWatch(config: WatchConfig, context: WatchContext): WatchHandle;
  createTelemetry(config: TelemetryConfig | undefined, context: TelemetryContext): TelemetryHandle;
  /** Absent in unit tests that have no templates: configs with templates are then refused. */
  createTemplates?(configs: TemplateConfig[], context: TemplatesContext): TemplatesHandle;
  startControlServer?(context: ControlServerContext): Promise<ControlServerHandle>;
  /** SIGUSR1: reopen the log file (logrotate). */
  reopenLogs?(): void;
  /** Install SIGTERM/SIGINT/SIGHUP/SIGUSR1/SIGUSR2 handlers (default true; unit tests say false). */
  handleSignals?: boolean;
  /** Base environment of children (default process.env) and the PID they see as CONTAINERPILOT_PID. */
  env?: NodeJS.ProcessEnv;
  supervisorPid?: number;
  /** Test hooks for the jobs. */
  spawn?: (options: RunOptions) => RunningProcess;
  delay?: Delay;
  backoff?: BackoffPolicy;
}
