import { describe, expect, it } from 'vitest';
import { eventually, jobConfig } from './testing/fakes.ts';
import { jobHarness, service } from './testing/harness.ts';

const before = (entries: string[], first: string, second: string) => {
  const a = entries.indexOf(first);
  const b = entries.indexOf(second);
  if (a < 0 || b < 0) throw new Error(`missing ${a < 0 ? first : second} in ${entries.join(', ')}`);
  return a < b;
};

describe('stopping a job', () => {
  it('publishes stopping, lets its preStop hook finish, deregisters, signals, then publishes stopped', async () => {
    const h = jobHarness([
      jobConfig('app', { service: service('app'), drainDelay: 25 }),
      jobConfig('prestop', { when: { kind: 'once', source: 'app', event: 'stopping' } }),
    ]);
    h.processes.script('prestop', (run) => setTimeout(() => run.exit(0), 20));
    h.startup();
    await eventually(() => h.processes.alive('app').length === 1);
    h.registration('app').registered = true;

    await h.job('app').stop({ killAfter: 1000 });

    const t = h.timeline.entries;
    expect(before(t, 'stopping:app', 'spawn:prestop')).toBe(true);
    expect(before(t, 'exitSuccess:prestop', 'deregister:app-host')).toBe(true);
    expect(before(t, 'deregister:app-host', 'wait:25')).toBe(true);
    expect(before(t, 'wait:25', 'signal:app:SIGTERM')).toBe(true);
    expect(before(t, 'signal:app:SIGTERM', 'exit:app')).toBe(true);
    expect(before(t, 'exitFailed:app', 'stopped:app')).toBe(true);
    expect(h.job('app').status().state).toBe('stopped');
  });

  it('does not wait past its stopTimeout for a preStop hook that hangs', async () => {
    const h = jobHarness([
      jobConfig('app', { stopTimeout: 30 }),
      jobConfig('prestop', { when: { kind: 'once', source: 'app', event: 'stopping' } }),
    ]);
    h.startup();
    await eventually(() => h.processes.alive('app').length === 1);
    await h.job('app').stop({ killAfter: 1000 });
    expect(h.processes.alive('prestop')).toHaveLength(1);
    expect(before(h.timeline.entries, 'wait:30', 'signal:app:SIGTERM')).toBe(true);
  });

  it('sends the configured stop signal (nginx wants SIGQUIT)', async () => {
    const h = jobHarness([jobConfig('nginx', { stopSignal: 'SIGQUIT' })]);
    h.startup();
    await eventually(() => h.processes.alive('nginx').length === 1);
    await h.job('nginx').stop({ killAfter: 1000 });
    expect(h.processes.of('nginx')[0]!.signals[0]).toBe('SIGQUIT');
  });

  it('SIGKILLs the process group when the process ignores its stop signal', async () => {
    const h = jobHarness([jobConfig('stubborn')]);
    h.processes.script('stubborn', (run) => (run.ignores = ['SIGTERM']));
    h.startup();
    await eventually(() => h.processes.alive('stubborn').length === 1);
    await h.job('stubborn').stop({ killAfter: 20 });
    expect(h.processes.of('stubborn')[0]!.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(before(h.timeline.entries, 'wait:20', 'signal:stubborn:SIGKILL')).toBe(true);
    expect(h.timeline.entries.at(-1)).toBe('stopped:stubborn');
  });

  it('does not restart a process that exits because it was asked to stop', async () => {
    const h = jobHarness([jobConfig('server', { restarts: { kind: 'unlimited' } })]);
    h.startup();
    await eventually(() => h.processes.alive('server').length === 1);
    await h.job('server').stop({ killAfter: 1000 });
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.processes.of('server')).toHaveLength(1);
  });

  it('stops a job still waiting for its `when` without running it', async () => {
    const h = jobHarness([jobConfig('app', { when: { kind: 'once', source: 'db', event: 'healthy' } })]);
    h.startup();
    await h.job('app').stop({ killAfter: 1000 });
    h.bus.publish({ code: 'healthy', source: 'db' });
    await h.bus.settled();
    expect(h.processes.of('app')).toHaveLength(0);
    expect(h.timeline.entries).toContain('stopped:app');
  });
});

describe('global shutdown', () => {
  it('stops restarts at once but keeps stop hooks listening', async () => {
    const h = jobHarness([
      jobConfig('app', { restarts: { kind: 'unlimited' } }),
      jobConfig('poststop', { when: { kind: 'once', source: 'app', event: 'stopped' } }),
    ]);
    h.processes.exitsWith('poststop', 0);
    h.startup();
    await eventually(() => h.processes.alive('app').length === 1);
    h.bus.publish({ code: 'shutdown', source: 'global' });
    h.processes.of('app')[0]!.exit(1);
    await eventually(() => h.timeline.entries.includes('exitFailed:app'));
    await h.job('app').stop({ killAfter: 1000 });
    await h.job('poststop').completed;
    expect(h.processes.of('app')).toHaveLength(1);
    expect(before(h.timeline.entries, 'stopped:app', 'spawn:poststop')).toBe(true);
  });

  it('turns an `each` stop hook into a last run', async () => {
    const h = jobHarness([
      jobConfig('app'),
      jobConfig('cleanup', { when: { kind: 'each', source: 'app', event: 'stopped' } }),
    ]);
    h.processes.exitsWith('cleanup', 0);
    h.startup();
    h.bus.publish({ code: 'shutdown', source: 'global' });
    await h.job('app').stop({ killAfter: 1000 });
    await h.job('cleanup').completed;
    expect(h.processes.of('cleanup')).toHaveLength(1);
  });

  it('ignores the triggers of ordinary jobs once shutting down', async () => {
    const h = jobHarness([
      jobConfig('reload', { when: { kind: 'each', source: 'watch.db', event: 'changed' } }),
    ]);
    h.bus.publish({ code: 'shutdown', source: 'global' });
    h.bus.publish({ code: 'changed', source: 'watch.db' });
    await h.bus.settled();
    expect(h.processes.of('reload')).toHaveLength(0);
  });
});
