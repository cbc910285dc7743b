import { describe, expect, it } from 'vitest';
import type { Config } from '../config/types.ts';
import { jobConfig } from '../jobs/testing/fakes.ts';
import { configStartsProcesses, shouldActAsPid1 } from './pid1.ts';

describe('when autopilot acts as init', () => {
  it('does as PID 1, and when asked to be a subreaper', () => {
    expect(shouldActAsPid1({}, 1)).toBe(true);
    expect(shouldActAsPid1({ AUTOPILOT_SUBREAPER: '1' }, 4321)).toBe(true);
    expect(shouldActAsPid1({}, 4321)).toBe(false);
  });

  it('never in the worker it spawned', () => {
    expect(shouldActAsPid1({ AUTOPILOT_WORKER: '1' }, 1)).toBe(false);
    expect(shouldActAsPid1({ AUTOPILOT_WORKER: '1', AUTOPILOT_SUBREAPER: '1' }, 4321)).toBe(false);
  });
});

describe('whether PID 1 needs an init around the supervisor', () => {
  const config = (overrides: Partial<Config>): Config => ({
    path: '',
    logging: { level: 'info', format: 'json', output: 'stdout' },
    jobs: [],
    watches: [],
    templates: [],
    control: { socket: '/tmp/x.sock' },
    stopTimeout: 5000,
    ...overrides,
  });
  const httpHealth = {
    kind: 'http' as const,
    url: 'http://127.0.0.1:3001/',
    interval: 3000,
    ttl: 10000,
    timeout: 3000,
  };

  it('not for a sidecar that only registers and http-checks an app running elsewhere', () => {
    const sidecar = jobConfig('hello', { health: httpHealth });
    delete sidecar.exec;
    expect(configStartsProcesses(config({ jobs: [sidecar] }))).toBe(false);
  });

  it('as soon as anything can start a process: a job, an exec check, a template command', () => {
    expect(configStartsProcesses(config({ jobs: [jobConfig('app', { exec: ['app'] })] }))).toBe(true);
    const execCheck = jobConfig('hello', {
      health: {
        kind: 'exec',
        exec: ['true'],
        interval: 3000,
        ttl: 10000,
        timeout: 3000,
        logging: { raw: false },
      },
    });
    delete execCheck.exec;
    expect(configStartsProcesses(config({ jobs: [execCheck] }))).toBe(true);
    const template = { name: 't', source: 's', dest: 'd', mode: 0o644, onChange: ['nginx', '-s', 'reload'] };
    expect(configStartsProcesses(config({ templates: [template] }))).toBe(true);
  });
});
