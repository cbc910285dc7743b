// The whole demo on loopback for a test file (scripts/local/local-app.ts): one LocalApp, started in
// beforeAll on free ports with a temporary state directory, stopped in afterAll whatever happened
// before (each instance deregisters, nginx and Consul go last, no process is left behind).
// The logs are kept, and their path printed, when a test failed.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { freePort } from '../../scripts/local/consul-agent.ts';
import { LocalApp, type LocalAppOptions } from '../../scripts/local/local-app.ts';
import type { ExitInfo, Instance } from '../../scripts/local/instance.ts';

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

/** Polls `probe` until it returns something truthy, which it returns; fails after `timeoutMs`. */
export async function eventually<T>(
  probe: () => Promise<T | undefined | null | false>,
  what: string,
  timeoutMs = 30_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    await sleep(100);
  }
  const cause = lastError ? `: ${(lastError as Error).message}` : '';
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${cause}`);
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
