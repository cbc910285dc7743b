// SIGTERM observed from outside, against a real Consul agent: every process of the story writes
// one line (and whether Consul still lists the service at that moment) into a shared file.
import { readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { useConsulAgent } from '../../../../test/support/consul.ts';
import { eventually } from '../../../../test/support/eventually.ts';
import { NODE, startAutopilot, tempDir, type RunningAutopilot } from './testing/spawn-autopilot.ts';

/** `probe.mjs LABEL [--serve]`: appends "LABEL registered=BOOL"; with --serve, waits for SIGTERM first. */
const PROBE = `
import { appendFileSync } from 'node:fs';
const [label, mode] = process.argv.slice(2);
const record = async (what) => {
  const response = await fetch('http://' + process.env.CONSUL_ADDR + '/v1/agent/service/' + process.env.SERVICE_ID);
  appendFileSync(process.env.EVENTS_FILE, what + ' registered=' + (response.status === 200) + '\\n');
};
if (mode === '--serve') {
  setInterval(() => {}, 1000);
  process.on('SIGTERM', async () => { await record(label + ' got SIGTERM'); process.exit(0); });
  appendFileSync(process.env.EVENTS_FILE, label + ' started\\n');
} else {
  await record(label);
}
`;

const consul = useConsulAgent();
const started: RunningAutopilot[] = [];
afterEach(() => {
  for (const { child } of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('SIGTERM, seen from outside', () => {
  it('runs preStop, deregisters the app before signalling it, then runs postStop and exits 0', async () => {
    const dir = tempDir();
    const events = path.join(dir, 'events');
    const probe = path.join(dir, 'probe.mjs');
    writeFileSync(probe, PROBE);
    writeFileSync(events, '');
    const serviceId = `app-${hostname()}`;
    const jobs = [
      {
        name: 'app',
        exec: [NODE, probe, 'app', '--serve'],
        port: 8080,
        interfaces: ['static:127.0.0.1'],
        initial_status: 'passing',
        health: { exec: 'true', interval: 1, ttl: 10 },
        drainDelay: '200ms',
      },
      { name: 'prestop', exec: [NODE, probe, 'prestop'], when: { source: 'app', once: 'stopping' } },
      { name: 'poststop', exec: [NODE, probe, 'poststop'], when: { source: 'app', once: 'stopped' } },
    ];
    const autopilot = startAutopilot({ consul: consul().address, jobs }, dir, {
      CONSUL_ADDR: consul().address,
      SERVICE_ID: serviceId,
      EVENTS_FILE: events,
    });
    started.push(autopilot);

    const registered = async () =>
      (await consul().api('GET', `/v1/agent/service/${serviceId}`)).status === 200;
    await eventually(() => readFileSync(events, 'utf8').includes('app started'), 'the app to start', 15_000);
    await eventually(registered, 'the app to register in Consul', 10_000);

    autopilot.child.kill('SIGTERM');

    expect(await autopilot.exited).toBe(0);
    expect(readFileSync(events, 'utf8').trim().split('\n')).toEqual([
      'app started',
      'prestop registered=true',
      'app got SIGTERM registered=false',
      'poststop registered=false',
    ]);
    expect(await registered()).toBe(false);
  });
});
