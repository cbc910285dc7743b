// The informer against a real kube-apiserver (envtest). The ConfigMap watch cache is off and etcd is
// compacted every second, so an old resourceVersion really expires and the apiserver answers 410 —
// the situation a long network partition leaves an informer in.
import { CoreV1Api, type KubeConfig, type V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { Envtest } from '../../../test/support/envtest.ts';
import { Informer, type InformerOptions } from './informer.ts';
import { isExpired, kubeStream } from './kube-http.ts';
import { ApiServerProxy } from './testing/apiserver-proxy.ts';

const logger = pino({ level: process.env.LOG_LEVEL ?? 'silent' });
let envtest: Envtest;
let kc: KubeConfig;
let core: CoreV1Api;
const stops: (() => Promise<void>)[] = [];

beforeAll(async () => {
  envtest = await Envtest.start({
    apiServerArgs: ['--watch-cache-sizes=configmaps#0', '--etcd-compaction-interval=1s'],
  });
  kc = envtest.kubeConfig();
  core = kc.makeApiClient(CoreV1Api);
});
afterAll(async () => {
  for (const stop of stops.reverse()) await stop();
  await envtest?.stop();
});

async function namespace(name: string): Promise<string> {
  await core.createNamespace({ body: { metadata: { name } } });
  return name;
}

const configMap = (name: string, data: Record<string, string>, labels = { app: 'demo' }): V1ConfigMap => ({
  metadata: { name, labels },
  data,
});

function startInformer(ns: string, options: Partial<InformerOptions> = {}) {
  const informer = new Informer<V1ConfigMap>({
    kubeConfig: kc,
    path: `/api/v1/namespaces/${ns}/configmaps`,
    labelSelector: 'app=demo',
    logger,
    backoff: { initialMs: 50, maxMs: 500 },
    ...options,
  });
  const seen: string[] = [];
  informer
    .on('add', (o) => seen.push(`add ${o.metadata!.name}`))
    .on('update', (_old, o) => seen.push(`update ${o.metadata!.name}=${o.data?.v}`))
    .on('delete', (o) => seen.push(`delete ${o.metadata!.name}`));
  informer.start();
  stops.push(() => informer.stop());
  return { informer, seen };
}

async function withProxy(upstream: KubeConfig = kc): Promise<ApiServerProxy> {
  const proxy = await ApiServerProxy.start(upstream);
  stops.push(() => proxy.close());
  return proxy;
}

describe('Informer against a real apiserver', () => {
  it('lists, then sees ConfigMaps added, updated and deleted — only those matching its selector', async () => {
    const ns = await namespace('informer-basic');
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('before', { v: '0' }) });
    const { informer, seen } = startInformer(ns);
    await informer.synced;
    expect(informer.list().map((o) => o.metadata!.name)).toEqual(['before']);
    expect(informer.get(ns, 'before')).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      data: { v: '0' },
    });

    await core.createNamespacedConfigMap({
      namespace: ns,
      body: configMap('other', {}, { app: 'unrelated' }),
    });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('during', { v: '1' }) });
    await core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'during',
      body: [{ op: 'replace', path: '/data/v', value: '2' }],
    });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'before' });
    await eventually(() => seen.length === 4, 'four events');
    expect(seen).toEqual(['add before', 'add during', 'update during=2', 'delete before']);
    expect(informer.list().map((o) => o.metadata!.name)).toEqual(['during']);
  });

  it('resumes from its resourceVersion when the apiserver ends watches or the connection breaks, without relisting', async () => {
    // An apiserver of its own, compacting at the default interval: with this file's 1 s compaction
    // a resume can land on a compacted revision and rightly relist (410), the next test's story,
    // and this one would fail by chance.
    const steady = await Envtest.start();
    stops.push(() => steady.stop());
    const steadyCore = steady.kubeConfig().makeApiClient(CoreV1Api);
    const ns = 'informer-resume';
    await steadyCore.createNamespace({ body: { metadata: { name: ns } } });
    const proxy = await withProxy(steady.kubeConfig());
    const { informer, seen } = startInformer(ns, {
      kubeConfig: proxy.kubeConfig(),
      watchTimeoutSeconds: [1, 1],
    });
    await informer.synced;
    await steadyCore.createNamespacedConfigMap({ namespace: ns, body: configMap('a', { v: '1' }) });
    await eventually(() => proxy.watches >= 3, 'the apiserver to end two watches');
    await steadyCore.createNamespacedConfigMap({ namespace: ns, body: configMap('b', { v: '1' }) });
    await eventually(() => informer.get(ns, 'b') ?? false, 'b after the watch restarts');

    await eventually(() => proxy.cutWatches() > 0, 'an open watch to cut');
    await steadyCore.patchNamespacedConfigMap({
      namespace: ns,
      name: 'a',
      body: [{ op: 'replace', path: '/data/v', value: '2' }],
    });
    await eventually(() => seen.includes('update a=2'), 'the update made while the watch was cut');
    expect(seen).toEqual(['add a', 'add b', 'update a=2']);
    expect(proxy.lists).toBe(1);
    expect(proxy.watchResourceVersions.every((rv) => rv !== '')).toBe(true);
  });

  it('relists after a partition outlived its resourceVersion (410), catching up on what it missed', async () => {
    const ns = await namespace('informer-expired');
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('stays', { v: '1' }) });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('goes', { v: '1' }) });
    const proxy = await withProxy();
    const { informer, seen } = startInformer(ns, { kubeConfig: proxy.kubeConfig() });
    await informer.synced;
    await eventually(() => proxy.watches >= 1, 'the first watch');

    proxy.block();
    const staleVersion = informer.lastSyncResourceVersion;
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'goes' });
    await core.patchNamespacedConfigMap({
      namespace: ns,
      name: 'stays',
      body: [{ op: 'replace', path: '/data/v', value: '2' }],
    });
    await core.createNamespacedConfigMap({ namespace: ns, body: configMap('new', { v: '1' }) });
    await eventually(
      () => watchExpires(ns, staleVersion),
      'etcd to compact the informer resourceVersion away',
    );
    proxy.unblock();

    await eventually(() => proxy.lists === 2 && informer.get(ns, 'new') !== undefined, 'a relist');
    expect(seen).toEqual(['add goes', 'add stays', 'add new', 'update stays=2', 'delete goes']);
    expect(
      informer
        .list()
        .map((o) => o.metadata!.name)
        .sort(),
    ).toEqual(['new', 'stays']);
    expect(proxy.watchResourceVersions).toContain(staleVersion);
  });
});

/** True once a watch from `resourceVersion` is refused as expired. */
async function watchExpires(ns: string, resourceVersion: string): Promise<boolean> {
  const abort = new AbortController();
  let expired = false;
  try {
    await kubeStream(
      kc,
      {
        path: `/api/v1/namespaces/${ns}/configmaps`,
        query: { watch: true, resourceVersion, timeoutSeconds: 1 },
        signal: abort.signal,
      },
      (line) => {
        const event = JSON.parse(line) as { type: string; object: { code?: number } };
        if (event.type === 'ERROR' && event.object.code === 410) expired = true;
        abort.abort();
      },
    );
  } catch (error) {
    if (isExpired(error)) return true;
    if (!abort.signal.aborted) throw error;
  }
  return expired;
}
