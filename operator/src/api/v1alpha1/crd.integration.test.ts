// The committed CRD on a real kube-apiserver (envtest): it installs, defaults, validates with
// messages that name the field, and keeps spec and status apart.
import { execFileSync } from 'node:child_process';
import { ApiException, CoreV1Api, CustomObjectsApi } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEnvtest, type Envtest } from '../../../../test/support/envtest.ts';
import { CRD_FILE } from './crd.ts';
import {
  API_VERSION,
  GROUP,
  KIND,
  PLURAL,
  VERSION,
  type HelloWorldApp,
  type HelloWorldAppSpec,
  type HelloWorldAppStatus,
} from './types.ts';

const namespace = 'hwa-api';
const where = { group: GROUP, version: VERSION, plural: PLURAL, namespace };

const fullSpec: HelloWorldAppSpec = {
  hello: { replicas: 0, resources: { requests: { cpu: '50m', memory: '64Mi' }, limits: { cpu: 1 } } },
  world: { replicas: 100 },
  nginx: {
    replicas: 10,
    service: { type: 'NodePort', port: 8080, nodePort: 30080 },
    resources: { requests: { cpu: '200m' }, limits: { memory: '256Mi' } },
  },
  consul: { address: 'consul.infra.svc:8500', resources: { requests: { memory: '1Gi' } } },
  images: { autopilot: 'a:1', hello: 'h:1', world: 'w:1', nginx: 'n:1', consul: 'c:1', pullPolicy: 'Never' },
  logLevel: 'debug',
};

const manifest = (name: string, spec?: unknown) => ({
  apiVersion: API_VERSION,
  kind: KIND,
  metadata: { name },
  ...(spec === undefined ? {} : { spec }),
});

