// The operator process (startOperator, as main.ts runs it) against a real kube-apiserver (envtest).
// Envtest runs no controller-manager: no pods, no garbage collector, no Deployment controller. So the
// story plays the Deployment controller's part by hand where it matters (writing a rollout's status)
// and asserts on what the operator writes: children, ownerReferences, field ownership, the app's
// status, Events, its Lease and its metrics.
import {
  AppsV1Api,
  CoordinationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  EventsV1Api,
  type KubeConfig,
  type V1Deployment,
} from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../test/support/eventually.ts';
import { startEnvtest, type Envtest } from '../../test/support/envtest.ts';
import { CRD_FILE } from './api/v1alpha1/crd.ts';
import { GROUP, PLURAL, VERSION, type HelloWorldApp } from './api/v1alpha1/types.ts';
import { readConfig } from './config.ts';
import { LEADER_LEASE_NAME, startOperator, type RunningOperator } from './manager.ts';
import { kubeRequest } from './runtime/kube-http.ts';

const ns = 'shop';
const app = { group: GROUP, version: VERSION, plural: PLURAL, namespace: ns };
const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });

let envtest: Envtest;
let kc: KubeConfig;
let apps: AppsV1Api;
let core: CoreV1Api;
let objects: CustomObjectsApi;
let operator: RunningOperator | undefined;
let standby: RunningOperator | undefined;

const getApp = async (name: string) =>
  (await objects.getNamespacedCustomObject({ ...app, name })) as HelloWorldApp;
const deployment = (name: string) => apps.readNamespacedDeployment({ name, namespace: ns });
const deploymentNames = async () =>
  (await apps.listNamespacedDeployment({ namespace: ns })).items.map((d) => d.metadata!.name!).sort();
const serviceNames = async () =>
  (await core.listNamespacedService({ namespace: ns })).items.map((s) => s.metadata!.name!).sort();
const mergePatch = (path: string, body: object) =>
  kubeRequest(kc, { method: 'PATCH', path, body, contentType: 'application/merge-patch+json' });
const condition = (a: HelloWorldApp, type: string) => a.status?.conditions?.find((c) => c.type === type);

/** What the Deployment controller would write once every replica of `d` is up. */
async function rollOut(d: V1Deployment): Promise<void> {
  const replicas = d.spec?.replicas ?? 1;
  await apps.replaceNamespacedDeploymentStatus({
    name: d.metadata!.name!,
    namespace: ns,
    body: {
      ...d,
      status: {
        observedGeneration: d.metadata!.generation!,
        replicas,
        updatedReplicas: replicas,
        readyReplicas: replicas,
        availableReplicas: replicas,
      },
    },
  });
}

/** One operator replica as the chart runs it: leader election on, its Lease in "default". */
const replica = (podName: string) =>
  startOperator({
    config: { ...readConfig({ POD_NAMESPACE: 'default', POD_NAME: podName, LEADER_ELECT: 'true' }), port: 0 },
    kubeConfig: kc,
    logger,
    host: '127.0.0.1',
  });

beforeAll(async () => {
  envtest = await startEnvtest();
  kc = envtest.kubeConfig();
  await envtest.installCrd(CRD_FILE);
  apps = kc.makeApiClient(AppsV1Api);
  core = kc.makeApiClient(CoreV1Api);
  objects = kc.makeApiClient(CustomObjectsApi);
  await core.createNamespace({ body: { metadata: { name: ns } } });

  operator = await replica('operator-1');
});

afterAll(async () => {
  await operator?.stop();
  await standby?.stop();
  await envtest?.stop();
});

