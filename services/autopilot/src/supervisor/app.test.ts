import { afterEach, describe, expect, it } from 'vitest';
import type { Config } from '../config/types.ts';
import { eventually, jobConfig } from '../jobs/testing/fakes.ts';
import { service } from '../jobs/testing/harness.ts';
import { App } from './app.ts';
import { appConfig, fakeDeps } from './testing/fake-deps.ts';

const health = { kind: 'tcp' as const, address: '127.0.0.1:1', interval: 10, ttl: 1000, timeout: 10 };
const running: App[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((app) => app.shutdown()));
});
async function start(config: Config, deps: ReturnType<typeof fakeDeps>['deps']): Promise<App> {
  const app = await App.start(config, deps);
  running.push(app);
  return app;
}

const order = (entries: string[], ...expected: string[]) => {
  const positions = expected.map((entry) => entries.indexOf(entry));
  expect(positions, `timeline: ${entries.join(', ')}`).not.toContain(-1);
  expect(positions).toEqual([...positions].sort((a, b) => a - b));
};

describe('the supervisor', () => {
  it('publishes startup once every job listens, and exits 0 when all jobs are done', async () => {
    const f = fakeDeps();
    f.processes.exitsWith('setup', 0).exitsWith('app', 0);
    const app = await start(
      appConfig([
        jobConfig('setup'),
        jobConfig('app', { when: { kind: 'once', source: 'setup', event: 'exitSuccess' } }),
      ]),
      f.deps,
    );
    expect(await app.done).toBe(0);
    order(
      f.timeline.entries,
      'startup:global',
      'spawn:setup',
      'exitSuccess:setup',
      'spawn:app',
      'stopped:app',
    );
  });

  it('shuts down in order: preStop, deregister, drain, stop signal, stopped, postStop, exit', async () => {
    const f = fakeDeps();
    f.processes.exitsWith('prestop', 0).exitsWith('poststop', 0);
    const app = await start(
      appConfig([
        jobConfig('app', { service: service('app'), health, drainDelay: 20 }),
        jobConfig('prestop', { when: { kind: 'once', source: 'app', event: 'stopping' } }),
        jobConfig('poststop', { when: { kind: 'once', source: 'app', event: 'stopped' } }),
      ]),
      f.deps,
    );
    await eventually(() => f.registrations.get('app')?.calls.includes('pass') ?? false);

    await app.shutdown();

    order(
      f.timeline.entries,
      'shutdown:global',
      'stopping:app',
      'spawn:prestop',
      'exitSuccess:prestop',
      'deregister:app-host',
      'signal:app:SIGTERM',
      'exit:app',
      'stopped:app',
      'spawn:poststop',
      'exitSuccess:poststop',
    );
    expect(await app.done).toBe(0);
  });

  it('gives a hanging postStop at most stopTimeout, then kills it and exits anyway', async () => {
    const f = fakeDeps();
    f.processes.script('poststop', (run) => (run.ignores = ['SIGTERM']));
    const app = await start(
      appConfig(
        [
          jobConfig('app'),
          jobConfig('poststop', { when: { kind: 'once', source: 'app', event: 'stopped' } }),
        ],
        {
          stopTimeout: 50,
        },
      ),
      f.deps,
    );
    await eventually(() => f.processes.alive('app').length === 1);
    await app.shutdown();
    expect(f.processes.of('poststop')[0]!.signals).toContain('SIGKILL');
    expect(await app.done).toBe(0);
  });

  it('stops a server started by another job stopping like any other job, not as a stop hook', async () => {
    const f = fakeDeps();
    f.processes.exitsWith('setup', 0).script('server', (run) => {
      // A graceful server: finishes its requests, then exits.
      run.ignores = ['SIGTERM'];
      run.onSignal = () => setTimeout(() => run.exit(0), 20);
    });
    const setup = jobConfig('setup');
    const server = jobConfig('server', { when: { kind: 'once', source: 'setup', event: 'stopped' } });
    const app = await start(appConfig([setup, server], { stopTimeout: 300 }), f.deps);
    await eventually(() => f.processes.alive('server').length === 1);
    await app.shutdown();
    expect(f.processes.of('server')[0]!.signals).toEqual(['SIGTERM']);
  });

  it('keeps running after a failing hook, which is logged with its exit code', async () => {
    const f = fakeDeps();
    f.processes.exitsWith('hook', 2);
    const app = await start(appConfig([jobConfig('server'), jobConfig('hook')]), f.deps);
    await eventually(() => f.timeline.entries.includes('stopped:hook'));
    expect(f.lines).toContainEqual(expect.objectContaining({ job: 'hook', exitCode: 2, level: 50 }));
    expect(app.status().jobs.find((job) => job.name === 'server')?.state).toBe('running');
    const outcome = await Promise.race([
      app.done,
      new Promise((resolve) => setTimeout(() => resolve('running'), 30)),
    ]);
    expect(outcome).toBe('running');
  });

  it('keeps serving telemetry after all jobs are done, as ContainerPilot does', async () => {
    const f = fakeDeps();
    f.processes.exitsWith('once', 0);
    const telemetry = { port: 9090, interfaces: ['inet'], tags: [], metrics: [] };
    const app = await start(appConfig([jobConfig('once')], { telemetry }), f.deps);
    await eventually(() => f.timeline.entries.includes('stopped:once'));
    const outcome = await Promise.race([
      app.done,
      new Promise((resolve) => setTimeout(() => resolve('running'), 30)),
    ]);
    expect(outcome).toBe('running');
  });

  it('reports its jobs and watches', async () => {
    const f = fakeDeps();
    const app = await start(
      appConfig([jobConfig('web', { service: service('web'), health })], {
        watches: [{ name: 'db', kind: 'service', interval: 1000, wait: 1000 }],
      }),
      f.deps,
    );
    await eventually(() => app.status().jobs[0]?.state === 'healthy');
    expect(app.status()).toMatchObject({
      maintenance: false,
      jobs: [{ name: 'web', state: 'healthy', serviceId: 'web-host', port: 8080 }],
      watches: [{ name: 'db', kind: 'service', instances: 2 }],
    });
    expect(f.telemetries[0]!.watchInstances.get('db')).toBe(2);
    expect(f.telemetries[0]!.statusProvider?.()).toEqual(app.status());
  });
});

