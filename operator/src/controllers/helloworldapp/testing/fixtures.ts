// Builders for the controller's tests: an app as the API server would return it, and Deployments in
// the states a rollout passes through.
import type { V1Deployment } from '@kubernetes/client-node';
import type { HelloWorldApp } from '../../../api/v1alpha1/types.ts';
import { API_VERSION, KIND, withSpecDefaults } from '../../../api/v1alpha1/types.ts';
import type { OperatorConfig } from '../../../config.ts';

export const operatorConfig: Pick<OperatorConfig, 'images' | 'imagePullPolicy'> = {
  images: {
    autopilot: 'example/autopilot:1',
    hello: 'example/hello:1',
    world: 'example/world:1',
    nginx: 'example/nginx:1',
    consul: 'example/consul:1',
  },
  imagePullPolicy: 'IfNotPresent',
};

/** An app as the API server returns it: the spec (any part of one) with the CRD's defaults applied. */
export function anApp(name = 'demo', spec: object = {}, namespace = 'shop'): HelloWorldApp {
  return {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace, uid: `uid-${name}`, generation: 1, resourceVersion: '1' },
    spec: withSpecDefaults(spec),
  };
}

/** A Deployment of `replicas`, of which `ready` are ready and the controller has seen the spec. */
export function aDeployment(
  name: string,
  component: string,
  replicas: number,
  ready = replicas,
): V1Deployment {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, generation: 1, labels: { 'app.kubernetes.io/name': component } },
    spec: { replicas, selector: {}, template: {} },
    status: {
      observedGeneration: 1,
      replicas,
      updatedReplicas: replicas,
      readyReplicas: ready,
      availableReplicas: ready,
    },
  };
}
