// Time to a Ready single-node cluster, kind against the network-namespace local cluster, measured in
// the same run with warm caches (binaries and images built beforehand: the first `up` of each is not
// timed). A script, not a test. It takes down whatever cluster the project has up, then, `rounds`
// times each: up (timed until the node is Ready, as cluster:up returns), down (timed).
// Usage: ./node_modules/.bin/node bench/cluster-up.ts [rounds=2]
//   env BENCH_BACKENDS="kind local" picks the backends (the local one exists while both do).
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { repoRoot } from '../test/support/cluster.ts';

const rounds = Number(process.argv[2] ?? 2);
const backends = (process.env.BENCH_BACKENDS ?? 'kind local').split(/\s+/).filter(Boolean);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

function run(script: 'up' | 'down', backend: string): number {
  const t0 = performance.now();
  const r = spawnSync('bash', [path.join(repoRoot, `scripts/cluster/${script}.sh`)], {
    env: { ...process.env, AUTOPILOT_CLUSTER: backend, KUBECONFIG: '' },
    stdio: ['ignore', 'ignore', 'pipe'],
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`${script}.sh (${backend}) failed:\n${r.stderr.slice(-2000)}`);
  return (performance.now() - t0) / 1000;
}

const results: Record<string, { up: number[]; down: number[] }> = {};
run('down', 'auto');
for (const backend of backends) {
  log(`${backend}: warming up (builds anything missing; not timed)`);
  run('up', backend);
  run('down', backend);
  results[backend] = { up: [], down: [] };
  for (let i = 0; i < rounds; i++) {
    const up = run('up', backend);
    const down = run('down', backend);
    results[backend].up.push(up);
    results[backend].down.push(down);
    log(`${backend} round ${i + 1}: up ${up.toFixed(1)} s, down ${down.toFixed(1)} s`);
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;
console.log(`cluster up/down, warm caches, median of ${rounds}`);
console.log('| backend | up (s) | down (s) |');
console.log('| --- | --- | --- |');
for (const [backend, r] of Object.entries(results))
  console.log(`| ${backend} | ${median(r.up).toFixed(1)} | ${median(r.down).toFixed(1)} |`);
if (results.kind && results.local)
  console.log(`kind up / local up: ${(median(results.kind.up) / median(results.local.up)).toFixed(2)}x`);
