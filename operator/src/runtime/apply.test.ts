import { afterEach, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { applyObject, applyStatus } from './apply.ts';
import { objectPath } from './discovery.ts';
import { KubeApiError } from './kube-http.ts';
import { FakeApiServer, sendJson, sendStatus } from './testing/fake-apiserver.ts';

const discovery: Record<string, unknown> = {
  '/api/v1': {
    resources: [
      { name: 'namespaces', kind: 'Namespace', namespaced: false },
      { name: 'services', kind: 'Service', namespaced: true },
      { name: 'services/status', kind: 'Service', namespaced: true },
    ],
  },
  '/apis/apps/v1': { resources: [{ name: 'deployments', kind: 'Deployment', namespaced: true }] },
};

let server: FakeApiServer;
afterEach(() => server.close());

async function fake() {
  server = await FakeApiServer.start((req, res) => {
    if (req.method === 'GET' && discovery[req.path]) return sendJson(res, 200, discovery[req.path]);
    if (req.method === 'PATCH')
      return sendJson(res, 200, {
        ...(req.body as object),
        metadata: { ...(req.body as { metadata: object }).metadata, resourceVersion: '7' },
      });
    sendStatus(res, 404, 'NotFound');
  });
  return server.kubeConfig();
}

describe('server-side apply', () => {
  it('derives REST paths from discovery: core, grouped, cluster-scoped, collection', async () => {
    const kc = await fake();
    expect(
      await objectPath(kc, {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo' },
      }),
    ).toBe('/apis/apps/v1/namespaces/demo/deployments/web');
    expect(
      await objectPath(kc, {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'demo', namespace: 'ignored' },
      }),
    ).toBe('/api/v1/namespaces/demo');
    expect(await objectPath(kc, { apiVersion: 'v1', kind: 'Service', metadata: { namespace: 'demo' } })).toBe(
      '/api/v1/namespaces/demo/services',
    );
    await expect(
      objectPath(kc, { apiVersion: 'v1', kind: 'Service', metadata: { name: 'x' } }),
    ).rejects.toThrow(/namespaced/);
    await expect(
      objectPath(kc, { apiVersion: 'v1', kind: 'Widget', metadata: { name: 'x' } }),
    ).rejects.toThrow(/no kind Widget/);
    // Discovery is cached: one lookup per group version, plus one refresh for the unknown kind.
    expect(server.count((r) => r.path === '/apis/apps/v1')).toBe(1);
    expect(server.count((r) => r.path === '/api/v1')).toBe(2);
  });

  it('PATCHes apply-patch+yaml with our field manager and force, without managedFields', async () => {
    const kc = await fake();
    const stored = await applyObject<KubernetesObject & { spec?: unknown }>(
      kc,
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web', namespace: 'demo', managedFields: [{ manager: 'x' }] },
        spec: { replicas: 2 },
      },
      { fieldManager: 'autopilot-operator' },
    );
    expect(stored.metadata?.resourceVersion).toBe('7');
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe('/apis/apps/v1/namespaces/demo/deployments/web');
    expect(patch.headers['content-type']).toBe('application/apply-patch+yaml');
    expect(Object.fromEntries(patch.query)).toEqual({ fieldManager: 'autopilot-operator', force: 'true' });
    expect(patch.body).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web', namespace: 'demo' },
      spec: { replicas: 2 },
    });
  });

  it('applies status through the /status subresource, and surfaces apiserver errors', async () => {
    const kc = await fake();
    await applyStatus(
      kc,
      { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'demo' } },
      'autopilot-operator',
      { dryRun: true },
    );
    const patch = server.requests.find((r) => r.method === 'PATCH')!;
    expect(patch.path).toBe('/api/v1/namespaces/demo/services/web/status');
    expect(patch.query.get('dryRun')).toBe('All');

    server.setHandler((req, res) =>
      req.method === 'PATCH'
        ? sendStatus(res, 422, 'Invalid', 'spec.replicas: Invalid value')
        : sendJson(res, 200, discovery[req.path]),
    );
    const error = await applyObject(
      kc,
      { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'demo' } },
      { fieldManager: 'm' },
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KubeApiError);
    expect((error as KubeApiError).status).toBe(422);
    expect((error as KubeApiError).reason).toBe('Invalid');
    expect((error as KubeApiError).message).toContain('spec.replicas');
    await expect(
      applyObject(
        kc,
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { namespace: 'demo' } },
        { fieldManager: 'm' },
      ),
    ).rejects.toThrow(/without metadata.name/);
  });
});
