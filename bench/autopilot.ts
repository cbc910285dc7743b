// Benchmarks autopilot against a real Consul agent and prints figures (not a test):
//  1. watch change → hook start latency, p50/p95 over N changes, autopilot (blocking queries) vs
//     ContainerPilot's algorithm (poll /v1/health/service every interval, diff, run the hook). The
//     ContainerPilot binary itself cannot be fetched here (the Go module proxy refuses its module),
//     so the baseline is that algorithm, run in this same process against the same agent.
//  2. idle RSS and CPU of one autopilot supervising a registered, health-checked service with a
//     watch, over IDLE_SECONDS, against a bare Node 24 process sampled over the same window.
// Usage: node bench/autopilot.ts   (env: CHANGES=25 IDLE_SECONDS=60 POLL_INTERVAL_MS=3000)
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsulAgent } from '../scripts/local/consul-agent.ts';
import { percentile } from './stats.ts';

const root = path.resolve(import.meta.dirname, '..');
const node = path.join(root, 'node_modules/.bin/node');
const CHANGES = Number(process.env.CHANGES ?? 25);
const IDLE_SECONDS = Number(process.env.IDLE_SECONDS ?? 60);
const POLL_INTERVAL_MS = Number(process.env.POLL_INTERVAL_MS ?? 3000);
const work = mkdtempSync(path.join(os.tmpdir(), 'autopilot-bench-'));

const nowNs = (): bigint => BigInt(Date.now()) * 1_000_000n + (process.hrtime.bigint() % 1_000_000n);

function hookLines(file: string): bigint[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map(BigInt);
}

async function waitForLines(file: string, count: number, timeoutMs: number): Promise<bigint[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const lines = hookLines(file);
    if (lines.length >= count) return lines;
    if (Date.now() > deadline)
      throw new Error(`hook did not run (${lines.length}/${count}) within ${timeoutMs} ms`);
    await sleep(5);
  }
}

/** Registers instance i of `svc` (passing, no checks) and returns when it was registered, in ns. */
async function addInstance(consul: ConsulAgent, svc: string, i: number): Promise<bigint> {
  const before = nowNs();
  const res = await consul.api('PUT', '/v1/agent/service/register', {
    ID: `${svc}-${i}`,
    Name: svc,
    Address: '127.0.0.1',
    Port: 10000 + i,
  });
  if (res.status !== 200) throw new Error(`register failed: ${res.status}`);
  return before;
}

async function measureLatencies(consul: ConsulAgent, svc: string, hookFile: string): Promise<number[]> {
  await addInstance(consul, svc, 0);
  await waitForLines(hookFile, 1, 30_000);
  await sleep(500); // let the first run finish before timing changes
  const latencies: number[] = [];
  for (let i = 1; i <= CHANGES; i++) {
    const seen = hookLines(hookFile).length;
    const t0 = await addInstance(consul, svc, i);
    const lines = await waitForLines(hookFile, seen + 1, 30_000);
    latencies.push(Number(lines[seen]! - t0) / 1e6);
    // A random phase over a whole poll interval, so a poller's next tick is uniformly far away
    // (waiting a fixed time after its last tick would always land late in its cycle).
    await sleep(200 + Math.random() * POLL_INTERVAL_MS);
  }
  return latencies;
}

/** Writes `config` (plus this run's Consul, quiet logs and a private socket) and starts autopilot on it. */
function launchAutopilot(name: string, consul: ConsulAgent, config: Record<string, unknown>): ChildProcess {
  const file = path.join(work, `${name}.json5`);
  const full = {
    consul: consul.address,
    logging: { level: 'WARN' },
    control: { socket: path.join(work, `${name}.sock`) },
    ...config,
  };
  writeFileSync(file, JSON.stringify(full));
  return spawn(node, [path.join(root, 'services/autopilot/src/main.ts'), '-config', file], {
    stdio: 'inherit',
  });
}

async function stop(...children: ChildProcess[]): Promise<void> {
  await Promise.all(
    children.map((child) => {
      if (child.exitCode !== null || child.signalCode !== null) return undefined;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      return exited;
    }),
  );
}

async function autopilotLatencies(consul: ConsulAgent): Promise<number[]> {
  const hookFile = path.join(work, 'autopilot-hook.log');
  const child = launchAutopilot('watch', consul, {
    jobs: [
      {
        name: 'onchange',
        exec: ['sh', '-c', `date +%s%N >> ${hookFile}`],
        when: { source: 'watch.benchsvc', each: 'changed' },
      },
    ],
    watches: [{ name: 'benchsvc', interval: POLL_INTERVAL_MS / 1000 }],
  });
  try {
    return await measureLatencies(consul, 'benchsvc', hookFile);
  } finally {
    await stop(child);
  }
}

