import { describe, expect, it } from 'vitest';
import type { HealthConfig } from '../config/types.ts';
import type { HealthResult } from './health-monitor.ts';
import { eventually, jobConfig } from './testing/fakes.ts';
import { jobHarness, service } from './testing/harness.ts';

const health: HealthConfig = { kind: 'tcp', address: '127.0.0.1:1', interval: 5, ttl: 1000, timeout: 5 };

/** A health check whose answer the test flips, counting how often it ran. */
function switchableCheck(initial: HealthResult) {
  const state = { result: initial, runs: 0 };
  const check = async () => {
    state.runs += 1;
    return state.result;
  };
  return { state, check };
}

describe('health checks', () => {
  it('do not run before the job has started', async () => {
    const { state, check } = switchableCheck({ ok: true, note: 'ok' });
    const h = jobHarness(
      [
        jobConfig('app', {
          service: service('app'),
          health,
          when: { kind: 'once', source: 'db', event: 'healthy' },
        }),
      ],
      {
        healthChecks: { app: check },
      },
    );
    h.startup();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(state.runs).toBe(0);
    expect(h.registration('app').calls).toEqual([]);
  });

  it('pass: publish healthy every time and heartbeat; fail: publish unhealthy and mark critical', async () => {
    const { state, check } = switchableCheck({ ok: true, note: 'fine' });
    const h = jobHarness([jobConfig('app', { service: service('app'), health })], {
      healthChecks: { app: check },
    });
    h.startup();
    await eventually(() => h.timeline.count('healthy:app') >= 2);
    expect(h.registration('app').calls.slice(0, 2)).toEqual(['pass', 'pass']);
    expect(h.job('app').status().state).toBe('healthy');

    state.result = { ok: false, note: 'connection refused' };
    await eventually(() => h.timeline.count('unhealthy:app') >= 1);
    await eventually(() => h.registration('app').calls.includes('fail'));
    expect(h.job('app').status().state).toBe('unhealthy');
    expect(h.lines).toContainEqual(expect.objectContaining({ job: 'app', note: 'connection refused' }));
    await h.job('app').stop({ killAfter: 100 });
  });

  it('a registration-only job checks and registers a process that runs elsewhere', async () => {
    const { check } = switchableCheck({ ok: true, note: 'ok' });
    const h = jobHarness([jobConfig('sidecar', { exec: undefined, service: service('sidecar'), health })], {
      healthChecks: { sidecar: check },
    });
    h.startup();
    await eventually(() => h.registration('sidecar').calls.includes('pass'));
    expect(h.processes.runs).toHaveLength(0);
    expect(h.job('sidecar').isComplete).toBe(false);
    await h.job('sidecar').stop({ killAfter: 100 });
    expect(h.registration('sidecar').calls.at(-1)).toBe('deregister');
  });

  it('initial_status registers the service as soon as the job starts', async () => {
    const { check } = switchableCheck({ ok: true, note: 'ok' });
    const h = jobHarness(
      [jobConfig('app', { service: service('app', { initialStatus: 'warning' }), health })],
      {
        healthChecks: { app: check },
      },
    );
    await h.job('app').consulSettled();
    expect(h.registration('app').calls).toEqual(['registerInitial']);
    await h.job('app').stop({ killAfter: 100 });
  });

  it('maintenance pauses checks and heartbeats until it is over', async () => {
    const { state, check } = switchableCheck({ ok: true, note: 'ok' });
    const h = jobHarness([jobConfig('app', { service: service('app'), health })], {
      healthChecks: { app: check },
    });
    h.startup();
    await eventually(() => h.registration('app').calls.includes('pass'));

    h.bus.publish({ code: 'enterMaintenance', source: 'global' });
    await eventually(() => h.registration('app').calls.includes('maintenance-on'));
    expect(h.job('app').status().state).toBe('maintenance');
    const runs = state.runs;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(state.runs).toBe(runs);
    expect(h.registration('app').calls.at(-1)).toBe('maintenance-on');

    h.bus.publish({ code: 'exitMaintenance', source: 'global' });
    await eventually(() => h.registration('app').calls.at(-1) === 'pass');
    expect(h.registration('app').calls.slice(-2)).toEqual(['maintenance-off', 'pass']);
    await h.job('app').stop({ killAfter: 100 });
  });

  it('stops checking before it deregisters, so no heartbeat re-registers a stopped service', async () => {
    const { check } = switchableCheck({ ok: true, note: 'ok' });
    const h = jobHarness([jobConfig('app', { service: service('app'), health })], {
      healthChecks: { app: check },
    });
    h.startup();
    await eventually(() => h.registration('app').calls.includes('pass'));
    await h.job('app').stop({ killAfter: 100 });
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(h.registration('app').calls.at(-1)).toBe('deregister');
  });
});
