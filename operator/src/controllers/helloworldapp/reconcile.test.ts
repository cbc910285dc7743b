import { describe, expect, it } from 'vitest';
import type { KubernetesObject } from '@kubernetes/client-node';
import { withSpecDefaults, type HelloWorldApp, type HelloWorldAppStatus } from '../../api/v1alpha1/types.ts';
import type { ChildObject } from './desired.ts';
import { reconcileHelloWorldApp, type ReconcileDeps } from './reconcile.ts';
import { aDeployment, anApp, operatorConfig } from './testing/fixtures.ts';

/** An in-memory cluster: applied children become owned children, as the informers would report. */
function fakeCluster(app: HelloWorldApp, options: { failApplyOf?: string } = {}) {
  const children = new Map<string, KubernetesObject>();
  const events: string[] = [];
  const statuses: HelloWorldAppStatus[] = [];
  const deps: ReconcileDeps = {
    config: operatorConfig,
    getApp: (ns, name) => (ns === app.metadata!.namespace && name === app.metadata!.name ? app : undefined),
    ownedChildren: () => [...children.values()],
    apply: async (child: ChildObject) => {
      if (child.metadata!.name === options.failApplyOf)
        throw new Error(`deployments "${child.metadata!.name}" is forbidden`);
      children.set(`${child.kind}/${child.metadata!.name}`, child);
    },
    remove: async (child) => void children.delete(`${child.kind}/${child.metadata!.name}`),
    writeStatus: async (a, status) => {
      statuses.push(status);
      a.status = status;
    },
    event: (_a, type, reason, note) => events.push(`${type} ${reason}: ${note}`),
    now: () => new Date('2026-01-01T00:00:00Z'),
  };
  return { deps, children, events, statuses };
}

describe('reconciling a HelloWorldApp', () => {
  it('creates every child, records it, and reports them not yet ready', async () => {
    const app = anApp();
    const cluster = fakeCluster(app);
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    expect([...cluster.children.keys()]).toContain('Deployment/demo-hello');
    expect(cluster.events).toContain('Normal Created: created Deployment demo-hello');
    expect(cluster.statuses).toHaveLength(1);
    expect(app.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('False');
  });

  it('writes no status and records nothing when a second pass finds nothing changed', async () => {
    const app = anApp();
    const cluster = fakeCluster(app);
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    const writes = cluster.statuses.length;
    const events = cluster.events.length;
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    expect(cluster.statuses.length).toBe(writes);
    expect(cluster.events.length).toBe(events);
  });

  it('turns ready when the Deployments report their replicas ready', async () => {
    const app = anApp();
    const cluster = fakeCluster(app);
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    for (const c of ['consul', 'hello', 'world', 'nginx']) {
      cluster.children.set(`Deployment/demo-${c}`, aDeployment(`demo-${c}`, c, 1));
    }
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    expect(app.status!.conditions!.find((c) => c.type === 'Ready')!.status).toBe('True');
  });

  it('removes its own Consul once the app names an external one', async () => {
    const app = anApp();
    const cluster = fakeCluster(app);
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    app.spec = withSpecDefaults({ consul: { address: 'consul.infra:8500' } });
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    expect([...cluster.children.keys()].filter((k) => k.includes('consul'))).toEqual([]);
    expect(cluster.events).toContain(
      'Normal Deleted: deleted Service demo-consul: no longer part of the app',
    );
  });

  it('reports a failed apply as Degraded, with a warning, and fails so the queue retries', async () => {
    const app = anApp();
    const cluster = fakeCluster(app, { failApplyOf: 'demo-world' });
    await expect(reconcileHelloWorldApp('shop/demo', cluster.deps)).rejects.toThrow(/demo-world.*forbidden/);
    const degraded = app.status!.conditions!.find((c) => c.type === 'Degraded')!;
    expect(degraded).toMatchObject({ status: 'True', reason: 'ApplyFailed' });
    expect(cluster.events).toContain('Warning ApplyFailed: deployments "demo-world" is forbidden');
  });

  it('does nothing for an app that is gone or being deleted', async () => {
    const app = anApp();
    const cluster = fakeCluster(app);
    await reconcileHelloWorldApp('shop/other', cluster.deps);
    app.metadata!.deletionTimestamp = new Date();
    await reconcileHelloWorldApp('shop/demo', cluster.deps);
    expect(cluster.children.size).toBe(0);
    expect(cluster.statuses).toEqual([]);
  });
});
