import type { V1ConfigMap } from '@kubernetes/client-node';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { eventually } from '../../../test/support/eventually.ts';
import { Informer, type InformerOptions } from './informer.ts';
import {
  FakeApiServer,
  openWatch,
  sendJson,
  sendStatus,
  type FakeRequest,
} from './testing/fake-apiserver.ts';

const PATH = '/api/v1/namespaces/demo/configmaps';
const logger = pino({ level: 'silent' });

const cm = (name: string, resourceVersion: string, ownerUid?: string): V1ConfigMap => ({
  metadata: {
    name,
    namespace: 'demo',
    resourceVersion,
    ownerReferences: ownerUid
      ? [{ apiVersion: 'v1', kind: 'Owner', name: 'o', uid: ownerUid, controller: true }]
      : undefined,
  },
});
const list = (resourceVersion: string, items: V1ConfigMap[], next?: string) => ({
  apiVersion: 'v1',
  kind: 'ConfigMapList',
  metadata: { resourceVersion, continue: next },
  items,
});

type Watch = ReturnType<typeof openWatch> & { query: URLSearchParams };
const isWatch = (req: FakeRequest) => req.query.get('watch') === 'true';

/** A fake apiserver serving `lists` in turn (the last one repeats) and handing watches to the test. */
async function fakeApi(lists: ((req: FakeRequest) => unknown)[], failWatches = 0) {
  const watches: Watch[] = [];
  let listCalls = 0;
  let watchCalls = 0;
  const server = await FakeApiServer.start((req, res) => {
    if (req.path !== PATH) return sendStatus(res, 404, 'NotFound');
    if (isWatch(req) && watchCalls++ < failWatches) return sendStatus(res, 503, 'ServiceUnavailable');
    if (isWatch(req)) return void watches.push(Object.assign(openWatch(res), { query: req.query }));
    const answer = lists[Math.min(listCalls++, lists.length - 1)]!(req);
    if (typeof answer === 'number')
      return sendStatus(res, answer, answer === 410 ? 'Expired' : 'InternalError');
    sendJson(res, 200, answer);
  });
  return { server, watches };
}

function recorder(informer: Informer<V1ConfigMap>) {
  const events: string[] = [];
  informer
    .on('add', (o) => events.push(`add ${o.metadata!.name}@${o.metadata!.resourceVersion}`))
    .on('update', (_old, o, resync) =>
      events.push(`${resync ? 'resync' : 'update'} ${o.metadata!.name}@${o.metadata!.resourceVersion}`),
    )
    .on('delete', (o) => events.push(`delete ${o.metadata!.name}`));
  return events;
}

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const fn of cleanup.reverse()) await fn();
  cleanup = [];
});

function startInformer(server: FakeApiServer, extra: Partial<InformerOptions> = {}) {
  const informer = new Informer<V1ConfigMap>({
    kubeConfig: server.kubeConfig(),
    path: PATH,
    logger,
    backoff: { initialMs: 5, maxMs: 20 },
    ...extra,
  });
  const events = recorder(informer);
  informer.start();
  cleanup.push(
    () => server.close(),
    () => informer.stop(),
  );
  return { informer, events };
}

