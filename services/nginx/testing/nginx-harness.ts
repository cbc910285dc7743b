// Runs a real nginx on a free loopback port with nginx.conf.tmpl rendered by autopilot's template
// engine and functions from a given catalog of healthy instances: for the integration and browser tests.
// When the test runs as root, nginx runs as `nobody` with everything it writes in a private run
// directory, which is as close to "non-root on a read-only root filesystem" as a test can get.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  chownSync,
  cpSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../../scripts/local/consul-agent.ts';
import { eventually } from '../../../test/support/eventually.ts';
import { compile, type Template } from '../../autopilot/src/config/template/template.ts';
import { templateFuncs, type TemplateData } from '../../autopilot/src/templates/functions.ts';

/** One healthy instance, as consul-template's `service` returns it. */
export interface Instance {
  ID: string;
  Address: string;
  Port: number;
}
export type Catalog = Record<string, Instance[]>;

const NGINX_DIR = path.resolve(import.meta.dirname, '..');
const NOBODY = 65534;

export function findNginx(): string {
  const candidates = [process.env.NGINX_BIN, '/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/bin/nginx'];
  const found = candidates.find((candidate) => candidate && existsSync(candidate));
  if (!found) {
    throw new Error(
      'nginx is not installed: `apt-get install nginx-light` (scripts/setup.sh), or set NGINX_BIN',
    );
  }
  return found;
}

/** The template rendered with autopilot's own template functions, `service` answering from the catalog. */
export function renderNginxConf(
  catalog: Catalog,
  env: Record<string, string>,
  template = loadTemplate(),
): string {
  const data: TemplateData = {
    instances: (service) =>
      (catalog[service] ?? []).map((i) => ({
        id: i.ID,
        service,
        address: i.Address,
        port: i.Port,
        tags: [],
        meta: {},
        node: 'test-node',
      })),
    keyValue: () => undefined,
  };
  return template.execute({}, { funcs: templateFuncs(data, env, { services: new Set(), keys: new Set() }) });
}

function loadTemplate(): Template {
  const file = path.join(NGINX_DIR, 'nginx.conf.tmpl');
  // The function table at compile time only lets the parser reject unknown function names.
  const funcs = templateFuncs(
    { instances: () => [], keyValue: () => undefined },
    {},
    { services: new Set(), keys: new Set() },
  );
  return compile(readFileSync(file, 'utf8'), { name: file, funcs });
}

export interface RunningNginx {
  url: string;
  port: number;
  runDir: string;
  confPath: string;
  /** Re-renders for the catalog, reloads nginx and waits until it serves the new configuration. */
  configure(catalog: Catalog): Promise<void>;
  /** `nginx -t` on the current rendered file. */
  testConfig(): { status: number | null; output: string };
  /** nginx's stderr so far: error lines and the JSON access log lines. */
  stderr(): string;
  stop(): Promise<void>;
}

export async function startNginx(catalog: Catalog): Promise<RunningNginx> {
  const nginx = findNginx();
  const asRoot = process.getuid?.() === 0;
  const user = asRoot ? { uid: NOBODY, gid: NOBODY } : {};
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'demo-nginx-'));
  // A private copy of the page, so nginx as `nobody` does not depend on the checkout's permissions.
  const siteDir = path.join(runDir, 'site');
  cpSync(path.join(NGINX_DIR, 'site'), siteDir, { recursive: true });
  const port = await freePort();
  const env = {
    NGINX_RUN_DIR: runDir,
    NGINX_PORT: String(port),
    NGINX_HOST: '127.0.0.1',
    NGINX_SITE_DIR: siteDir,
  };
  const template = loadTemplate();
  const confPath = path.join(runDir, 'nginx.conf');
  const write = (next: Catalog) => {
    writeFileSync(confPath, renderNginxConf(next, env, template));
    if (asRoot) chownTree(runDir, NOBODY);
  };
  write(catalog);

  // Piped like autopilot pipes its children (socketpairs): nginx must write to them, not reopen them.
  let stderr = '';
  const child: ChildProcess = spawn(nginx, ['-e', 'stderr', '-c', confPath], {
    ...user,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.resume();
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));
  const url = `http://127.0.0.1:${port}`;

  const serves = async (expected: Catalog) => {
    const died = exited.then(() => {
      throw new Error(`nginx exited: ${stderr}`);
    });
    died.catch(() => {}); // only of interest while racing below
    const served = eventually(
      async () => {
        const shown = (await (await fetch(`${url}/instances.json`)).json()) as Record<
          string,
          { id: string }[]
        >;
        return ['hello', 'world'].every(
          (name) =>
            JSON.stringify(shown[name]?.map((i) => i.id)) ===
            JSON.stringify((expected[name] ?? []).map((i) => i.ID)),
        );
      },
      `nginx at ${url} to serve ${JSON.stringify(expected)}`,
      15_000,
    );
    await Promise.race([served, died]);
  };
  await serves(catalog);

  return {
    url,
    port,
    runDir,
    confPath,
    async configure(next) {
      write(next);
      const oldWorkers = workersOf(child.pid!);
      const reload = spawnSync(nginx, ['-s', 'reload', '-e', 'stderr', '-c', confPath], {
        ...user,
        encoding: 'utf8',
      });
      if (reload.status !== 0) throw new Error(`nginx -s reload failed: ${reload.stderr}`);
      await serves(next);
      // Until the old workers have exited they may still accept a connection and answer from the
      // old configuration (clients get no keep-alive, so each request is a new connection).
      await eventually(
        async () => {
          const workers = workersOf(child.pid!);
          return workers.length > 0 && workers.every((pid) => !oldWorkers.includes(pid));
        },
        'the old nginx workers to exit after the reload',
        15_000,
      );
    },
    testConfig() {
      const result = spawnSync(nginx, ['-t', '-e', 'stderr', '-c', confPath], { ...user, encoding: 'utf8' });
      return { status: result.status, output: `${result.stdout}${result.stderr}` };
    },
    stderr: () => stderr,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGQUIT');
      await exited;
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}

/** The nginx master's worker processes. */
function workersOf(master: number): number[] {
  const ps = spawnSync('ps', ['-o', 'pid=', '--ppid', String(master)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => Number(line.trim()))
    .filter((pid) => pid > 0);
}

function chownTree(dir: string, id: number): void {
  chownSync(dir, id, id);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(full, id);
    else chownSync(full, id, id);
  }
}
