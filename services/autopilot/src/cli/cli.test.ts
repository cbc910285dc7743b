import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Config } from '../config/types.ts';
import { startControlServer, type ControlServer } from '../control/server.ts';
import { UnknownMetricError, type ControlActions } from '../control/types.ts';
import { silentLogger } from '../logging/logger.ts';
import { AUTOPILOT_VERSION } from '../version.ts';
import { runCli, type CliDeps } from './cli.ts';

/** What a running autopilot would do, recorded. */
class FakeApp implements ControlActions {
  readonly done: string[] = [];
  async reload(): Promise<void> {
    this.done.push('reload');
  }
  async setMaintenance(enabled: boolean): Promise<void> {
    this.done.push(`maintenance ${enabled}`);
  }
  putEnv(values: Record<string, string>): void {
    this.done.push(`env ${JSON.stringify(values)}`);
  }
  putMetric(values: Record<string, number>): void {
    if ('undeclared' in values) throw new UnknownMetricError('undeclared', ['runs']);
    this.done.push(`metric ${JSON.stringify(values)}`);
  }
}

const BAD_CONFIG = 'cp.json5:4:12: unexpected "}"\ncp.json5:9:3: unknown key "jbos"';

let dir: string;
let socket: string;
let app: FakeApp;
let server: ControlServer;
let out: string;
let err: string;
let ran: Config[];

const configAt = (file: string, controlSocket: string): Config => ({
  path: file,
  logging: { level: 'info', format: 'json', output: 'stdout' },
  jobs: [],
  watches: [],
  templates: [],
  control: { socket: controlSocket },
  stopTimeout: 5000,
});

function deps(env: NodeJS.ProcessEnv = {}): CliDeps {
  return {
    env,
    hostname: 'test-host',
    stdout: (text) => void (out += text),
    stderr: (text) => void (err += text),
    loadConfig: (file) => {
      if (file.includes('bad')) throw new Error(BAD_CONFIG);
      return configAt(file, socket);
    },
    renderConfigTemplate: (file, environment) => `{ rendered: "${file}", who: "${environment.WHO ?? ''}" }\n`,
    run: async (config) => {
      ran.push(config);
      return 0;
    },
  };
}

beforeEach(async () => {
  dir = await mkdtemp(path.join(tmpdir(), 'autopilot-cli-'));
  socket = path.join(dir, 'cp.socket');
  app = new FakeApp();
  server = await startControlServer({ socket, actions: app, logger: silentLogger() });
  out = '';
  err = '';
  ran = [];
});
afterEach(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('client verbs against a running control socket', () => {
  const viaEnv = (): CliDeps => deps({ CONTAINERPILOT_SOCKET: socket });

  it('-ping prints ok', async () => {
    expect(await runCli(['-ping'], viaEnv())).toBe(0);
    expect(out).toBe('ok\n');
  });

  it('-putenv, -putmetric, -maintenance and -reload reach the app', async () => {
    expect(await runCli(['-putenv', 'A=1', '-putenv', 'B=x=y'], viaEnv())).toBe(0);
    expect(await runCli(['--putmetric', 'runs=2'], viaEnv())).toBe(0);
    expect(await runCli(['-maintenance', 'enable'], viaEnv())).toBe(0);
    expect(await runCli(['-maintenance=disable'], viaEnv())).toBe(0);
    expect(await runCli(['-reload'], viaEnv())).toBe(0);

    expect(app.done).toEqual([
      'env {"A":"1","B":"x=y"}',
      'metric {"runs":2}',
      'maintenance true',
      'maintenance false',
      'reload',
    ]);
    expect(err).toBe('');
  });

  it("finds the socket through the config's control.socket when no override is set", async () => {
    expect(await runCli(['-config', 'cp.json5', '-ping'], deps())).toBe(0);
    expect(await runCli(['-ping'], deps({ CONTAINERPILOT: 'cp.json5' }))).toBe(0);
  });

  it("fails with the server's reason when the request is refused", async () => {
    expect(await runCli(['-putmetric', 'undeclared=1'], viaEnv())).toBe(1);
    expect(err).toBe(
      'autopilot -putmetric: POST /v3/metric failed (400): unknown metric "undeclared" (declared metrics: runs)\n',
    );
  });

  it('fails saying so when nothing listens on the socket', async () => {
    await server.close();
    expect(await runCli(['-ping'], viaEnv())).toBe(1);
    expect(err).toMatch(/^autopilot -ping: no control socket at .*cp\.socket: is autopilot running/);
  });

  it('fails with the config errors when the config it must read the socket from is broken', async () => {
    expect(await runCli(['-config', 'bad.json5', '-ping'], deps())).toBe(1);
    expect(err).toBe(`${BAD_CONFIG}\n`);
  });
});

describe('local commands', () => {
  it('-validate exits 0 for a valid file and starts nothing', async () => {
    expect(await runCli(['-validate', '-config', 'cp.json5'], deps())).toBe(0);
    expect(out).toBe('cp.json5: valid\n');
    expect(ran).toEqual([]);
  });

  it('-validate exits 1 printing the file:line:col lines for a bad file', async () => {
    expect(await runCli(['-validate', '-config', 'bad.json5'], deps())).toBe(1);
    expect(err).toBe(`${BAD_CONFIG}\n`);
  });

  it('-template renders to stdout, or to the -out file', async () => {
    expect(await runCli(['-template', '-config', 'cp.json5'], deps({ WHO: 'me' }))).toBe(0);
    expect(out).toBe('{ rendered: "cp.json5", who: "me" }\n');

    const file = path.join(dir, 'rendered.json5');
    expect(await runCli(['-template', '-config', 'cp.json5', '-out', file], deps())).toBe(0);
    expect(await readFile(file, 'utf8')).toBe('{ rendered: "cp.json5", who: "" }\n');
  });

  it('-template says so when it cannot write the -out file', async () => {
    const file = path.join(dir, 'missing-dir', 'rendered.json5');
    expect(await runCli(['-template', '-config', 'cp.json5', '-out', file], deps())).toBe(1);
    expect(err).toMatch(/^autopilot -template: cannot write .*rendered\.json5: ENOENT/);
  });

  it('-version names autopilot and the ContainerPilot it stands in for', async () => {
    expect(await runCli(['-version'], deps())).toBe(0);
    expect(out).toBe(`Version: ${AUTOPILOT_VERSION}\nContainerPilot compatibility: 3.8.0\n`);
  });
});

describe('running', () => {
  it('runs the supervisor with the loaded config and exits with its code', async () => {
    expect(await runCli(['-config', 'cp.json5'], deps())).toBe(0);
    expect(ran.map((config) => config.path)).toEqual(['cp.json5']);
  });

  it('starts nothing when the config is bad', async () => {
    expect(await runCli(['-config', 'bad.json5'], deps())).toBe(1);
    expect(err).toBe(`${BAD_CONFIG}\n`);
    expect(ran).toEqual([]);
  });

  it('exits 2 with usage for an unknown flag or a missing config', async () => {
    expect(await runCli(['-frobnicate'], deps())).toBe(2);
    expect(err).toMatch(/^autopilot: Unknown option '-frobnicate'.*\n\nUsage: autopilot/s);

    err = '';
    expect(await runCli([], deps())).toBe(2);
    expect(err).toMatch(/^autopilot: no configuration: pass -config FILE or set CONTAINERPILOT/);
  });
});