describe('the HelloWorldApp CRD on a real kube-apiserver', () => {
  let envtest: Envtest;
  let objects: CustomObjectsApi;
  const create = async (body: object) =>
    (await objects.createNamespacedCustomObject({ ...where, body })) as HelloWorldApp;
  const get = async (name: string) =>
    (await objects.getNamespacedCustomObject({ ...where, name })) as HelloWorldApp;
  const rejection = async (body: object) => {
    const error: unknown = await create(body).then(
      () => new Error('accepted'),
      (e: unknown) => e,
    );
    if (!(error instanceof ApiException)) throw error;
    return { code: error.code, message: String(error.body) };
  };

  beforeAll(async () => {
    envtest = await startEnvtest();
    const kc = envtest.kubeConfig();
    await envtest.installCrd(CRD_FILE);
    await kc.makeApiClient(CoreV1Api).createNamespace({ body: { metadata: { name: namespace } } });
    objects = kc.makeApiClient(CustomObjectsApi);
  });
  afterAll(async () => {
    await envtest?.stop();
  });

  it('fills in the defaults and leaves hello and world replicas to kubectl scale', async () => {
    const defaults = { nginx: { replicas: 1, service: { type: 'ClusterIP', port: 80 } }, logLevel: 'info' };
    expect((await create(manifest('minimal', {}))).spec).toEqual(defaults);
    expect((await create(manifest('no-spec'))).spec).toEqual(defaults);
    const partial = await create(manifest('partial', { hello: {}, nginx: { service: { port: 81 } } }));
    expect(partial.spec.hello).toEqual({});
    expect(partial.spec.nginx).toEqual({ replicas: 1, service: { type: 'ClusterIP', port: 81 } });
  });

  it('keeps every field of a full spec, at the edges of the ranges', async () => {
    const name = 'a'.repeat(56);
    await create(manifest(name, fullSpec));
    expect((await get(name)).spec).toEqual(fullSpec);
  });

  it.each([
    ['hello.replicas below 0', { hello: { replicas: -1 } }, 'spec.hello.replicas'],
    ['hello.replicas above 100', { hello: { replicas: 101 } }, 'spec.hello.replicas'],
    ['world.replicas not an integer', { world: { replicas: 1.5 } }, 'spec.world.replicas'],
    ['nginx.replicas 0', { nginx: { replicas: 0 } }, 'spec.nginx.replicas'],
    ['an unknown service type', { nginx: { service: { type: 'Bogus' } } }, 'spec.nginx.service.type'],
    ['a nodePort out of range', { nginx: { service: { type: 'NodePort', nodePort: 80 } } }, 'nodePort'],
    ['a bad quantity', { world: { resources: { limits: { cpu: 'lots' } } } }, 'spec.world.resources'],
    ['a consul address without port', { consul: { address: 'nope' } }, 'spec.consul.address'],
    ['an empty image', { images: { hello: '' } }, 'spec.images.hello'],
    ['an unknown pull policy', { images: { pullPolicy: 'Sometimes' } }, 'spec.images.pullPolicy'],
    ['an unknown log level', { logLevel: 'verbose' }, 'spec.logLevel'],
  ])('rejects %s, naming the field', async (title, spec, field) => {
    const { code, message } = await rejection(
      manifest(title.toLowerCase().replaceAll(/[^a-z0-9]+/g, '-'), spec),
    );
    expect(code).toBe(422);
    expect(message).toContain(field);
  });

  it('rejects a nodePort unless the Service type has node ports (CEL)', async () => {
    const expected = 'spec.nginx.service.nodePort requires spec.nginx.service.type NodePort or LoadBalancer';
    for (const service of [{ type: 'ClusterIP', nodePort: 30080 }, { nodePort: 30080 }]) {
      const { code, message } = await rejection(manifest('cluster-ip', { nginx: { service } }));
      expect(code).toBe(422);
      expect(message).toContain(`spec.nginx.service.nodePort: Invalid value`);
      expect(message).toContain(expected);
    }
    const balanced = { nginx: { service: { type: 'LoadBalancer', nodePort: 30081 } } };
    expect((await create(manifest('load-balancer', balanced))).spec.nginx.service.nodePort).toBe(30081);
  });

  it.each([
    ['longer than 56 characters', 'b'.repeat(57), 'metadata.name must be at most 56 characters'],
    ['starting with a digit', '1hello', 'metadata.name must be a DNS-1035 label'],
    ['with a dot', 'hello.world', 'metadata.name must be a DNS-1035 label'],
  ])('rejects a name %s: children and Services are named after it', async (_case, name, expected) => {
    const { code, message } = await rejection(manifest(name, {}));
    expect(code).toBe(422);
    expect(message).toContain(expected);
  });

  it('takes status only through the status subresource, and spec only through the main resource', async () => {
    const created = await create(manifest('subresource', {}));
    const status: HelloWorldAppStatus = {
      observedGeneration: 1,
      conditions: [
        {
          type: 'Ready',
          status: 'True',
          observedGeneration: 1,
          lastTransitionTime: '2025-01-01T00:00:00Z',
          reason: 'AllReady',
          message: 'every component has ready pods',
        },
      ],
      hello: { replicas: 2, readyReplicas: 2 },
      world: { replicas: 3, readyReplicas: 1 },
      nginx: { replicas: 1, readyReplicas: 1 },
      consul: { replicas: 1, readyReplicas: 1 },
      url: 'http://subresource-nginx.hwa-api.svc:80',
    };
    const specChange = { ...created.spec, logLevel: 'error' };
    await objects.replaceNamespacedCustomObjectStatus({
      ...where,
      name: 'subresource',
      body: { ...created, spec: specChange, status },
    });
    const afterStatus = await get('subresource');
    expect(afterStatus.status).toEqual(status);
    expect(afterStatus.spec).toEqual(created.spec);
    expect(afterStatus.metadata.generation).toBe(created.metadata.generation);

    const wiped = { ...afterStatus, spec: specChange, status: { url: 'elsewhere' } };
    await objects.replaceNamespacedCustomObject({ ...where, name: 'subresource', body: wiped });
    const afterSpec = await get('subresource');
    expect(afterSpec.spec).toEqual(specChange);
    expect(afterSpec.status).toEqual(status);
    expect(afterSpec.metadata.generation).toBe(created.metadata.generation! + 1);

    // The printer columns read that status: kubectl get by short name and by category.
    const kubectl = (...args: string[]) =>
      execFileSync(envtest.kubectl, ['--kubeconfig', envtest.kubeconfigPath, '-n', namespace, ...args], {
        encoding: 'utf8',
      });
    const wide = kubectl('get', 'hwa', 'subresource', '-o', 'wide').split('\n');
    expect(wide[0]!.split(/\s+/)).toEqual(['NAME', 'HELLO', 'WORLD', 'READY', 'URL', 'AGE']);
    expect(wide[1]!.split(/\s+/).slice(0, 5)).toEqual(['subresource', '2', '1', 'True', status.url]);
    expect(kubectl('get', 'helloworld', '-o', 'name')).toContain(`helloworldapp.${GROUP}/subresource`);
  });

  it('rejects a status the operator got wrong, naming the field', async () => {
    const created = await create(manifest('bad-status', {}));
    const condition = { type: 'Ready', status: 'Maybe', lastTransitionTime: 'now', reason: 'R', message: '' };
    const error: unknown = await objects
      .replaceNamespacedCustomObjectStatus({
        ...where,
        name: 'bad-status',
        body: { ...created, status: { conditions: [condition], hello: { replicas: 1 } } },
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiException);
    const message = String((error as ApiException<unknown>).body);
    expect((error as ApiException<unknown>).code).toBe(422);
    expect(message).toContain('status.conditions[0].status');
    expect(message).toContain('status.conditions[0].lastTransitionTime');
    expect(message).toContain('status.hello.readyReplicas');
  });
});
