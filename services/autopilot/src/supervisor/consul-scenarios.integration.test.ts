// Stories of a running autopilot (the real `node main.ts` process) and a real Consul agent: what a
// user sees from outside when instances come and go, when autopilot freezes, and when Consul forgets.
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../../../scripts/local/consul-agent.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { useConsulAgent } from '../../../../test/support/consul.ts';
import { startAutopilot, tempDir, type RunningAutopilot } from './testing/spawn-autopilot.ts';

interface HealthEntry {
  Service: { ID: string; Port: number };
  Checks: Array<{ CheckID: string; Status: string }>;
}

const lines = (file: string): string[] =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').filter(Boolean) : [];

describe('autopilot and Consul', () => {
  const consul = useConsulAgent();
  let running: RunningAutopilot | undefined;

  afterEach(async () => {
    running?.child.kill('SIGTERM');
    await running?.exited;
    running = undefined;
  });

  const register = (id: string, port: number) =>
    consul().api('PUT', '/v1/agent/service/register', {
      ID: id,
      Name: 'backend',
      Address: '127.0.0.1',
      Port: port,
    });

  const serviceChecks = async (id: string) => {
    const { body } = await consul().api<HealthEntry[]>('GET', '/v1/health/service/app');
    const entry = body.find((e) => e.Service.ID === id);
    if (!entry) throw new Error(`${id} is not registered`);
    return entry.Checks.find((c) => c.CheckID === `service:${id}`)?.Status;
  };

  it('fires an `each: changed` hook when a watched service gains an instance', async () => {
    const dir = tempDir();
    const hookLog = path.join(dir, 'hook.log');
    running = startAutopilot(
      {
        consul: consul().address,
        jobs: [
          {
            name: 'on-backend-change',
            exec: ['sh', '-c', `echo changed >> ${hookLog}`],
            when: { source: 'watch.backend', each: 'changed' },
          },
        ],
        // A long interval: a change can only arrive this fast through a blocking query.
        watches: [{ name: 'backend', interval: 600 }],
      },
      dir,
    );
    await register('backend-1', 7001);
    await eventually(() => expect(lines(hookLog)).toHaveLength(1), 'the first hook run');
    await register('backend-2', 7002);
    await eventually(() => expect(lines(hookLog)).toHaveLength(2), 'a hook run for the second instance');
  });

  /** A long-running app registered as `app-<host>` whose health check always passes. */
  const supervisedApp = (port: number, ttl: number) => ({
    consul: consul().address,
    jobs: [
      {
        name: 'app',
        exec: ['sleep', '600'],
        port,
        interfaces: ['static:127.0.0.1'],
        health: { exec: 'true', interval: 1, ttl },
      },
    ],
  });

  it('lets Consul mark the service critical once its TTL is missed', async () => {
    const dir = tempDir();
    running = startAutopilot(supervisedApp(7100, 3), dir, { AUTOPILOT_HOSTNAME: 'ttl' });
    await eventually(async () => expect(await serviceChecks('app-ttl')).toBe('passing'), 'registration');
    // A frozen supervisor sends no heartbeat: nothing but the TTL can turn the check critical.
    running.child.kill('SIGSTOP');
    try {
      await eventually(
        async () => expect(await serviceChecks('app-ttl')).toBe('critical'),
        'the TTL to lapse',
      );
    } finally {
      running.child.kill('SIGCONT');
    }
    await eventually(
      async () => expect(await serviceChecks('app-ttl')).toBe('passing'),
      'the next heartbeat',
    );
  });

  it('registers the service again after the Consul agent restarts with an empty state', async () => {
    const dir = tempDir();
    running = startAutopilot(supervisedApp(7200, 5), dir, { AUTOPILOT_HOSTNAME: 'phoenix' });
    await eventually(async () => expect(await serviceChecks('app-phoenix')).toBe('passing'), 'registration');

    await consul().restartEmpty();
    await expect(serviceChecks('app-phoenix')).rejects.toThrow(/not registered/);

    await eventually(
      async () => expect(await serviceChecks('app-phoenix')).toBe('passing'),
      're-registration (ContainerPilot 3.8 never does this, #577)',
    );
  });

  it('registers its telemetry as containerpilot-<AUTOPILOT_HOSTNAME>, like its services', async () => {
    const dir = tempDir();
    const port = await freePort();
    running = startAutopilot(
      { consul: consul().address, telemetry: { port, interfaces: ['static:127.0.0.1'] } },
      dir,
      { AUTOPILOT_HOSTNAME: 'shared-host-2' },
    );
    const ids = await eventually(async () => {
      const { body } = await consul().api<Record<string, { ID: string }>>('GET', '/v1/agent/services');
      const found = Object.keys(body).filter((id) => id.startsWith('containerpilot-'));
      return found.length > 0 && found;
    }, 'the telemetry service');
    expect(ids).toEqual(['containerpilot-shared-host-2']);
  });

  it('renders a template from the healthy instances and runs onChange only when the file changed', async () => {
    const dir = tempDir();
    const source = path.join(dir, 'upstreams.tmpl');
    const dest = path.join(dir, 'out', 'upstreams.conf');
    const reloads = path.join(dir, 'reloads.log');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(source, '{{ range service "backend" }}server {{ .Address }}:{{ .Port }};\n{{ end }}');
    running = startAutopilot(
      {
        consul: consul().address,
        templates: [{ name: 'upstreams', source, dest, onChange: ['sh', '-c', `echo reload >> ${reloads}`] }],
      },
      dir,
    );
    const rendered = () => (existsSync(dest) ? readFileSync(dest, 'utf8') : '');
    // backend-1 and backend-2 are left over from the first story when the agent kept its state;
    // the agent restarted empty since, so start from what Consul says now.
    await register('backend-10', 7010);
    await eventually(() => expect(rendered()).toContain('server 127.0.0.1:7010;'), 'the first render');
    const reloadsBefore = lines(reloads).length;

    await register('backend-11', 7011);
    await eventually(() => expect(rendered()).toContain('server 127.0.0.1:7011;'), 'a re-render');
    await eventually(() => expect(lines(reloads).length).toBe(reloadsBefore + 1), 'one onChange run');

    // Same instances, re-registered with a new tag: the output stays the same, so no onChange.
    await consul().api('PUT', '/v1/agent/service/register', {
      ID: 'backend-11',
      Name: 'backend',
      Address: '127.0.0.1',
      Port: 7011,
      Tags: ['retagged'],
    });
    await sleep(1500);
    expect(lines(reloads).length).toBe(reloadsBefore + 1);
  });
});
