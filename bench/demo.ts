// Figures for the demo as `npm run local` runs it (Consul, nginx, hello and world, each under
// autopilot, on loopback); a script, not a test. Every loop is bounded and stops by itself.
//  a) a new hello instance turning healthy (Consul's /v1/health/service/hello?passing lists it,
//     seen through a blocking query) → the first request through nginx answered by it, while a
//     client hammers /hello?format=json; p50/p95 over NEW_INSTANCES instances added one at a time.
//  b) requests/s through nginx to the demo (/hello, one instance) against nginx answering from a
//     static upstream (a second nginx that returns 200) and nginx answering itself, measured in the
//     same run with REQUESTS requests at CONCURRENCY connections (wrk when installed, else Node).
//  c) failed requests while hello scales 1 → 10 → 1 under load.
// Usage: ./node_modules/.bin/node bench/demo.ts
//   env: NEW_INSTANCES=20 REQUESTS=20000 CONCURRENCY=16 BENCH_TOOL=node (skip wrk) CONSUL_BIN
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../scripts/local/consul-agent.ts';
import { LocalApp } from '../scripts/local/local-app.ts';
import { startLoad, type LoadResult } from '../scripts/local/load.ts';
import { startStaticNginx, type StaticNginx } from './demo/static-nginx.ts';
import { measureThroughput, type Throughput } from './demo/wrk.ts';
import { eventually } from '../test/support/eventually.ts';
import { percentile } from './stats.ts';

