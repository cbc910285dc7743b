// Wires reconcileHelloWorldApp to a cluster: an informer on HelloWorldApps and informers on the
// Deployments and Services the operator labels as its own (managed-by), each child mapped back to its
// app by its controller ownerReference. Children's status changes must reach the app (its status
// mirrors their ready counts), so child updates are not filtered; app updates are, by generation, so
// the operator's own status writes do not wake it again.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { API_VERSION, GROUP, KIND, PLURAL, type HelloWorldApp } from '../../api/v1alpha1/types.ts';
import type { OperatorConfig } from '../../config.ts';
import { applyObject, applyStatus } from '../../runtime/apply.ts';
import { Controller } from '../../runtime/controller.ts';
import { groupVersionPath, objectPath } from '../../runtime/discovery.ts';
import type { EventRecorder } from '../../runtime/events.ts';
import { Informer } from '../../runtime/informer.ts';
import { isNotFound, kubeRequest } from '../../runtime/kube-http.ts';
import { controllerOwnerKey, generationChanged, ownKey } from '../../runtime/watches.ts';
import { MANAGED_BY, MANAGED_BY_SELECTOR } from './names.ts';
import { reconcileHelloWorldApp, type ReconcileDeps } from './reconcile.ts';

export const CONTROLLER_NAME = 'helloworldapp';
/** The field manager of every server-side apply: `kubectl get -o yaml --show-managed-fields` shows it. */
export const FIELD_MANAGER = MANAGED_BY;

export interface HelloWorldAppControllerOptions {
  kubeConfig: KubeConfig;
  config: Pick<OperatorConfig, 'images' | 'imagePullPolicy' | 'watchNamespace'>;
  logger: Logger;
  registry?: Registry;
  recorder: Pick<EventRecorder, 'record'>;
}

/** Concurrent reconciles: of distinct apps only, the work queue never hands out one app twice. */
const WORKERS = 2;
/** Every app is re-checked this often even without events, as controller-runtime's default. */
const APP_RESYNC_MS = 10 * 60_000;

export interface HelloWorldAppController {
  controller: Controller;
  /** Start them before the controller; its workers should wait for `synced`. */
  informers: Informer<KubernetesObject>[];
}

/** The collection path of a resource, cluster-wide when `namespace` is empty. */
export function collectionPath(apiVersion: string, plural: string, namespace: string): string {
  const scope = namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(apiVersion)}${scope}/${plural}`;
}

export function helloWorldAppController(options: HelloWorldAppControllerOptions): HelloWorldAppController {
  const { kubeConfig: kc, config, logger } = options;
  const ns = config.watchNamespace;
  const informer = (path: string, labelSelector?: string, resyncPeriodMs?: number) =>
    new Informer<KubernetesObject>({ kubeConfig: kc, path, logger, labelSelector, resyncPeriodMs });
  const apps = informer(collectionPath(API_VERSION, PLURAL, ns), undefined, APP_RESYNC_MS);
  const deployments = informer(collectionPath('apps/v1', 'deployments', ns), MANAGED_BY_SELECTOR);
  const services = informer(collectionPath('v1', 'services', ns), MANAGED_BY_SELECTOR);

  // What our last apply of each child returned. A child whose cached copy still has that
  // resourceVersion has not changed since (no drift to undo), so an unchanged desired state need not
  // be sent again: that halves the writes of a burst of child events. Anything that touches the
  // object, a rollout's status included, changes its resourceVersion and brings the apply back.
  const lastApplied = new Map<string, { desired: string; resourceVersion: string | undefined }>();
  const childId = (o: KubernetesObject) => `${o.kind}/${o.metadata?.namespace}/${o.metadata?.name}`;
  for (const source of [deployments, services]) source.on('delete', (o) => lastApplied.delete(childId(o)));

  const deps: ReconcileDeps = {
    config,
    getApp: (namespace, name) => apps.get(namespace, name) as HelloWorldApp | undefined,
    ownedChildren: (app) => {
      const uid = app.metadata?.uid;
      return uid ? [...deployments.byOwner(uid), ...services.byOwner(uid)] : [];
    },
    apply: async (child) => {
      const id = childId(child);
      const desired = JSON.stringify(child);
      const cache = child.kind === 'Deployment' ? deployments : services;
      const cached = cache.get(child.metadata?.namespace, child.metadata!.name!);
      const last = lastApplied.get(id);
      if (cached && last?.desired === desired && cached.metadata?.resourceVersion === last.resourceVersion)
        return;
      const stored = await applyObject(kc, child, { fieldManager: FIELD_MANAGER });
      lastApplied.set(id, { desired, resourceVersion: stored.metadata?.resourceVersion });
    },
    remove: async (child) => {
      try {
        await kubeRequest(kc, {
          method: 'DELETE',
          path: await objectPath(kc, child),
          query: { propagationPolicy: 'Background' },
        });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    writeStatus: async (app, status) => {
      const { name, namespace } = app.metadata ?? {};
      await applyStatus(
        kc,
        { apiVersion: API_VERSION, kind: KIND, metadata: { name, namespace }, status },
        FIELD_MANAGER,
      );
    },
    event: (app, type, reason, note) => {
      void options.recorder.record(app, { type, reason, action: 'Reconcile', note });
    },
    now: () => new Date(),
  };

  const controller = new Controller({
    name: CONTROLLER_NAME,
    logger,
    workers: WORKERS,
    registry: options.registry,
    reconcile: (key) => reconcileHelloWorldApp(key, deps),
  })
    .watch(apps, ownKey, generationChanged)
    .watch(deployments, controllerOwnerKey(KIND, GROUP))
    .watch(services, controllerOwnerKey(KIND, GROUP));

  return { controller, informers: [apps, deployments, services] };
}
