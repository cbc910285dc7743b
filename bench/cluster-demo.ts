// Figures for the demo on the cluster, run by the operator; a script, not a test. Every wait is
// bounded. Needs a running cluster (npm run cluster:up); builds and loads the images, installs the
// chart, applies helloworld.yaml in its own namespace and removes all of it at the end.
//  a) `docker-compose scale hello=10 world=6`, the operator's way (a patch of the app's spec):
//     time until the 16 pods are Ready (Kubernetes' part: the baseline) and until nginx routes to
//     all 16 (autopilot's part added on top: registration after a passing check, the blocking
//     query, nginx's re-render and reload). The ratio is routed / ready.
//  b) memory (RssAnon, read in each container from /proc/1/status): the autopilot sidecar against
//     the hello app it sits beside (both Node 24), and the operator.
//  c) scale back to 1/1 under load (4 clients inside the cluster): requests answered and failed.
// Usage: ./node_modules/.bin/node bench/cluster-demo.ts     env: AUTOPILOT_E2E_BUILD_IMAGES=0 skips the build
import path from 'node:path';
import { ensureCluster, kubectl, kubectlJson, repoRoot } from '../test/support/cluster.ts';
import { DemoInCluster, buildImages } from '../test/e2e/support/demo.ts';
import { helm } from '../test/e2e/support/helm.ts';
import { eventually } from '../test/support/eventually.ts';

const ns = 'bench-demo';
const app = 'helloworld';
const demo = new DemoInCluster(ns, app);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);

// Polled every 250 ms: the figures are only as fine as the poll.
const until = <T>(what: string, ms: number, probe: () => Promise<T | false>) =>
  eventually(probe, what, ms, 250);

const readyCount = async (component: 'hello' | 'world') =>
  (await demo.readyPods(demo.selector(component))).length;

async function rssAnonKiB(target: string, container: string, namespace = ns): Promise<number> {
  const { stdout } = await kubectl([
    'exec',
    '-n',
    namespace,
    target,
    '-c',
    container,
    '--',
    'cat',
    '/proc/1/status',
  ]);
  return Number(/RssAnon:\s+(\d+)/.exec(stdout)?.[1]);
}

ensureCluster();
buildImages(['autopilot', 'consul', 'hello', 'world', 'nginx', 'operator']);
await helm([
  ...['upgrade', '--install', 'autopilot-operator', path.join(repoRoot, 'charts/autopilot-operator')],
  ...['-n', 'autopilot-system', '--create-namespace', '--wait', '--timeout', '180s'],
]);
// The image tag stays `dev`: a rebuilt operator image is only picked up by a new pod.
await kubectl(['rollout', 'restart', 'deployment/autopilot-operator', '-n', 'autopilot-system']);
await kubectl([
  'rollout',
  'status',
  'deployment/autopilot-operator',
  '-n',
  'autopilot-system',
  '--timeout=120s',
]);
await demo.deleteNamespace(true);
await demo.createRestrictedNamespace();
try {
  await kubectl(['apply', '-n', ns, '-f', path.join(repoRoot, 'helloworld.yaml')]);
  await until('the app to be Ready', 240_000, async () => {
    const a = await kubectlJson<{ status?: { conditions?: { type: string; status: string }[] } }>([
      ...['get', 'helloworldapp', app, '-n', ns],
    ]);
    return a.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') === true;
  });
  log('app ready; scaling hello=10 world=6');

  // a)
  const t0 = Date.now();
  await kubectl([
    ...['patch', 'helloworldapp', app, '-n', ns, '--type=merge'],
    ...['-p', '{"spec":{"hello":{"replicas":10},"world":{"replicas":6}}}'],
  ]);
  let readyAt = 0;
  let routedAt = 0;
  await until('16 ready pods and 16 routed instances', 300_000, async () => {
    const now = Date.now();
    if (!readyAt && (await readyCount('hello')) === 10 && (await readyCount('world')) === 6) readyAt = now;
    if (!routedAt) {
      const { hello, world } = await demo.instances();
      if (hello.length === 10 && world.length === 6) routedAt = now;
    }
    return readyAt > 0 && routedAt > 0;
  });

  // b)
  const sidecar = await rssAnonKiB(`deploy/${app}-hello`, 'autopilot');
  const helloApp = await rssAnonKiB(`deploy/${app}-hello`, 'hello');
  const nginxPid1 = await rssAnonKiB(`deploy/${app}-nginx`, 'nginx');
  const operator = await rssAnonKiB('deploy/autopilot-operator', 'operator', 'autopilot-system');

  // c)
  const load = await demo.underLoad('/hello', 25, async () => {
    await kubectl([
      ...['patch', 'helloworldapp', app, '-n', ns, '--type=merge'],
      ...['-p', '{"spec":{"hello":{"replicas":1},"world":{"replicas":1}}}'],
    ]);
  });

  const ready = (readyAt - t0) / 1000;
  const routed = (routedAt - t0) / 1000;
  const mib = (kib: number) => `${(kib / 1024).toFixed(1)} MiB`;
  console.log('demo on the cluster, through the operator');
  console.log(`  scale hello=10 world=6 → 16 pods Ready (Kubernetes, baseline): ${ready.toFixed(1)} s`);
  console.log(
    `  scale hello=10 world=6 → nginx routes to all 16:              ${routed.toFixed(1)} s (ratio ${(routed / ready).toFixed(2)})`,
  );
  console.log(
    `  RssAnon: autopilot sidecar ${mib(sidecar)}, hello app beside it ${mib(helloApp)} (ratio ${(sidecar / helloApp).toFixed(2)}); nginx pod's autopilot init ${mib(nginxPid1)}; operator ${mib(operator)}`,
  );
  console.log(
    `  scale back to 1/1 under load: ${load.ok} requests answered, ${load.failed} failed ${load.failures.join(' ')}`,
  );
} finally {
  await demo.deleteNamespace(false);
}
