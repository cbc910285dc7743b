// AppDeps made of fakes: scripted processes, recording registrations, watches, telemetry and
// control server, all writing onto one timeline with the bus events.
import type { Config, JobConfig } from '../../config/types.ts';
import type { HealthResult } from '../../jobs/health-monitor.ts';
import { FakeProcesses, FakeRegistration, Timeline } from '../../jobs/testing/fakes.ts';
import { capturingLogger, FAST_BACKOFF } from '../../jobs/testing/harness.ts';
import type { AppDeps, TelemetryHandle, WatchHandle } from '../deps.ts';

export function appConfig(jobs: JobConfig[], overrides: Partial<Config> = {}): Config {
  return {
    path: '/etc/containerpilot.json5',
    logging: { level: 'debug', format: 'json', output: 'stdout' },
    jobs,
    watches: [],
    templates: [],
    control: { socket: '/tmp/autopilot-test.socket' },
    stopTimeout: 500,
    ...overrides,
  };
}

export class FakeTelemetry implements TelemetryHandle {
  readonly metrics: Array<Record<string, number>> = [];
  readonly watchInstances = new Map<string, number>();
  started = false;
  stopped = false;
  statusProvider: (() => unknown) | undefined;
  async start(): Promise<void> {
    this.started = true;
  }
  async stop(): Promise<void> {
    this.stopped = true;
  }
  putMetric(values: Record<string, number>): void {
    this.metrics.push(values);
  }
  setWatchInstances(service: string, instances: number): void {
    this.watchInstances.set(service, instances);
  }
  setStatusProvider(provider: () => unknown): void {
    this.statusProvider = provider;
  }
  recordControlRequest(): void {}
}

export function fakeDeps(
  options: { configs?: Map<string, Config>; health?: Record<string, HealthResult> } = {},
) {
  const timeline = new Timeline();
  const processes = new FakeProcesses(timeline);
  const { logger, lines } = capturingLogger();
  const registrations = new Map<string, FakeRegistration>();
  const telemetries: FakeTelemetry[] = [];
  const reopened: number[] = [];
  const healthChecksBuilt: string[] = [];
  const healthEnvs: NodeJS.ProcessEnv[] = [];
  const deps: AppDeps = {
    logger,
    handleSignals: false,
    env: { PATH: '/bin' },
    supervisorPid: 4242,
    spawn: processes.spawn,
    backoff: FAST_BACKOFF,
    loadConfig: async (path) => {
      const config = options.configs?.get(path);
      if (!config) throw new Error(`${path}: no such file`);
      return config;
    },
    createDiscovery: () => ({
      registration: (service) => {
        const registration = new FakeRegistration(service.id, timeline);
        registrations.set(service.name, registration);
        return registration;
      },
    }),
    createHealthCheck: (_health, { name, env }) => {
      healthChecksBuilt.push(name);
      return async () => {
        healthEnvs.push(env());
        return options.health?.[name] ?? { ok: true, note: 'ok' };
      };
    },
    resolveAddress: () => '10.0.0.9',
    createWatch: (config, { onInstanceCount }): WatchHandle => ({
      name: config.name,
      start: () => onInstanceCount(config.name, 2),
      stop: async () => void timeline.add(`watch-stopped:${config.name}`),
      instanceCount: () => 2,
    }),
    createTelemetry: (_config, { bus }) => {
      const telemetry = new FakeTelemetry();
      telemetries.push(telemetry);
      timeline.watch(bus);
      return telemetry;
    },
    reopenLogs: () => void reopened.push(Date.now()),
  };
  return {
    deps,
    timeline,
    processes,
    lines,
    registrations,
    telemetries,
    reopened,
    healthChecksBuilt,
    healthEnvs,
  };
}