/** ContainerPilot 3.8's watch: GET ?passing every interval, compare ID+address+port, run the hook. */
async function pollingLatencies(consul: ConsulAgent): Promise<number[]> {
  const hookFile = path.join(work, 'polling-hook.log');
  let last = '';
  let running = true;
  const loop = (async () => {
    while (running) {
      try {
        const res = await consul.api<Array<{ Service: { ID: string; Address: string; Port: number } }>>(
          'GET',
          '/v1/health/service/pollsvc?passing=1',
        );
        const key = (res.body ?? [])
          .map((e) => `${e.Service.ID}/${e.Service.Address}:${e.Service.Port}`)
          .sort()
          .join(',');
        if (key !== last) {
          last = key;
          spawn('sh', ['-c', `date +%s%N >> ${hookFile}`], { stdio: 'ignore' });
        }
      } catch {
        // ContainerPilot only logs watch errors
      }
      await sleep(POLL_INTERVAL_MS);
    }
  })();
  try {
    return await measureLatencies(consul, 'pollsvc', hookFile);
  } finally {
    running = false;
    await loop;
  }
}

interface Usage {
  cpuPercent: number;
  rssMiB: number;
}

function procTicks(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return Number(fields[11]) + Number(fields[12]); // utime + stime
}
const rssKiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

async function sampleIdle(pids: number[], seconds: number): Promise<Usage[]> {
  const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
  const start = pids.map(procTicks);
  const rss = pids.map(() => [] as number[]);
  for (let s = 0; s < seconds; s++) {
    await sleep(1000);
    pids.forEach((pid, i) => rss[i]!.push(rssKiB(pid)));
  }
  return pids.map((pid, i) => ({
    cpuPercent: ((procTicks(pid) - start[i]!) / hz / seconds) * 100,
    rssMiB: rss[i]!.reduce((a, b) => a + b, 0) / rss[i]!.length / 1024,
  }));
}

async function idleUsage(consul: ConsulAgent): Promise<{ autopilot: Usage; bareNode: Usage }> {
  const autopilot = launchAutopilot('idle', consul, {
    jobs: [
      {
        name: 'app',
        exec: ['sleep', '3600'],
        port: 9999,
        interfaces: ['static:127.0.0.1'],
        health: { exec: 'true', interval: 3, ttl: 10 },
      },
    ],
    watches: [{ name: 'app', interval: 3 }],
  });
  const bare = spawn(node, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });
  try {
    await sleep(5000); // past start-up: the first health checks and registration
    const [a, b] = await sampleIdle([autopilot.pid!, bare.pid!], IDLE_SECONDS);
    return { autopilot: a!, bareNode: b! };
  } finally {
    await stop(autopilot, bare);
  }
}

const consulBinary = execFileSync('bash', [path.join(root, 'scripts/build-consul.sh')], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
}).trim();
const consul = await ConsulAgent.start({ binary: consulBinary });
try {
  console.log(
    `autopilot benchmark: ${CHANGES} changes, idle window ${IDLE_SECONDS} s, poll interval ${POLL_INTERVAL_MS} ms, ${os.cpus().length} cores, load ${os.loadavg()[0]!.toFixed(2)}`,
  );
  const ours = await autopilotLatencies(consul);
  const polling = await pollingLatencies(consul);
  const row = (name: string, v: number[]) =>
    console.log(
      `${name.padEnd(44)} p50 ${percentile(v, 50).toFixed(1).padStart(8)} ms   p95 ${percentile(v, 95).toFixed(1).padStart(8)} ms`,
    );
  console.log('\nwatch change → hook start');
  row('autopilot (blocking queries)', ours);
  row(`ContainerPilot algorithm (poll every ${POLL_INTERVAL_MS} ms)`, polling);
  console.log(
    `ratio (poll / autopilot): p50 ${(percentile(polling, 50) / percentile(ours, 50)).toFixed(1)}x, p95 ${(percentile(polling, 95) / percentile(ours, 95)).toFixed(1)}x`,
  );

  const idle = await idleUsage(consul);
  console.log(`\nidle over ${IDLE_SECONDS} s (one service, health check every 3 s, one watch)`);
  for (const [name, u] of Object.entries(idle)) {
    console.log(
      `${name.padEnd(44)} CPU ${u.cpuPercent.toFixed(2).padStart(6)} %   RSS ${u.rssMiB.toFixed(1).padStart(6)} MiB`,
    );
  }
  console.log(
    `ratio (autopilot / bare Node 24): CPU ${(idle.autopilot.cpuPercent / Math.max(idle.bareNode.cpuPercent, 0.01)).toFixed(1)}x, RSS ${(idle.autopilot.rssMiB / idle.bareNode.rssMiB).toFixed(2)}x`,
  );
} finally {
  await consul.stop();
}
