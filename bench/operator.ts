// Figures for the operator on a real kube-apiserver (envtest: etcd + kube-apiserver, no kubelet); a
// script, not a test. Bounded: APPS apps, each step with a deadline.
//  a) baseline: the same child objects (6 per app) applied directly by server-side apply, two at a
//     time — the floor any operator pays for writing them.
//  b) the operator (startOperator, in this process): APPS HelloWorldApps created at once → every app
//     has its children and a status for its generation. Total time, per-app p50/p95, ratio to (a).
//  c) a spec change on every app → every world Deployment at the new count.
//  d) memory: heap and RSS of this process before the operator started and once it has settled with
//     APPS apps in its caches.
// Usage: ./node_modules/.bin/node bench/operator.ts      env: APPS=50
import { AppsV1Api, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { pino } from 'pino';
import { CRD_FILE } from '../operator/src/api/v1alpha1/crd.ts';
import {
  API_VERSION,
  GROUP,
  KIND,
  PLURAL,
  VERSION,
  type HelloWorldApp,
} from '../operator/src/api/v1alpha1/types.ts';
import { readConfig } from '../operator/src/config.ts';
import { desiredChildren } from '../operator/src/controllers/helloworldapp/desired.ts';
import { startOperator } from '../operator/src/manager.ts';
import { applyObject } from '../operator/src/runtime/apply.ts';
import { eventually } from '../test/support/eventually.ts';
import { startEnvtest } from '../test/support/envtest.ts';
import { percentile } from './stats.ts';

const APPS = Number(process.env.APPS ?? 50);
const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const names = Array.from({ length: APPS }, (_, i) => `app-${i}`);
const manifest = (name: string) => ({ apiVersion: API_VERSION, kind: KIND, metadata: { name }, spec: {} });

const envtest = await startEnvtest();
const kc = envtest.kubeConfig();
try {
  await envtest.installCrd(CRD_FILE);
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const objects = kc.makeApiClient(CustomObjectsApi);
  for (const namespace of ['baseline', 'operated'])
    await core.createNamespace({ body: { metadata: { name: namespace } } });
  const where = (namespace: string) => ({ group: GROUP, version: VERSION, plural: PLURAL, namespace });

  // a) Direct server-side apply of the same children.
  const created = await Promise.all(
    names.map(
      async (name) =>
        (await objects.createNamespacedCustomObject({
          ...where('baseline'),
          body: manifest(name),
        })) as HelloWorldApp,
    ),
  );
  const config = readConfig({});
  const children = created.flatMap((app) => desiredChildren(app, config));
  let t0 = performance.now();
  const queue = [...children];
  await Promise.all(
    [0, 1].map(async () => {
      for (let child = queue.shift(); child; child = queue.shift())
        await applyObject(kc, child, { fieldManager: 'bench' });
    }),
  );
  const directMs = performance.now() - t0;
  log(`baseline: ${children.length} objects applied directly in ${directMs.toFixed(0)} ms`);

  // b) The operator.
  global.gc?.();
  const before = process.memoryUsage();
  const operator = await startOperator({
    config: { ...readConfig({ LEADER_ELECT: 'false', WATCH_NAMESPACE: 'operated' }), port: 0 },
    kubeConfig: kc,
    logger: pino({ level: 'silent' }),
    host: '127.0.0.1',
  });
  try {
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${operator.port}/readyz`)).ok,
      'operator ready',
    );
    const doneAt = new Map<string, number>();
    const startedAt = new Map<string, number>();
    t0 = performance.now();
    await Promise.all(
      names.map(async (name) => {
        startedAt.set(name, performance.now());
        await objects.createNamespacedCustomObject({ ...where('operated'), body: manifest(name) });
      }),
    );
    await eventually(
      async () => {
        const list = (await objects.listNamespacedCustomObject(where('operated'))) as {
          items: HelloWorldApp[];
        };
        const now = performance.now();
        for (const app of list.items) {
          if (app.status?.observedGeneration === app.metadata.generation && !doneAt.has(app.metadata.name!))
            doneAt.set(app.metadata.name!, now);
        }
        return doneAt.size === APPS;
      },
      `${APPS} apps reconciled`,
      300_000,
      50,
    );
    const operatorMs = performance.now() - t0;
    const deployments = (await apps.listNamespacedDeployment({ namespace: 'operated' })).items.length;
    const latencies = names.map((n) => doneAt.get(n)! - startedAt.get(n)!);
    log(`operator: ${APPS} apps (${deployments} Deployments) reconciled in ${operatorMs.toFixed(0)} ms`);

    // c) A spec change on every app.
    t0 = performance.now();
    await Promise.all(
      names.map((name) =>
        objects.patchNamespacedCustomObject({
          ...where('operated'),
          name,
          body: [{ op: 'add', path: '/spec/world', value: { replicas: 2 } }],
        }),
      ),
    );
    await eventually(
      async () =>
        (
          await apps.listNamespacedDeployment({
            namespace: 'operated',
            labelSelector: 'app.kubernetes.io/name=world',
          })
        ).items.every((d) => d.spec?.replicas === 2),
      'every world at 2',
      300_000,
      50,
    );
    const changeMs = performance.now() - t0;
    await new Promise((resolve) => setTimeout(resolve, 3000));
    global.gc?.();
    const after = process.memoryUsage();

    console.log(`operator bench (${APPS} apps, ${children.length} child objects, envtest on this machine)`);
    console.log(`  direct server-side apply of the children (baseline): ${directMs.toFixed(0)} ms`);
    console.log(
      `  operator, create → every app reconciled:            ${operatorMs.toFixed(0)} ms (ratio ${(operatorMs / directMs).toFixed(2)})`,
    );
    console.log(
      `    per app: p50 ${percentile(latencies, 50).toFixed(0)} ms, p95 ${percentile(latencies, 95).toFixed(0)} ms`,
    );
    console.log(`  spec change on every app → applied:                 ${changeMs.toFixed(0)} ms`);
    console.log(
      `  memory: heap ${mib(before.heapUsed)} → ${mib(after.heapUsed)}, RSS ${mib(before.rss)} → ${mib(after.rss)} with ${APPS} apps cached`,
    );
  } finally {
    await operator.stop();
  }
} finally {
  await envtest.stop();
}
