import { describe, expect, it } from 'vitest';
import { eventually, jobConfig } from './testing/fakes.ts';
import { jobHarness } from './testing/harness.ts';

describe('a job without `when`', () => {
  it('runs once at global startup, then reports its exit and stops for good', async () => {
    const h = jobHarness([jobConfig('setup')]);
    h.processes.exitsWith('setup', 0);
    expect(h.processes.runs).toHaveLength(0);

    h.startup();
    await h.job('setup').completed;

    expect(h.processes.of('setup')).toHaveLength(1);
    expect(h.timeline.entries.filter((e) => e.endsWith(':setup') && !e.startsWith('spawn'))).toEqual([
      'exit:setup',
      'exitSuccess:setup',
      'stopping:setup',
      'stopped:setup',
    ]);
    expect(h.job('setup').status()).toMatchObject({ state: 'completed', lastExit: 'exit code 0' });
  });
});

describe('when: once', () => {
  it('waits for its exact source and event, and runs only the first time', async () => {
    const h = jobHarness([
      jobConfig('app', { when: { kind: 'once', source: 'setup', event: 'exitSuccess' } }),
    ]);
    h.startup();
    h.bus.publish({ code: 'exitFailed', source: 'setup' });
    h.bus.publish({ code: 'exitSuccess', source: 'other' });
    await h.bus.settled();
    expect(h.processes.of('app')).toHaveLength(0);

    h.bus.publish({ code: 'exitSuccess', source: 'setup' });
    h.bus.publish({ code: 'exitSuccess', source: 'setup' });
    await eventually(() => h.processes.of('app').length === 1);
    await h.bus.settled();
    expect(h.processes.of('app')).toHaveLength(1);
    expect(h.job('app').status().state).toBe('running');
  });

  it('starts a chain: setup exits successfully, then the app starts', async () => {
    const h = jobHarness([
      jobConfig('setup'),
      jobConfig('app', { when: { kind: 'once', source: 'setup', event: 'exitSuccess' } }),
    ]);
    h.processes.exitsWith('setup', 0);
    h.startup();
    await eventually(() => h.processes.of('app').length === 1);
    expect(h.timeline.indexOf('exitSuccess:setup')).toBeLessThan(h.timeline.indexOf('spawn:app'));
  });
});

describe('when: each', () => {
  it('runs again for every matching event', async () => {
    const h = jobHarness([
      jobConfig('reload', { when: { kind: 'each', source: 'watch.db', event: 'changed' } }),
    ]);
    h.processes.exitsWith('reload', 0);
    h.startup();
    for (let i = 0; i < 3; i++) {
      h.bus.publish({ code: 'changed', source: 'watch.db' });
      await eventually(() => h.timeline.count('exitSuccess:reload') === i + 1);
    }
    expect(h.processes.of('reload')).toHaveLength(3);
    expect(h.job('reload').isComplete).toBe(false);
  });

  it('coalesces a burst that arrives during a run into one more run, never two at once', async () => {
    const h = jobHarness([
      jobConfig('reload', { when: { kind: 'each', source: 'watch.db', event: 'changed' } }),
    ]);
    h.startup();
    h.bus.publish({ code: 'changed', source: 'watch.db' });
    await eventually(() => h.processes.of('reload').length === 1);

    for (let i = 0; i < 50; i++) h.bus.publish({ code: 'changed', source: 'watch.db' });
    await h.bus.settled();
    expect(h.processes.alive('reload')).toHaveLength(1);

    h.processes.of('reload')[0]!.exit(0);
    await eventually(() => h.processes.of('reload').length === 2);
    h.processes.of('reload')[1]!.exit(0);
    await eventually(() => h.timeline.count('exitSuccess:reload') === 2);
    await h.bus.settled();
    expect(h.processes.of('reload')).toHaveLength(2);
  });
});

describe('when.timeout', () => {
  it('gives up waiting: publishes timerExpired from the job and never runs', async () => {
    const h = jobHarness([
      jobConfig('app', { when: { kind: 'once', source: 'db', event: 'healthy', timeout: 20 } }),
    ]);
    h.startup();
    await h.job('app').completed;
    h.bus.publish({ code: 'healthy', source: 'db' });
    await h.bus.settled();

    expect(h.timeline.entries).toContain('timerExpired:app');
    expect(h.timeline.indexOf('timerExpired:app')).toBeLessThan(h.timeline.indexOf('stopped:app'));
    expect(h.processes.of('app')).toHaveLength(0);
  });

  it('is cancelled by the event arriving in time', async () => {
    const h = jobHarness([
      jobConfig('app', { when: { kind: 'once', source: 'db', event: 'healthy', timeout: 50 } }),
    ]);
    h.processes.script('app', (run) => setTimeout(() => run.exit(0), 100));
    h.bus.publish({ code: 'healthy', source: 'db' });
    await h.job('app').completed;
    expect(h.timeline.entries).not.toContain('timerExpired:app');
  });
});