describe('the operator, running against a real API server', () => {
  const probe = async (path: string) => {
    const res = await fetch(`http://127.0.0.1:${operator!.port}${path}`);
    return { status: res.status, body: await res.text() };
  };

  it('becomes ready once its caches have synced, and leads through its Lease', async () => {
    await eventually(async () => (await probe('/readyz')).status === 200, '/readyz to answer 200');
    expect((await probe('/healthz')).status).toBe(200);
    const lease = await eventually(
      () =>
        kc
          .makeApiClient(CoordinationV1Api)
          .readNamespacedLease({ name: LEADER_LEASE_NAME, namespace: 'default' }),
      'the leader Lease',
    );
    expect(lease.spec?.holderIdentity).toBe('operator-1');
    await eventually(() => operator!.isLeader(), 'the operator to lead');
  });

  it('turns a HelloWorldApp into Consul, hello, world and nginx, each owned by the app', async () => {
    await objects.createNamespacedCustomObject({
      ...app,
      body: {
        apiVersion: `${GROUP}/${VERSION}`,
        kind: 'HelloWorldApp',
        metadata: { name: 'demo' },
        spec: {},
      },
    });
    const uid = (await getApp('demo')).metadata!.uid!;
    await eventually(
      async () => (await deploymentNames()).join() === 'demo-consul,demo-hello,demo-nginx,demo-world',
      'the four Deployments',
    );
    await eventually(
      async () => (await serviceNames()).join() === 'demo-consul,demo-nginx',
      'the two Services',
    );

    for (const name of ['demo-consul', 'demo-hello', 'demo-nginx', 'demo-world']) {
      const d = await deployment(name);
      expect(d.metadata?.ownerReferences).toEqual([
        expect.objectContaining({
          kind: 'HelloWorldApp',
          name: 'demo',
          uid,
          controller: true,
          blockOwnerDeletion: true,
        }),
      ]);
      // Server-side apply under the operator's own field manager.
      expect(d.metadata?.managedFields?.map((f) => `${f.manager}:${f.operation}`)).toContain(
        'autopilot-operator:Apply',
      );
    }
    // hello carries autopilot as a native sidecar: an init container that keeps running.
    const hello = await deployment('demo-hello');
    const sidecar = hello.spec?.template.spec?.initContainers?.find((c) => c.restartPolicy === 'Always');
    expect(sidecar?.image).toBe('autopilot-k8s/autopilot:dev');
  });

  it('reports the rollout in the app status, and Ready once every component has rolled out', async () => {
    const waiting = await eventually(async () => {
      const a = await getApp('demo');
      // The first pass may write its status before its own applies reach the cache; the children's
      // watch events bring the next pass, which counts them.
      return a.status?.observedGeneration === 1 && a.status.hello?.replicas === 1 && a;
    }, 'a status that counts the hello Deployment');
    expect(condition(waiting, 'Ready')?.status).toBe('False');
    expect(waiting.status?.hello).toEqual({ replicas: 1, readyReplicas: 0 });

    for (const name of await deploymentNames()) await rollOut(await deployment(name));
    const ready = await eventually(async () => {
      const a = await getApp('demo');
      return condition(a, 'Ready')?.status === 'True' && a;
    }, 'the app to be Ready');
    expect(ready.status?.hello).toEqual({ replicas: 1, readyReplicas: 1 });
    expect(ready.status?.url).toBe(`http://demo-nginx.${ns}.svc`);
  });

  it('keeps a `kubectl scale` of hello, and applies a spec change to world', async () => {
    await mergePatch(`/apis/apps/v1/namespaces/${ns}/deployments/demo-hello/scale`, {
      spec: { replicas: 3 },
    });
    await mergePatch(`/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}/demo`, {
      spec: { world: { replicas: 2 } },
    });
    await eventually(
      async () => (await deployment('demo-world')).spec?.replicas === 2,
      'world at 2 replicas',
    );
    await eventually(
      async () => (await getApp('demo')).status?.observedGeneration === 2,
      'generation 2 observed',
    );
    // spec.hello.replicas is unset: the replica count is not the operator's field, so the scale stays.
    expect((await deployment('demo-hello')).spec?.replicas).toBe(3);
    await eventually(
      async () => (await getApp('demo')).status?.hello?.replicas === 3,
      'status to show 3 hello',
    );
  });

  it('puts back a child someone deleted', async () => {
    const before = (await deployment('demo-nginx')).metadata!.uid;
    await apps.deleteNamespacedDeployment({ name: 'demo-nginx', namespace: ns });
    const after = await eventually(async () => (await deployment('demo-nginx')).metadata!.uid, 'nginx back');
    expect(after).not.toBe(before);
  });

  it('undoes a change someone made to a field it owns', async () => {
    const image = () => deployment('demo-world').then((d) => d.spec?.template.spec?.containers[0]?.image);
    const configured = await image();
    await kubeRequest(kc, {
      method: 'PATCH',
      path: `/apis/apps/v1/namespaces/${ns}/deployments/demo-world`,
      body: [{ op: 'replace', path: '/spec/template/spec/containers/0/image', value: 'tampered:1' }],
      contentType: 'application/json-patch+json',
    });
    await eventually(async () => (await image()) === configured, 'the image to be put back');
  });

  it('drops its own Consul when the app names an external agent', async () => {
    await mergePatch(`/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}/demo`, {
      spec: { consul: { address: 'consul.infra.svc:8500' } },
    });
    await eventually(async () => !(await deploymentNames()).includes('demo-consul'), 'demo-consul to go');
    await eventually(async () => !(await serviceNames()).includes('demo-consul'), 'its Service to go');
    const env = (await deployment('demo-world')).spec?.template.spec?.initContainers?.[0]?.env ?? [];
    expect(JSON.stringify(env)).toContain('consul.infra.svc:8500');
  });

  it('records what it did as Events on the app, and counts its reconciles', async () => {
    const events = await eventually(async () => {
      const list = await kc.makeApiClient(EventsV1Api).listNamespacedEvent({ namespace: ns });
      const onApp = list.items.filter(
        (e) => e.regarding?.kind === 'HelloWorldApp' && e.regarding.name === 'demo',
      );
      return onApp.some((e) => e.reason === 'Deleted') && onApp;
    }, 'Events about the app');
    expect(events.map((e) => `${e.type} ${e.reason}`)).toContain('Normal Created');
    expect(events.find((e) => e.reason === 'Deleted')?.note).toContain('Deployment demo-consul');

    const metrics = await probe('/metrics');
    const successes =
      /controller_runtime_reconcile_total\{controller="helloworldapp",result="success"\} (\d+)/.exec(
        metrics.body,
      );
    expect(Number(successes?.[1])).toBeGreaterThan(0);
    expect(metrics.body).toContain('workqueue_depth{name="helloworldapp"');
  });

  it('hands over to a standby: the leader releases its Lease on stop and the standby reconciles', async () => {
    const leases = kc.makeApiClient(CoordinationV1Api);
    standby = await replica('operator-2');
    // Ready (warm caches) while standing by; not leading while operator-1 holds the Lease.
    await eventually(
      async () => (await fetch(`http://127.0.0.1:${standby!.port}/readyz`)).status === 200,
      'the standby to be ready',
    );
    expect(standby.isLeader()).toBe(false);

    await operator!.stop();
    operator = undefined;
    // Released, not left to expire: the standby's next try (every 2–4.4 s) takes it.
    const lease = await eventually(async () => {
      const l = await leases.readNamespacedLease({ name: LEADER_LEASE_NAME, namespace: 'default' });
      return l.spec?.holderIdentity === 'operator-2' && l;
    }, 'operator-2 to hold the Lease');
    expect(lease.spec?.leaseTransitions).toBeGreaterThanOrEqual(1);

    await mergePatch(`/apis/${GROUP}/${VERSION}/namespaces/${ns}/${PLURAL}/demo`, {
      spec: { world: { replicas: 4 } },
    });
    await eventually(
      async () => (await deployment('demo-world')).spec?.replicas === 4,
      'world at 4 replicas',
    );
  });
});
