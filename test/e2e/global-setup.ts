// vitest globalSetup for the e2e project: brings the project's cluster up once before any e2e test
// (scripts/cluster/up.sh; the first run on a machine builds Kubernetes, which can take longer than
// a hook timeout allows) and, if it was this setup that started it, takes it down afterwards
// (AUTOPILOT_KEEP_CLUSTER=1 keeps it). Tests find it through test/support/cluster.ts.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { ensureCluster, kubeconfigPath, kubectlPath, repoRoot } from '../support/cluster.ts';

let startedHere = false;

export function setup(): void {
  const answered =
    existsSync(kubeconfigPath()) &&
    spawnSync(
      kubectlPath(),
      ['--kubeconfig', kubeconfigPath(), '--request-timeout=5s', 'get', '--raw', '/readyz'],
      { stdio: 'ignore' },
    ).status === 0;
  ensureCluster();
  startedHere = !answered;
  process.env.KUBECONFIG = kubeconfigPath();
}

export function teardown(): void {
  if (!startedHere || process.env.AUTOPILOT_KEEP_CLUSTER === '1') return;
  execFileSync('bash', [path.join(repoRoot, 'scripts/cluster/down.sh')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
