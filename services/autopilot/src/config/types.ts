// The validated, normalised configuration: what every other part of autopilot consumes.
// config/load.ts turns a ContainerPilot v3 file (JSON5 or YAML, Go-template rendered) into this.
// All durations are milliseconds. Optional keys are absent, never undefined-with-meaning.
import type { EventCode } from '../events/events.ts';

export type Millis = number;

export interface TlsConfig {
  caFile?: string;
  caPath?: string;
  clientCert?: string;
  clientKey?: string;
  serverName?: string;
  /** CONSUL_HTTP_SSL_VERIFY / tls.verify; default true. */
  verify: boolean;
}

export interface ConsulConfig {
  /** host:port, without scheme. */
  address: string;
  scheme: 'http' | 'https';
  token?: string;
  tls?: TlsConfig;
}

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export interface LoggingConfig {
  level: LogLevel;
  /** 'default' and 'text' are human-readable lines; 'json' is pino's JSON. */
  format: 'default' | 'text' | 'json';
  /** 'stdout' | 'stderr' | an absolute file path (reopened on SIGUSR1). */
  output: string;
}

/** When a job runs. ContainerPilot's `when`; absent in the file means once at global startup. */
export type WhenConfig =
  | { kind: 'once'; source: string; event: EventCode; timeout?: Millis }
  | { kind: 'each'; source: string; event: EventCode; timeout?: Millis }
  | { kind: 'interval'; interval: Millis; timeout?: Millis };

export type RestartPolicy = { kind: 'never' } | { kind: 'unlimited' } | { kind: 'count'; count: number };

interface HealthCommon {
  interval: Millis;
  ttl: Millis;
  /** Defaults to interval. */
  timeout: Millis;
}
export type HealthConfig =
  | (HealthCommon & { kind: 'exec'; exec: string[]; logging: { raw: boolean } })
  | (HealthCommon & { kind: 'http'; url: string; /** default: any 2xx */ expectStatus?: number })
  | (HealthCommon & { kind: 'tcp'; address: string });

/**
 * How the service address is chosen, in order of preference. ContainerPilot specs
 * (eth0, eth0:inet6, eth0[1], CIDR, inet, inet6, static:IP) plus `env:VAR` (e.g. env:POD_IP).
 */
export type InterfaceSpec = string;

export interface ServiceConfig {
  /** Consul service ID: `${name}-${hostname}`. */
  id: string;
  name: string;
  port: number;
  interfaces: InterfaceSpec[];
  tags: string[];
  meta: Record<string, string>;
  initialStatus?: 'passing' | 'warning' | 'critical';
  enableTagOverride: boolean;
  /** Consul duration string, passed through (e.g. "10m"). */
  deregisterCriticalServiceAfter?: string;
}

export interface JobConfig {
  name: string;
  /** argv; absent for registration-only (sidecar) jobs. */
  exec?: string[];
  /** Present when the job has a `port`: it is a Consul service, and `health` is then required. */
  service?: ServiceConfig;
  health?: HealthConfig;
  when: WhenConfig;
  /** Kill a run that overruns; absent = no limit (interval jobs default to their interval). */
  timeout?: Millis;
  restarts: RestartPolicy;
  /** How long to wait for the job that reacts to this job's `stopping` event. Default 5 s. */
  stopTimeout: Millis;
  /** Signal sent to the process group on shutdown; default SIGTERM (nginx wants SIGQUIT). */
  stopSignal: NodeJS.Signals;
  /** Wait after deregistering before signalling the process, so routers drop the instance first. */
  drainDelay: Millis;
  logging: { raw: boolean };
}

export interface WatchConfig {
  /** Consul service name, or the KV key's watch name. Events come from source `watch.${name}`. */
  name: string;
  kind: 'service' | 'key';
  /** For kind 'key': the KV key. */
  key?: string;
  /** Minimum spacing between successive queries, and the retry delay after errors. */
  interval: Millis;
  /** Blocking-query wait; default 60 s. */
  wait: Millis;
  tag?: string;
  dc?: string;
}

export interface TemplateConfig {
  /** Events come from source `template.${name}`. */
  name: string;
  /** Path of the Go-template source file. */
  source: string;
  /** Output path, written atomically (temp file + rename). */
  dest: string;
  /** octal file mode for dest, default 0o644. */
  mode: number;
  /** Run after a render that changed dest (not when the output is identical). */
  onChange?: string[];
}

export interface MetricConfig {
  namespace: string;
  subsystem: string;
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary';
}

export interface TelemetryConfig {
  port: number;
  interfaces: InterfaceSpec[];
  tags: string[];
  metrics: MetricConfig[];
}

export interface ControlConfig {
  socket: string;
}

export interface Config {
  /** Absolute path of the file it came from ('' if built in code). */
  path: string;
  consul?: ConsulConfig;
  logging: LoggingConfig;
  jobs: JobConfig[];
  watches: WatchConfig[];
  templates: TemplateConfig[];
  telemetry?: TelemetryConfig;
  control: ControlConfig;
  /** Top-level stopTimeout: grace period before SIGKILL of everything. Default 5 s. */
  stopTimeout: Millis;
}