describe('Informer', () => {
  it('lists every page into the cache, is synced, then applies watch events from the list resourceVersion', async () => {
    const { server, watches } = await fakeApi([
      (req) =>
        req.query.get('continue') ? list('10', [cm('b', '7', 'owner-1')]) : list('', [cm('a', '5')], 'page2'),
    ]);
    const { informer, events } = startInformer(server, {
      labelSelector: 'app=x',
      watchTimeoutSeconds: [30, 40],
    });
    await informer.synced;
    expect(informer.hasSynced()).toBe(true);
    expect(informer.list().map((o) => o.metadata!.name)).toEqual(['a', 'b']);
    expect(informer.get('demo', 'a')).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(informer.byOwner('owner-1').map((o) => o.metadata!.name)).toEqual(['b']);

    const watch = await eventually(() => watches[0] ?? false, 'a watch');
    expect(watch.query.get('resourceVersion')).toBe('10');
    expect(watch.query.get('allowWatchBookmarks')).toBe('true');
    expect(watch.query.get('labelSelector')).toBe('app=x');
    expect(Number(watch.query.get('timeoutSeconds'))).toBeGreaterThanOrEqual(30);
    expect(Number(watch.query.get('timeoutSeconds'))).toBeLessThanOrEqual(40);

    watch.send('ADDED', { apiVersion: 'v1', kind: 'ConfigMap', ...cm('c', '11') });
    watch.send('MODIFIED', { apiVersion: 'v1', kind: 'ConfigMap', ...cm('a', '5') });
    watch.send('MODIFIED', { apiVersion: 'v1', kind: 'ConfigMap', ...cm('a', '12') });
    watch.send('DELETED', { apiVersion: 'v1', kind: 'ConfigMap', ...cm('b', '13', 'owner-1') });
    watch.send('BOOKMARK', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { resourceVersion: '20' } });
    await eventually(() => informer.lastSyncResourceVersion === '20', 'the bookmark');
    expect(events).toEqual(['add a@5', 'add b@7', 'add c@11', 'update a@12', 'delete b']);
    expect(informer.byOwner('owner-1')).toEqual([]);

    watch.end();
    const next = await eventually(() => watches[1] ?? false, 'a watch after the server ended the first');
    expect(next.query.get('resourceVersion')).toBe('20');
    expect(server.count((r) => !isWatch(r))).toBe(2);
  });

  it('relists on a 410 Expired watch event, emitting what changed meanwhile', async () => {
    const { server, watches } = await fakeApi([
      () => list('10', [cm('keep', '1'), cm('change', '2'), cm('vanish', '3')]),
      () => list('30', [cm('keep', '1'), cm('change', '25'), cm('new', '26')]),
    ]);
    const { informer, events } = startInformer(server);
    await informer.synced;
    const watch = await eventually(() => watches[0] ?? false, 'a watch');
    watch.send('ERROR', {
      kind: 'Status',
      code: 410,
      reason: 'Expired',
      message: 'too old resource version',
    });
    const rewatch = await eventually(() => watches[1] ?? false, 'a watch after the relist');
    expect(rewatch.query.get('resourceVersion')).toBe('30');
    expect(events.slice(3)).toEqual(['update change@25', 'add new@26', 'delete vanish']);
    expect(informer.get('demo', 'vanish')).toBeUndefined();
  });

  it('retries a failed list with backoff, and resumes a failed watch without relisting', async () => {
    const { server, watches } = await fakeApi([() => 500, () => 500, () => list('10', [cm('a', '1')])], 2);
    const { informer } = startInformer(server);
    await informer.synced;
    const watch = await eventually(() => watches[0] ?? false, 'a watch once the apiserver recovers');
    expect(watch.query.get('resourceVersion')).toBe('10');
    expect(server.count((r) => !isWatch(r))).toBe(3);
    expect(server.count(isWatch)).toBe(3);
  });

  it('reconnects a watch that stays silent past the inactivity timeout', async () => {
    const { server, watches } = await fakeApi([() => list('10', [])]);
    const { informer } = startInformer(server, { inactivityTimeoutMs: 100 });
    await informer.synced;
    await eventually(() => watches.length >= 2, 'a second watch after the first went silent');
    expect(watches[0]!.closed).toBe(true);
    expect(server.count((r) => !isWatch(r))).toBe(1);
  });

  it('re-delivers every cached object as a resync update, and a throwing handler harms no other', async () => {
    const { server } = await fakeApi([() => list('10', [cm('a', '1'), cm('b', '2')])]);
    const informer = new Informer<V1ConfigMap>({
      kubeConfig: server.kubeConfig(),
      path: PATH,
      logger,
      resyncPeriodMs: 20,
    });
    informer.on('add', () => {
      throw new Error('handler bug');
    });
    const events = recorder(informer);
    informer.start();
    cleanup.push(
      () => server.close(),
      () => informer.stop(),
    );
    await eventually(() => events.filter((e) => e.startsWith('resync')).length >= 4, 'two resyncs');
    expect(events.slice(0, 4)).toEqual(['add a@1', 'add b@2', 'resync a@1', 'resync b@2']);
  });

  it('stop() ends the watch and the loop', async () => {
    const { server, watches } = await fakeApi([() => list('10', [])]);
    const { informer } = startInformer(server);
    await eventually(() => watches[0] ?? false, 'a watch');
    await informer.stop();
    await eventually(() => watches[0]!.closed, 'the watch to be closed');
    const requests = server.requests.length;
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(server.requests.length).toBe(requests);
  });
});
