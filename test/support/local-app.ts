// The whole demo on loopback for a test file (scripts/local/local-app.ts): one LocalApp, started in
// beforeAll on free ports with a temporary state directory, stopped in afterAll whatever happened
// before (each instance deregisters, nginx and Consul go last, no process is left behind).
// The logs are kept, and their path printed, when a test failed.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { freePort } from '../../scripts/local/consul-agent.ts';
import { LocalApp, type LocalAppOptions } from '../../scripts/local/local-app.ts';
import type { ExitInfo, Instance } from '../../scripts/local/instance.ts';
import { eventually } from './eventually.ts';

export const ROOT = path.resolve(import.meta.dirname, '../..');

export interface UnexpectedExit {
  instance: Instance;
  exit: ExitInfo;
}

export interface LocalAppFixture {
  app(): LocalApp;
  /** The temporary directory holding logs, sockets and any config the test writes. */
  stateDir(): string;
  /** Instances that ended without being asked to (crashes, bad configs), oldest first. */
  readonly unexpectedExits: UnexpectedExit[];
}

type Extra = Partial<Pick<LocalAppOptions, 'initial' | 'env'>> & {
  /** Written into the state directory before the start: lets a test swap a service's config. */
  configs?: (stateDir: string) => LocalAppOptions['configs'];
};

export function useLocalApp(extra: Extra = {}): LocalAppFixture {
  let app: LocalApp | undefined;
  let stateDir: string | undefined;
  let keepLogs = false;
  const unexpectedExits: UnexpectedExit[] = [];

  beforeAll(async () => {
    const consulBinary = process.env.CONSUL_BIN;
    if (!consulBinary) throw new Error('CONSUL_BIN is not set (test/support/integration-setup.ts sets it)');
    stateDir = mkdtempSync(path.join(os.tmpdir(), 'local-app-'));
    const configs = extra.configs?.(stateDir);
    app = new LocalApp({
      root: ROOT,
      stateDir,
      consulBinary,
      port: await freePort(),
      consulPort: await freePort(),
      ...(extra.initial ? { initial: extra.initial } : {}),
      ...(extra.env ? { env: extra.env } : {}),
      ...(configs ? { configs } : {}),
      onUnexpectedExit: (instance, exit) => unexpectedExits.push({ instance, exit }),
    });
    try {
      await app.start();
      // start() waits for the page; the services become healthy a few seconds later.
      await eventually(
        async () => (await status(`${app!.url}hello`)) === 200 && (await status(`${app!.url}world`)) === 200,
        'hello and world to answer through nginx',
        90_000,
      );
      await nginxSettled(stateDir);
    } catch (error) {
      keepLogs = true;
      throw error;
    }
  });

  beforeEach(({ onTestFailed }) => {
    onTestFailed(() => {
      keepLogs = true;
    });
  });

  afterAll(async () => {
    try {
      await app?.stop();
    } finally {
      if (stateDir && keepLogs) process.stderr.write(`local app logs kept in ${stateDir}/logs\n`);
      else if (stateDir) rmSync(stateDir, { recursive: true, force: true });
    }
  });

  return {
    app: () => {
      if (!app) throw new Error('the local app is not started yet (use it inside tests)');
      return app;
    },
    stateDir: () => {
      if (!stateDir) throw new Error('the local app is not started yet (use it inside tests)');
      return stateDir;
    },
    unexpectedExits,
  };
}

/**
 * Waits until nginx has no reload in flight: a single worker, the same one for half a second. Each
 * reload starts a new worker, and until the old one has exited it may still take a connection and
 * answer from the configuration before.
 */
async function nginxSettled(stateDir: string): Promise<void> {
  const master = Number(readFileSync(path.join(stateDir, 'nginx', 'nginx.pid'), 'utf8'));
  let workers = '';
  let since = Date.now();
  await eventually(
    async () => {
      const now = execFileSync('ps', ['-o', 'pid=', '--ppid', String(master)], { encoding: 'utf8' }).trim();
      if (now !== workers || now.includes('\n')) {
        workers = now;
        since = Date.now();
        return false;
      }
      return Date.now() - since >= 500;
    },
    'nginx to settle on its configuration',
    30_000,
  );
}

export async function status(url: string): Promise<number> {
  const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
  await response.arrayBuffer();
  return response.status;
}

/** The instances nginx routes to, per service, from its /instances.json. */
export async function routedIds(app: LocalApp): Promise<{ hello: string[]; world: string[] }> {
  const response = await fetch(`${app.url}instances.json`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as Record<'hello' | 'world', Array<{ id: string }>>;
  return { hello: body.hello.map((i) => i.id), world: body.world.map((i) => i.id) };
}

/** Which instance answered one GET of /<service>?format=json, or undefined when none did. */
export async function answeredBy(app: LocalApp, service: 'hello' | 'world'): Promise<string | undefined> {
  const response = await fetch(`${app.url}${service}?format=json`, { signal: AbortSignal.timeout(5000) });
  const body = (await response.json()) as { instance?: string };
  return response.ok ? body.instance : undefined;
}
