// How the operator names and labels what it creates for a HelloWorldApp. Children are found again by
// these labels (the informers select on managed-by) and tied to their app by a controller
// ownerReference, so deleting the app lets the garbage collector remove them.
import type { V1OwnerReference } from '@kubernetes/client-node';
import type { HelloWorldApp } from '../../api/v1alpha1/types.ts';
import { API_VERSION, KIND } from '../../api/v1alpha1/types.ts';

export const COMPONENTS = ['consul', 'hello', 'world', 'nginx'] as const;
export type Component = (typeof COMPONENTS)[number];

export const MANAGED_BY = 'autopilot-operator';
export const MANAGED_BY_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY}`;

export function childName(app: HelloWorldApp, component: Component): string {
  return `${app.metadata!.name}-${component}`;
}

/** The labels a component's pods are selected by: stable for the app's lifetime. */
export function selectorLabels(app: HelloWorldApp, component: Component): Record<string, string> {
  return {
    'app.kubernetes.io/name': component,
    'app.kubernetes.io/instance': app.metadata!.name!,
  };
}

export function componentLabels(app: HelloWorldApp, component: Component): Record<string, string> {
  return {
    ...selectorLabels(app, component),
    'app.kubernetes.io/part-of': 'helloworld',
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

export function ownerReference(app: HelloWorldApp): V1OwnerReference {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    name: app.metadata!.name!,
    uid: app.metadata!.uid!,
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The Consul agent every component talks to: the app's own, or the one spec.consul.address names. */
export function consulAddress(app: HelloWorldApp): string {
  return app.spec.consul?.address ?? `${childName(app, 'consul')}:${CONSUL_HTTP_PORT}`;
}

export const CONSUL_HTTP_PORT = 8500;
export const NGINX_CONTAINER_PORT = 8080;
export const SERVICE_PORTS = { hello: 3001, world: 3002 } as const;