describe('control actions', () => {
  it('putEnv reaches processes started afterwards, with CONTAINERPILOT_{JOB}_IP', async () => {
    const f = fakeDeps();
    const app = await start(
      appConfig([
        jobConfig('web', { service: service('web'), health }),
        jobConfig('task', { when: { kind: 'once', source: 'web', event: 'healthy' } }),
      ]),
      f.deps,
    );
    app.putEnv({ COLOR: 'blue' });
    await eventually(() => f.processes.of('task').length === 1);
    expect(f.processes.of('task')[0]!.options.env).toMatchObject({
      COLOR: 'blue',
      CONTAINERPILOT_WEB_IP: '10.0.0.9',
      CONTAINERPILOT_PID: '4242',
    });
  });

  it('putEnv reaches health checks built before it, without rebuilding them', async () => {
    const f = fakeDeps();
    const app = await start(appConfig([jobConfig('web', { service: service('web'), health })]), f.deps);
    await eventually(() => f.healthEnvs.length > 0);
    app.putEnv({ COLOR: 'blue' });
    await eventually(() => f.healthEnvs.at(-1)?.COLOR === 'blue');
    expect(f.healthChecksBuilt).toEqual(['web']);
  });

  it('putMetric goes to telemetry', async () => {
    const f = fakeDeps();
    const app = await start(appConfig([jobConfig('web')]), f.deps);
    app.putMetric({ requests: 3 });
    expect(f.telemetries[0]!.metrics).toEqual([{ requests: 3 }]);
  });

  it('maintenance takes services out of Consul and stops health checks until disabled', async () => {
    const f = fakeDeps();
    const app = await start(appConfig([jobConfig('web', { service: service('web'), health })]), f.deps);
    await eventually(() => f.registrations.get('web')!.calls.includes('pass'));
    await app.setMaintenance(true);
    expect(f.registrations.get('web')!.calls.at(-1)).toBe('maintenance-on');
    expect(app.status()).toMatchObject({ maintenance: true, jobs: [{ state: 'maintenance' }] });
    expect(f.timeline.entries).toContain('enterMaintenance:global');

    await app.setMaintenance(false);
    await eventually(() => f.registrations.get('web')!.calls.at(-1) === 'pass');
    expect(f.timeline.entries).toContain('exitMaintenance:global');
  });

  it('reload stops every job and starts the new configuration', async () => {
    const next = appConfig([jobConfig('api')], { path: '/etc/next.json5' });
    const f = fakeDeps({ configs: new Map([['/etc/containerpilot.json5', next]]) });
    const app = await start(appConfig([jobConfig('web')]), f.deps);
    await eventually(() => f.processes.alive('web').length === 1);
    app.putEnv({ KEPT: 'yes' });

    await app.reload();
    await app.reloaded();

    order(f.timeline.entries, 'stopping:web', 'signal:web:SIGTERM', 'stopped:web', 'spawn:api');
    expect(f.processes.alive('api')).toHaveLength(1);
    expect(f.processes.of('api')[0]!.options.env?.KEPT).toBe('yes');
    expect(app.status().jobs.map((job) => job.name)).toEqual(['api']);
  });

  it('a bad config on reload is refused and the running jobs keep running', async () => {
    const f = fakeDeps({ configs: new Map() });
    const app = await start(appConfig([jobConfig('web')]), f.deps);
    await eventually(() => f.processes.alive('web').length === 1);
    await expect(app.reload()).rejects.toThrow(/no such file/);
    await app.reloaded();
    expect(f.processes.alive('web')).toHaveLength(1);
    expect(f.lines).toContainEqual(
      expect.objectContaining({ msg: 'reload: bad configuration, keeping the running one' }),
    );
  });
});

describe('signals', () => {
  it('SIGHUP and SIGUSR2 become signal events; SIGUSR1 reopens the logs; SIGTERM shuts down', async () => {
    const f = fakeDeps();
    const listenersBefore = process.listenerCount('SIGTERM');
    f.processes.exitsWith('on-hup', 0).exitsWith('on-usr2', 0);
    const app = await start(
      appConfig([
        jobConfig('server'),
        jobConfig('on-hup', { when: { kind: 'each', source: 'SIGHUP', event: 'signal' } }),
        jobConfig('on-usr2', { when: { kind: 'each', source: 'SIGUSR2', event: 'signal' } }),
      ]),
      { ...f.deps, handleSignals: true },
    );
    process.emit('SIGHUP', 'SIGHUP');
    process.emit('SIGUSR2', 'SIGUSR2');
    process.emit('SIGUSR1', 'SIGUSR1');
    await eventually(() => f.processes.of('on-hup').length === 1 && f.processes.of('on-usr2').length === 1);
    expect(f.reopened).toHaveLength(1);

    process.emit('SIGTERM', 'SIGTERM');
    expect(await app.done).toBe(0);
    expect(f.timeline.entries).toContain('signal:server:SIGTERM');
    expect(process.listenerCount('SIGTERM')).toBe(listenersBefore);
  });
});
