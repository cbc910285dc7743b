// The Kubernetes binaries the project builds double as the operator's test assets: a real etcd and
// kube-apiserver (no kubelet, no controllers), like kubebuilder's envtest.
import {
  ApiException,
  ApiextensionsV1Api,
  CoreV1Api,
  CustomObjectsApi,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../support/eventually.ts';
import { Envtest } from '../support/envtest.ts';

const widgetsCrd: V1CustomResourceDefinition = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.envtest.autopilot.dev' },
  spec: {
    group: 'envtest.autopilot.dev',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: { replicas: { type: 'integer', minimum: 0, maximum: 50 } },
              },
            },
          },
        },
      },
    ],
  },
};

describe('envtest: a real kube-apiserver from the project-built binaries', () => {
  let envtest: Envtest;
  beforeAll(async () => {
    envtest = await Envtest.start();
  });
  afterAll(async () => {
    await envtest?.stop();
  });

  it('stores and serves objects like any cluster', async () => {
    const core = envtest.kubeConfig().makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: 'story' } } });
    await core.createNamespacedConfigMap({
      namespace: 'story',
      body: { metadata: { name: 'greeting' }, data: { hello: 'world' } },
    });
    const read = await core.readNamespacedConfigMap({ namespace: 'story', name: 'greeting' });
    expect(read.data).toEqual({ hello: 'world' });
  });

  it('validates custom resources against their schema, naming the field that is wrong', async () => {
    const kc = envtest.kubeConfig();
    await kc.makeApiClient(ApiextensionsV1Api).createCustomResourceDefinition({ body: widgetsCrd });
    const objects = kc.makeApiClient(CustomObjectsApi);
    const widget = (replicas: unknown) => ({
      group: 'envtest.autopilot.dev',
      version: 'v1',
      namespace: 'default',
      plural: 'widgets',
      body: {
        apiVersion: 'envtest.autopilot.dev/v1',
        kind: 'Widget',
        metadata: { name: `w${replicas}` },
        spec: { replicas },
      },
    });
    // The CRD needs a moment to be established before its objects are served.
    await eventually(() => objects.createNamespacedCustomObject(widget(3)), 'the CRD to be served');

    const rejection = await objects.createNamespacedCustomObject(widget(51)).catch((error: unknown) => error);
    expect(rejection).toBeInstanceOf(ApiException);
    expect((rejection as ApiException<string>).code).toBe(422);
    expect(String((rejection as ApiException<string>).body)).toContain('spec.replicas');
  });
});
