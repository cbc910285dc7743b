// One level-triggered pass over a HelloWorldApp: apply every desired child (server-side apply, forced,
// under the operator's field manager), delete children it no longer wants (e.g. its own Consul once
// spec.consul.address names another), then write the status the children show. Everything is read
// from the informers' caches; a child's change enqueues its owner again, so status catches up.
import { isDeepStrictEqual } from 'node:util';
import type { KubernetesObject, V1Deployment } from '@kubernetes/client-node';
import type { HelloWorldApp, HelloWorldAppStatus } from '../../api/v1alpha1/types.ts';
import type { OperatorConfig } from '../../config.ts';
import { desiredChildren, type ChildObject } from './desired.ts';
import { COMPONENTS, type Component } from './names.ts';
import { computeStatus } from './status.ts';
import { splitKey } from '../../runtime/object-cache.ts';

export interface ReconcileDeps {
  config: Pick<OperatorConfig, 'images' | 'imagePullPolicy'>;
  getApp(namespace: string | undefined, name: string): HelloWorldApp | undefined;
  /** Deployments and Services whose controller ownerReference is this app. */
  ownedChildren(app: HelloWorldApp): KubernetesObject[];
  apply(child: ChildObject): Promise<void>;
  remove(child: KubernetesObject): Promise<void>;
  writeStatus(app: HelloWorldApp, status: HelloWorldAppStatus): Promise<void>;
  event(app: HelloWorldApp, type: 'Normal' | 'Warning', reason: string, note: string): void;
  now(): Date;
}

const identity = (o: KubernetesObject) => `${o.kind}/${o.metadata?.name}`;

function deploymentsByComponent(children: KubernetesObject[]): Partial<Record<Component, V1Deployment>> {
  const found: Partial<Record<Component, V1Deployment>> = {};
  for (const child of children) {
    const component = child.metadata?.labels?.['app.kubernetes.io/name'] as Component | undefined;
    if (child.kind === 'Deployment' && component && COMPONENTS.includes(component)) found[component] = child;
  }
  return found;
}

export async function reconcileHelloWorldApp(key: string, deps: ReconcileDeps): Promise<void> {
  const { namespace, name } = splitKey(key);
  const app = deps.getApp(namespace, name);
  // Gone, or going: the garbage collector removes the children through their ownerReferences.
  if (!app || app.metadata?.deletionTimestamp) return;

  const desired = desiredChildren(app, deps.config);
  const existing = deps.ownedChildren(app);
  const existingIds = new Set(existing.map(identity));
  const desiredIds = new Set(desired.map(identity));
  let applyError: string | undefined;
  try {
    for (const child of desired) {
      await deps.apply(child);
      if (!existingIds.has(identity(child))) {
        deps.event(app, 'Normal', 'Created', `created ${child.kind} ${child.metadata!.name}`);
      }
    }
    for (const child of existing.filter((c) => !desiredIds.has(identity(c)))) {
      await deps.remove(child);
      deps.event(
        app,
        'Normal',
        'Deleted',
        `deleted ${child.kind} ${child.metadata?.name}: no longer part of the app`,
      );
    }
  } catch (err) {
    applyError = err instanceof Error ? err.message : String(err);
    deps.event(app, 'Warning', 'ApplyFailed', applyError);
  }

  const status = computeStatus(
    app,
    { deployments: deploymentsByComponent(existing), applyError },
    deps.now(),
  );
  if (!isDeepStrictEqual(stripUndefined(app.status), stripUndefined(status)))
    await deps.writeStatus(app, status);
  // Rethrown after the status says why, so the work queue retries with backoff.
  if (applyError) throw new Error(`reconciling ${key}: ${applyError}`);
}

function stripUndefined<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T);
}
