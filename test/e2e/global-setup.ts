// vitest globalSetup for the e2e project: brings the project's cluster up once before any e2e test
// (scripts/cluster/up.sh; the first run on a machine builds Kubernetes, which can take longer than
// a hook timeout allows) and, if it was this setup that started it, takes it down afterwards
// (AUTOPILOT_KEEP_CLUSTER=1 keeps it). Tests find it through test/support/cluster.ts.
import { ensureCluster, kubeconfigPath, stopCluster } from '../support/cluster.ts';

let startedHere = false;

export function setup(): void {
  startedHere = ensureCluster().started;
  process.env.KUBECONFIG = kubeconfigPath();
}

export async function teardown(): Promise<void> {
  if (startedHere) await stopCluster();
}
