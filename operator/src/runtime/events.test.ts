import type { ServerResponse } from 'node:http';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { FakeClock } from './clock.ts';
import { EventRecorder, type EventRecorderOptions } from './events.ts';
import { FakeApiServer, sendJson, sendStatus, type FakeRequest } from './testing/fake-apiserver.ts';

const app = {
  apiVersion: 'autopilot-k8s.dev/v1alpha1',
  kind: 'HelloWorldApp',
  metadata: { name: 'demo', namespace: 'shop', uid: 'uid-1', resourceVersion: '42' },
};

let server: FakeApiServer;
afterEach(() => server.close());

type Handler = (req: FakeRequest, res: ServerResponse) => void;
const accept: Handler = (req, res) => sendJson(res, req.method === 'POST' ? 201 : 200, req.body);

async function recorder(options: Partial<EventRecorderOptions> = {}, handler: Handler = accept) {
  server = await FakeApiServer.start(handler);
  const clock = new FakeClock(0, Date.UTC(2025, 5, 1, 12));
  const warnings: unknown[] = [];
  const logger = pino({ level: 'warn' }, { write: (line: string) => void warnings.push(JSON.parse(line)) });
  const events = new EventRecorder({
    kubeConfig: server.kubeConfig(),
    logger,
    clock,
    reportingInstance: 'operator-0',
    ...options,
  });
  const posts = () => server.requests.filter((r) => r.method === 'POST');
  const patches = () => server.requests.filter((r) => r.method === 'PATCH');
  return { events, clock, warnings, posts, patches };
}

describe('EventRecorder', () => {
  it('writes an events.k8s.io/v1 Event about the object, in its namespace', async () => {
    const { events, posts } = await recorder();
    await events.warning(app, 'ReconcileFailed', 'Reconcile', 'consul: connection refused');
    const [post] = posts();
    expect(post!.path).toBe('/apis/events.k8s.io/v1/namespaces/shop/events');
    expect(post!.body).toMatchObject({
      apiVersion: 'events.k8s.io/v1',
      kind: 'Event',
      metadata: { namespace: 'shop' },
      eventTime: '2025-06-01T12:00:00.000000Z',
      reportingController: 'autopilot-k8s.dev/operator',
      reportingInstance: 'operator-0',
      action: 'Reconcile',
      reason: 'ReconcileFailed',
      note: 'consul: connection refused',
      type: 'Warning',
      regarding: {
        apiVersion: 'autopilot-k8s.dev/v1alpha1',
        kind: 'HelloWorldApp',
        namespace: 'shop',
        name: 'demo',
        uid: 'uid-1',
      },
    });
    expect((post!.body as { metadata: { name: string } }).metadata.name).toMatch(/^demo\.[0-9a-f]+$/);
  });

  it('turns repeats within the window into a series on one Event; later or different ones are new', async () => {
    const { events, clock, posts, patches } = await recorder();
    await Promise.all([1, 2, 3].map(() => events.normal(app, 'Applied', 'Apply', 'children applied')));
    expect(posts()).toHaveLength(1);
    const name = (posts()[0]!.body as { metadata: { name: string } }).metadata.name;
    expect(patches().map((p) => [p.path, p.headers['content-type'], p.body])).toEqual([
      [
        `/apis/events.k8s.io/v1/namespaces/shop/events/${name}`,
        'application/merge-patch+json',
        { series: { count: 2, lastObservedTime: '2025-06-01T12:00:00.000000Z' } },
      ],
      [
        `/apis/events.k8s.io/v1/namespaces/shop/events/${name}`,
        'application/merge-patch+json',
        { series: { count: 3, lastObservedTime: '2025-06-01T12:00:00.000000Z' } },
      ],
    ]);
    await events.normal(app, 'Applied', 'Apply', 'a different note');
    expect(posts()).toHaveLength(2);
    clock.advance(10 * 60_000);
    await events.normal(app, 'Applied', 'Apply', 'children applied');
    expect(posts()).toHaveLength(3);
  });

  it('starts a new Event when the series Event has expired on the server', async () => {
    const { events, posts, patches } = await recorder({}, (req, res) =>
      req.method === 'PATCH' ? sendStatus(res, 404, 'NotFound') : accept(req, res),
    );
    await events.normal(app, 'Applied', 'Apply', 'same');
    await events.normal(app, 'Applied', 'Apply', 'same');
    expect(patches()).toHaveLength(1);
    expect(posts()).toHaveLength(2);
  });

  it('drops events past the per-object burst until tokens refill, other objects unaffected', async () => {
    const { events, clock, posts } = await recorder({ burst: 2, refillPerMinute: 1 });
    for (const note of ['1', '2', '3']) await events.normal(app, 'R', 'A', note);
    expect(posts()).toHaveLength(2);
    await events.normal(
      { ...app, metadata: { ...app.metadata, name: 'other', uid: 'uid-2' } },
      'R',
      'A',
      'x',
    );
    expect(posts()).toHaveLength(3);
    clock.advance(60_000);
    await events.normal(app, 'R', 'A', '4');
    expect(posts()).toHaveLength(4);
  });

  it('never rejects: an apiserver failure becomes a warning log', async () => {
    const { events, warnings } = await recorder({}, (_req, res) =>
      sendStatus(res, 403, 'Forbidden', 'events is forbidden'),
    );
    await expect(events.warning(app, 'Failed', 'Reconcile', 'x')).resolves.toBeUndefined();
    expect(warnings).toContainEqual(
      expect.objectContaining({ msg: 'failed to record event', reason: 'Failed' }),
    );
  });

  it('files events about cluster-scoped objects in default, truncating an oversized note', async () => {
    const { events, posts } = await recorder();
    await events.normal(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } },
      'Seen',
      'Watch',
      // Two-byte characters: the cut at byte 1021 falls inside one and must not leave half of it.
      'é'.repeat(3000),
    );
    const body = posts()[0]!.body as { metadata: { namespace: string }; note: string };
    expect(body.metadata.namespace).toBe('default');
    expect(Buffer.byteLength(body.note)).toBeLessThanOrEqual(1024);
    expect(body.note).toMatch(/^é+\.\.\.$/);
  });
});