describe('exits', () => {
  it('a failing hook publishes exitFailed and logs its exit code; jobs reacting to it still run', async () => {
    const h = jobHarness([
      jobConfig('hook'),
      jobConfig('alert', { when: { kind: 'once', source: 'hook', event: 'exitFailed' } }),
    ]);
    h.processes.exitsWith('hook', 3).exitsWith('alert', 0);
    h.startup();
    await h.allDone();

    expect(h.timeline.entries).toContain('exitFailed:hook');
    expect(h.timeline.entries).toContain('exitSuccess:alert');
    const failure = h.lines.find((line) => line.job === 'hook' && line.level === 50);
    expect(failure).toMatchObject({ exitCode: 3, msg: 'failed: exit code 3' });
  });

  it('a command that cannot start is an exitFailed, not a crash', async () => {
    const h = jobHarness([jobConfig('broken')]);
    h.processes.script('broken', () => {
      throw new Error('broken: empty command');
    });
    h.startup();
    await h.job('broken').completed;
    expect(h.timeline.entries).toContain('exitFailed:broken');
  });

  it('a run that overruns its timeout is killed and counts as failed', async () => {
    const h = jobHarness([jobConfig('slow', { exec: ['sleep', '30'], timeout: 100 })], {
      realProcesses: true,
    });
    h.startup();
    await h.job('slow').completed;
    expect(h.timeline.entries).toContain('exitFailed:slow');
    expect(h.job('slow').status().lastExit).toBe('timed out');
  });

  it('passes its run timeout and environment to the process', async () => {
    const h = jobHarness([jobConfig('task', { timeout: 1500 })]);
    h.env.put({ GREETING: 'hi' });
    h.startup();
    await eventually(() => h.processes.of('task').length === 1);
    const options = h.processes.of('task')[0]!.options;
    expect(options.timeout).toBe(1500);
    expect(options.env).toMatchObject({ GREETING: 'hi', CONTAINERPILOT_PID: '4242' });
    expect(h.env.forChild().CONTAINERPILOT_TASK_PID).toBe(String(h.processes.of('task')[0]!.pid));
  });
});

describe('restarts', () => {
  it('restarts N times with growing backoff, then stops for good', async () => {
    const h = jobHarness([jobConfig('flaky', { restarts: { kind: 'count', count: 3 } })]);
    h.processes.exitsWith('flaky', 1);
    h.startup();
    await h.job('flaky').completed;

    expect(h.processes.of('flaky')).toHaveLength(4);
    expect(h.delay.waits).toEqual([1, 2, 4]);
    expect(h.job('flaky').status()).toMatchObject({ state: 'stopped', restarts: 3 });
  });

  it('"unlimited" keeps restarting until the job is stopped', async () => {
    const h = jobHarness([jobConfig('server', { restarts: { kind: 'unlimited' } })]);
    h.processes.exitsWith('server', 0);
    h.startup();
    await eventually(() => h.processes.of('server').length >= 6);
    await h.job('server').stop({ killAfter: 100 });
    const runs = h.processes.of('server').length;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.processes.of('server')).toHaveLength(runs);
    expect(h.delay.waits.slice(0, 5)).toEqual([1, 2, 4, 8, 8]);
  });
});

describe('when: interval', () => {
  it('runs at startup and again every interval', async () => {
    const h = jobHarness([
      jobConfig('sensor', { when: { kind: 'interval', interval: 15 }, restarts: { kind: 'unlimited' } }),
    ]);
    h.processes.exitsWith('sensor', 0);
    h.startup();
    await eventually(() => h.processes.of('sensor').length >= 3);
    await h.job('sensor').stop({ killAfter: 100 });
    expect(h.job('sensor').status().state).toBe('stopped');
  });

  it('stops ticking once its restarts are used up', async () => {
    const h = jobHarness([
      jobConfig('sensor', {
        when: { kind: 'interval', interval: 10 },
        restarts: { kind: 'count', count: 2 },
      }),
    ]);
    h.processes.exitsWith('sensor', 0);
    h.startup();
    await h.job('sensor').completed;
    expect(h.processes.of('sensor')).toHaveLength(3);
  });

  it('does not start a second run while one is still going', async () => {
    const h = jobHarness([
      jobConfig('slow', { when: { kind: 'interval', interval: 5 }, restarts: { kind: 'unlimited' } }),
    ]);
    h.startup();
    await eventually(() => h.processes.of('slow').length === 1);
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(h.processes.of('slow')).toHaveLength(1);
    h.processes.of('slow')[0]!.exit(0);
    await eventually(() => h.processes.of('slow').length === 2);
    await h.job('slow').stop({ killAfter: 100 });
  });
});