const root = path.resolve(import.meta.dirname, '..');
const NEW_INSTANCES = Number(process.env.NEW_INSTANCES ?? 20);
const REQUESTS = Number(process.env.REQUESTS ?? 20_000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

const until = (probe: () => Promise<boolean>, what: string, ms: number) => eventually(probe, what, ms, 50);

async function routedHello(app: LocalApp): Promise<string[]> {
  const response = await fetch(`${app.url}instances.json`, { signal: AbortSignal.timeout(5000) });
  return ((await response.json()) as { hello: Array<{ id: string }> }).hello.map((i) => i.id);
}

/** Calls `onPassing` with the passing instances every time Consul's answer changes (blocking queries). */
async function watchPassing(
  consul: string,
  signal: AbortSignal,
  onPassing: (ids: string[], at: number) => void,
): Promise<void> {
  let index = '0';
  while (!signal.aborted) {
    try {
      const url = `http://${consul}/v1/health/service/hello?passing=1&index=${index}&wait=30s`;
      const response = await fetch(url, { signal });
      const at = Date.now();
      index = response.headers.get('x-consul-index') ?? index;
      const entries = (await response.json()) as Array<{ Service: { ID: string } }>;
      onPassing(
        entries.map((e) => e.Service.ID),
        at,
      );
    } catch {
      if (!signal.aborted) await sleep(100);
    }
  }
}

/** a) One new instance at a time: when Consul says it is healthy, when nginx first routes to it. */
async function healthyToRouted(app: LocalApp): Promise<{ toHealthy: number[]; toRouted: number[] }> {
  const healthyAt = new Map<string, number>();
  const firstAnswerAt = new Map<string, number>();
  const watch = new AbortController();
  const watching = watchPassing(app.consulAddress, watch.signal, (ids, at) => {
    for (const id of ids) if (!healthyAt.has(id)) healthyAt.set(id, at);
  });
  const hammer = startLoad({
    url: `${app.url}hello?format=json`,
    concurrency: 2,
    maxRequests: 50_000_000,
    maxDurationMs: NEW_INSTANCES * 60_000,
    onAnswer: (body, at) => {
      const { instance } = JSON.parse(body) as { instance: string };
      if (!firstAnswerAt.has(instance)) firstAnswerAt.set(instance, at);
    },
  });
  const toHealthy: number[] = [];
  const toRouted: number[] = [];
  try {
    for (let n = 1; n <= NEW_INSTANCES; n++) {
      const startedAt = Date.now();
      await app.scale({ hello: 1 + n });
      const id = app.running('hello').at(-1)!.id;
      await until(async () => healthyAt.has(id) && firstAnswerAt.has(id), `${id} to answer`, 60_000);
      toHealthy.push(healthyAt.get(id)! - startedAt);
      toRouted.push(firstAnswerAt.get(id)! - healthyAt.get(id)!);
      log(`a) ${id}: healthy after ${toHealthy.at(-1)} ms, routed ${toRouted.at(-1)} ms later`);
    }
  } finally {
    hammer.stop();
    watch.abort();
    await Promise.all([hammer.done, watching]);
  }
  await app.scale({ hello: 1 });
  return { toHealthy, toRouted };
}

/** c) Scale 1 → 10 → 1 while four clients keep requesting /hello. */
async function scaleUnderLoad(app: LocalApp): Promise<LoadResult> {
  const load = startLoad({
    url: `${app.url}hello`,
    concurrency: 4,
    maxRequests: 5_000_000,
    maxDurationMs: 180_000,
  });
  try {
    await sleep(1000);
    await app.scale({ hello: 10 });
    await until(async () => (await routedHello(app)).length === 10, 'nginx to route to 10', 90_000);
    await sleep(1000);
    await app.scale({ hello: 1 });
    await until(async () => (await routedHello(app)).length === 1, 'nginx to route to 1', 90_000);
    await sleep(1000);
  } finally {
    load.stop();
  }
  return load.done;
}

async function main(): Promise<void> {
  const consulBinary =
    process.env.CONSUL_BIN ??
    execFileSync('bash', [path.join(root, 'scripts/build-consul.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'bench-demo-'));
  const app = new LocalApp({
    root,
    stateDir,
    consulBinary,
    port: await freePort(),
    consulPort: await freePort(),
    onUnexpectedExit: (instance, exit) =>
      log(`${instance.id} exited by itself (${exit.code ?? exit.signal})`),
  });
  let baseline: StaticNginx | undefined;
  let rows: string[][] | undefined;
  try {
    log(`starting the demo (logs in ${stateDir}/logs)`);
    await app.start();
    await until(async () => (await fetch(`${app.url}hello`)).ok, 'hello to answer', 90_000);

    log(`b) ${REQUESTS} requests at ${CONCURRENCY} connections per target`);
    baseline = await startStaticNginx();
    const bounds = { requests: REQUESTS, concurrency: CONCURRENCY, maxSeconds: 120 };
    await measureThroughput(`${app.url}hello`, { ...bounds, requests: Math.min(2000, REQUESTS) }); // warm-up
    const demo = await measureThroughput(`${app.url}hello`, bounds);
    const proxied = await measureThroughput(baseline.proxiedUrl, bounds);
    const direct = await measureThroughput(baseline.staticUrl, bounds);

    log('c) scale 1 → 10 → 1 under load');
    const scaling = await scaleUnderLoad(app);

    log(`a) ${NEW_INSTANCES} new instances, one at a time`);
    const { toHealthy, toRouted } = await healthyToRouted(app);

    const rate = (t: Throughput) =>
      `${Math.round(t.perSecond)} req/s (${t.requests} in ${t.seconds.toFixed(1)} s, ${t.failed} failed)`;
    const ms = (values: number[]) => `p50 ${percentile(values, 50)} ms, p95 ${percentile(values, 95)} ms`;
    rows = [
      [`a) healthy in Consul → first request routed (n=${toRouted.length})`, ms(toRouted)],
      ['   scale call → healthy in Consul', ms(toHealthy)],
      [`b) nginx → hello (Node), the demo [${demo.tool}, c=${CONCURRENCY}]`, rate(demo)],
      ['   nginx → static upstream (nginx return 200)', rate(proxied)],
      ['   nginx answering itself (return 200)', rate(direct)],
      [
        '   demo / static upstream, demo / nginx alone',
        `${(demo.perSecond / proxied.perSecond).toFixed(2)}, ${(demo.perSecond / direct.perSecond).toFixed(2)}`,
      ],
      [
        'c) scale hello 1 → 10 → 1 under load (4 clients)',
        `${scaling.total} requests, ${scaling.failed} failed${scaling.failed ? `: ${scaling.failures.slice(0, 3).join('; ')}` : ''}`,
      ],
    ];
  } finally {
    log('stopping');
    await app.stop();
    await baseline?.stop();
    if (rows) rmSync(stateDir, { recursive: true, force: true });
    else log(`logs kept in ${stateDir}/logs`);
  }
  const width = Math.max(...rows.map(([label]) => label!.length));
  console.log(
    `\nhello-world demo, local (${os.cpus().length} CPUs, load average ${os.loadavg()[0]!.toFixed(1)})`,
  );
  for (const [label, value] of rows) console.log(`${label!.padEnd(width)}  ${value}`);
}

main().then(
  () => process.exit(0),
  (error: Error) => {
    console.error(`bench failed: ${error.stack ?? error.message}`);
    process.exit(1);
  },
);
