// A bus, fake processes, fake registrations and a capturing logger around a set of jobs.
import { Writable } from 'node:stream';
import pino from 'pino';
import type { JobConfig, ServiceConfig } from '../../config/types.ts';
import { EventBus } from '../../events/bus.ts';
import type { BackoffPolicy } from '../backoff.ts';
import { createJobs } from '../create.ts';
import { JobEnvironment } from '../environment.ts';
import type { HealthCheck } from '../health-monitor.ts';
import type { Job } from '../job.ts';
import { FakeProcesses, FakeRegistration, Timeline, recordingDelay } from './fakes.ts';

export type LogLine = Record<string, unknown> & { msg: string; level: number };

export function capturingLogger() {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)) as LogLine);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, stream), lines };
}

/** Fast backoff for tests: 1, 2, 4, 8, 8… ms. */
export const FAST_BACKOFF: BackoffPolicy = { initial: 1, factor: 2, max: 8, resetAfter: 60_000 };

export function service(name: string, overrides: Partial<ServiceConfig> = {}): ServiceConfig {
  return {
    id: `${name}-host`,
    name,
    port: 8080,
    interfaces: ['static:127.0.0.1'],
    tags: [],
    meta: {},
    enableTagOverride: false,
    ...overrides,
  };
}

export interface HarnessOptions {
  healthChecks?: Record<string, HealthCheck>;
  backoff?: BackoffPolicy;
  /** Spawn real processes instead of scripted fakes. */
  realProcesses?: boolean;
}

export function jobHarness(configs: JobConfig[], options: HarnessOptions = {}) {
  const timeline = new Timeline();
  const bus = new EventBus();
  timeline.watch(bus);
  const processes = new FakeProcesses(timeline);
  const env = new JobEnvironment({ PATH: '/bin' }, 4242);
  const registrations = new Map<string, FakeRegistration>();
  const delay = recordingDelay(timeline);
  const { logger, lines } = capturingLogger();
  const jobs = createJobs(configs, (config) => {
    const registration = config.service ? new FakeRegistration(config.service.id, timeline) : undefined;
    if (registration) registrations.set(config.name, registration);
    return {
      bus,
      logger,
      env,
      registration,
      healthCheck: options.healthChecks?.[config.name],
      spawn: options.realProcesses ? undefined : processes.spawn,
      delay,
      backoff: options.backoff ?? FAST_BACKOFF,
    };
  });
  for (const job of jobs) job.start();
  const job = (name: string): Job => {
    const found = jobs.find((j) => j.name === name);
    if (!found) throw new Error(`no job ${name}`);
    return found;
  };
  return {
    timeline,
    bus,
    processes,
    env,
    jobs,
    job,
    lines,
    delay,
    registration: (name: string) => registrations.get(name)!,
    startup: () => bus.publish({ code: 'startup', source: 'global' }),
    allDone: () => Promise.all(jobs.map((j) => j.completed)),
  };
}
