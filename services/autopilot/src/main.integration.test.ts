// autopilot as users run it: `node main.ts FLAGS`, a real config file, a real Consul agent, and the
// client verbs driving a running autopilot through its control socket.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { freePort, useConsulAgent } from '../../../test/support/consul.ts';

const ROOT = path.resolve(import.meta.dirname, '../../..');
const NODE = path.join(ROOT, 'node_modules/.bin/node');
const MAIN = path.join(import.meta.dirname, 'main.ts');

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

function autopilot(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Outcome> {
  return new Promise((resolve) => {
    execFile(
      NODE,
      [MAIN, ...args],
      { env: { ...process.env, ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
      },
    );
  });
}

const dir = mkdtempSync(path.join(tmpdir(), 'autopilot-main-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('autopilot -validate', () => {
  it('exits 0 for a valid file, starting nothing', async () => {
    const file = path.join(dir, 'good.json5');
    const socket = path.join(dir, 'never.socket');
    writeFileSync(file, `{ control: { socket: "${socket}" }, jobs: [{ name: "once", exec: "true" }] }`);

    const outcome = await autopilot(['-validate', '-config', file]);

    expect(outcome).toMatchObject({ code: 0, stdout: `${file}: valid\n`, stderr: '' });
    expect(existsSync(socket)).toBe(false);
  });

  it('exits non-zero printing file:line:col for every problem', async () => {
    const file = path.join(dir, 'bad.json5');
    writeFileSync(file, '{\n  jobs: [{ name: "once", exec: "true" }],\n  jbos: [],\n}\n');

    const outcome = await autopilot(['--validate', `--config=${file}`]);

    expect(outcome.code).toBe(1);
    expect(outcome.stderr).toContain(`${file}:3:3: unknown key "jbos"`);
  });
});

describe('a running autopilot, driven from the command line', () => {
  const consul = useConsulAgent();
  const configFile = path.join(dir, 'autopilot.json5');
  const probeFile = path.join(dir, 'probe');
  let metricsUrl: string;
  let child: ChildProcess;
  let exited: Promise<number | null>;

  const writeConfig = (telemetryPort: number, extraMetric = '') =>
    writeFileSync(
      configFile,
      `{
        consul: "${consul().address}",
        logging: { level: "DEBUG", format: "json" },
        control: { socket: "${path.join(dir, 'cp.socket')}" },
        telemetry: {
          port: ${telemetryPort},
          interfaces: ["static:127.0.0.1"],
          metrics: [ { name: "jobs_done", help: "jobs done", type: "counter" } ${extraMetric} ],
        },
        jobs: [
          { name: "web", exec: "sleep 600", port: 8080, interfaces: ["static:127.0.0.1"],
            health: { exec: "true", interval: 1, ttl: 10 } },
          { name: "envprobe", exec: ["sh", "-c", "echo \\"$PROBE\\" > ${probeFile}"], when: { interval: "1s" } },
        ],
      }`,
    );
  // Client verbs find the socket the way jobs do: through $CONTAINERPILOT and its control.socket.
  const client = (...args: string[]) => autopilot(args, { CONTAINERPILOT: configFile });
  const scrape = async () => (await fetch(metricsUrl)).text();
  const passing = async (service: string) => {
    const { body } = await consul().api<unknown[]>('GET', `/v1/health/service/${service}?passing`);
    return body.length;
  };

  beforeAll(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    writeConfig(port);
    child = spawn(NODE, [MAIN, '-config', configFile], { stdio: 'ignore' });
    exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    await eventually(async () => expect((await client('-ping')).code).toBe(0), 'the control socket');
  });
  afterAll(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });

  it('answers -ping with ok', async () => {
    expect(await client('-ping')).toMatchObject({ code: 0, stdout: 'ok\n' });
  });

  it('hands -putenv values (even with "=" in them) to jobs started afterwards', async () => {
    expect((await client('-putenv', 'PROBE=a=b')).code).toBe(0);
    await eventually(
      async () => expect(readFileSync(probeFile, 'utf8')).toBe('a=b\n'),
      'the probe to see PROBE',
    );
  });

  it('records -putmetric in /metrics, and refuses undeclared metrics', async () => {
    expect((await client('-putmetric', 'jobs_done=2')).code).toBe(0);
    expect((await client('-putmetric', 'jobs_done=3')).code).toBe(0);
    const refused = await client('-putmetric', 'nope=1');

    const metrics = await scrape();
    expect(metrics).toMatch(/^jobs_done 5$/m);
    expect(metrics).toContain('containerpilot_control_http_requests{path="/v3/metric",code="200"} 2');
    expect(metrics).toContain('containerpilot_events{code="startup",source="global"} 1');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('unknown metric "nope" (declared metrics: jobs_done)');
  });

  it('registers its telemetry endpoint in Consul as service containerpilot', async () => {
    await eventually(async () => expect(await passing('containerpilot')).toBe(1), 'the telemetry service');
  });

  it('takes the service out of Consul with -maintenance enable, and back with disable', async () => {
    await eventually(async () => expect(await passing('web')).toBe(1), 'web to pass its health check');

    expect((await client('-maintenance', 'enable')).code).toBe(0);
    expect(await passing('web')).toBe(0);
    const status = (await (await fetch(metricsUrl.replace('/metrics', '/status'))).json()) as {
      Maintenance: boolean;
    };
    expect(status.Maintenance).toBe(true);

    expect((await client('-maintenance', 'disable')).code).toBe(0);
    await eventually(async () => expect(await passing('web')).toBe(1), 'web back in Consul');
  });

  it('-reload applies an edited config, and refuses a broken one with its file:line:col', async () => {
    writeConfig(
      Number(new URL(metricsUrl).port),
      ', { name: "reloads_seen", help: "after reload", type: "gauge" }',
    );
    expect((await client('-reload')).code).toBe(0);
    await eventually(
      async () => expect(await scrape()).toContain('# TYPE reloads_seen gauge'),
      'the new metric',
    );

    writeFileSync(configFile, readFileSync(configFile, 'utf8').replace('jobs:', 'jbos:'));
    const refused = await autopilot(['-reload'], { CONTAINERPILOT_SOCKET: path.join(dir, 'cp.socket') });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/autopilot\.json5:\d+:\d+: unknown key "jbos"/);
    expect((await autopilot(['-ping'], { CONTAINERPILOT_SOCKET: path.join(dir, 'cp.socket') })).code).toBe(0);
  });

  it('exits 0 on SIGTERM, deregistered, its control socket gone', async () => {
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path.join(dir, 'cp.socket'))).toBe(false);
    expect(await passing('web')).toBe(0);
    expect(await passing('containerpilot')).toBe(0);
  });
});

describe('a running autopilot logging to a file', () => {
  it('moves to a new file at the same path on SIGUSR1, after logrotate renamed the old one', async () => {
    const logFile = path.join(dir, 'autopilot.log');
    const configFile = path.join(dir, 'logging.json5');
    writeFileSync(
      configFile,
      `{
        logging: { level: "INFO", format: "text", output: "${logFile}" },
        control: { socket: "${path.join(dir, 'logging.socket')}" },
        jobs: [{ name: "ticker", exec: ["echo", "tick"], when: { interval: "1s" } }],
      }`,
    );
    const child = spawn(NODE, [MAIN, '-config', configFile], { stdio: 'ignore' });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    try {
      await eventually(async () => expect(readFileSync(logFile, 'utf8')).toContain('tick'), 'the first tick');
      renameSync(logFile, `${logFile}.1`);

      child.kill('SIGUSR1');

      await eventually(
        async () => expect(readFileSync(logFile, 'utf8')).toContain('tick'),
        'a tick in the new file',
      );
      expect(readFileSync(`${logFile}.1`, 'utf8')).toContain('tick');
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
  });
});
