// `helm install` of the operator's chart into a real kube-apiserver (envtest: no nodes, so nothing
// runs; what this proves is that the API server accepts every object, that the CRD arrives with the
// chart and accepts helloworld.yaml, and what the operator's account may and may not do, asked of the
// RBAC authorizer itself). The rendering details: helm-chart.test.ts.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import {
  ApiextensionsV1Api,
  AppsV1Api,
  AuthorizationV1Api,
  CoreV1Api,
  CustomObjectsApi,
  NetworkingV1Api,
  RbacAuthorizationV1Api,
  type V1Pod,
  type V1ResourceAttributes,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Envtest } from '../support/envtest.ts';
import { chartDir, helm, removeHelmHome, render, repoRoot } from '../support/helm.ts';

const OPERATOR = 'system:serviceaccount:ops:autopilot-operator';
const HWA = { group: 'autopilot-k8s.dev', resource: 'helloworldapps' };

describe('helm install into a real API server', () => {
  let envtest: Envtest;
  let may: (attributes: V1ResourceAttributes) => Promise<boolean>;
  const helmIn = (...args: string[]) => {
    const result = helm(args, envtest.kubeconfigPath);
    expect(result.stderr, `helm ${args.join(' ')}`).not.toMatch(/^Error/m);
    expect(result.status).toBe(0);
    return result.stdout;
  };

  beforeAll(async () => {
    envtest = await Envtest.start();
    const authz = envtest.kubeConfig().makeApiClient(AuthorizationV1Api);
    may = async (resourceAttributes) =>
      (await authz.createSubjectAccessReview({ body: { spec: { user: OPERATOR, resourceAttributes } } }))
        .status!.allowed;
    const core = envtest.kubeConfig().makeApiClient(CoreV1Api);
    // The release's namespace enforces the "restricted" Pod Security Standard, as a user's should.
    const restricted = { 'pod-security.kubernetes.io/enforce': 'restricted' };
    await core.createNamespace({ body: { metadata: { name: 'ops', labels: restricted } } });
    await core.createNamespace({ body: { metadata: { name: 'demo' } } });
    // What the controller manager, absent here, gives every namespace (the test pod runs as it).
    await core.createNamespacedServiceAccount({ namespace: 'ops', body: { metadata: { name: 'default' } } });
  });
  afterAll(async () => {
    await envtest?.stop();
    removeHelmHome();
  });

  it('installs the CRD and every object, which the API server accepts', async () => {
    helmIn(
      'install',
      'autopilot-operator',
      chartDir,
      '--namespace',
      'ops',
      ...['--set', 'replicas=2', '--set', 'networkPolicy.enabled=true'],
    );
    const kc = envtest.kubeConfig();
    const crd = await kc
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'helloworldapps.autopilot-k8s.dev' });
    expect(crd.spec.names.shortNames).toContain('hwa');
    const deployment = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: 'ops', name: 'autopilot-operator' });
    expect(deployment.spec!.template.spec!.containers[0]!.image).toBe('autopilot-k8s/operator:dev');
    await kc.makeApiClient(RbacAuthorizationV1Api).readClusterRole({ name: 'autopilot-operator' });
    await kc
      .makeApiClient(NetworkingV1Api)
      .readNamespacedNetworkPolicy({ namespace: 'ops', name: 'autopilot-operator' });
  });

  it('its pods, the operator and the `helm test` hook, are admitted under the restricted standard', async () => {
    const kc = envtest.kubeConfig();
    const core = kc.makeApiClient(CoreV1Api);
    const dryRun = (pod: V1Pod) => core.createNamespacedPod({ namespace: 'ops', body: pod, dryRun: 'All' });
    const deployment = await kc
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: 'ops', name: 'autopilot-operator' });
    const operatorPod: V1Pod = { metadata: { name: 'operator' }, spec: deployment.spec!.template.spec! };
    await dryRun(operatorPod);
    const [testPod] = render(['--show-only', 'templates/tests/test-readyz.yaml']) as unknown as V1Pod[];
    await dryRun(testPod!);
    // The namespace does enforce it: the same pod allowing privilege escalation is refused.
    const container = {
      ...operatorPod.spec!.containers[0]!,
      securityContext: {
        ...operatorPod.spec!.containers[0]!.securityContext,
        allowPrivilegeEscalation: true,
      },
    };
    await expect(
      dryRun({ ...operatorPod, spec: { ...operatorPod.spec!, containers: [container] } }),
    ).rejects.toThrow(/violates PodSecurity.*restricted.*allowPrivilegeEscalation/);
  });

  it('the CRD accepts helloworld.yaml, the README example', async () => {
    execFileSync(envtest.kubectl, ['apply', '-n', 'demo', '-f', path.join(repoRoot, 'helloworld.yaml')], {
      env: { ...process.env, KUBECONFIG: envtest.kubeconfigPath },
      stdio: 'pipe',
    });
    const app = (await envtest
      .kubeConfig()
      .makeApiClient(CustomObjectsApi)
      .getNamespacedCustomObject({
        ...HWA,
        version: 'v1alpha1',
        namespace: 'demo',
        plural: HWA.resource,
        name: 'helloworld',
      })) as {
      spec: { hello: object; world: object; nginx: { replicas: number } };
    };
    // No counts for hello and world: they are left to `kubectl scale`; nginx gets the CRD's default.
    expect(app.spec.hello).toEqual({});
    expect(app.spec.world).toEqual({});
    expect(app.spec.nginx.replicas).toBe(1);
  });

  it("lets the operator's account do its work in any namespace, and nothing more", async () => {
    const allowed = [
      { ...HWA, verb: 'watch' },
      { ...HWA, verb: 'patch', subresource: 'status', namespace: 'demo' },
      { ...HWA, verb: 'update', subresource: 'finalizers', namespace: 'demo' },
      { group: 'apps', resource: 'deployments', verb: 'delete', namespace: 'demo' },
      { group: '', resource: 'services', verb: 'create', namespace: 'demo' },
      { group: 'events.k8s.io', resource: 'events', verb: 'create', namespace: 'demo' },
      { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'ops' },
    ];
    const denied = [
      { ...HWA, verb: 'delete', namespace: 'demo' },
      { ...HWA, verb: 'update', namespace: 'demo' },
      { ...HWA, verb: 'get', namespace: 'demo' },
      { ...HWA, verb: 'update', subresource: 'status', namespace: 'demo' },
      { group: 'apps', resource: 'deployments', verb: 'get', namespace: 'demo' },
      { group: 'apps', resource: 'deployments', verb: 'update', namespace: 'demo' },
      { group: '', resource: 'services', verb: 'update', namespace: 'demo' },
      { group: '', resource: 'secrets', verb: 'get', namespace: 'demo' },
      { group: '', resource: 'pods', verb: 'create', namespace: 'demo' },
      { group: '', resource: 'events', verb: 'create', namespace: 'demo' },
      { group: 'coordination.k8s.io', resource: 'leases', verb: 'update', namespace: 'demo' },
      { group: 'coordination.k8s.io', resource: 'leases', verb: 'delete', namespace: 'ops' },
      { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions', verb: 'update' },
    ];
    for (const attributes of allowed) expect(await may(attributes), JSON.stringify(attributes)).toBe(true);
    for (const attributes of denied) expect(await may(attributes), JSON.stringify(attributes)).toBe(false);
  });

  it('upgraded with watchNamespace, the operator may act in that namespace only', async () => {
    helmIn('upgrade', 'autopilot-operator', chartDir, '--namespace', 'ops', '--set', 'watchNamespace=demo');
    expect(await may({ ...HWA, verb: 'list', namespace: 'demo' })).toBe(true);
    expect(await may({ group: 'apps', resource: 'deployments', verb: 'create', namespace: 'demo' })).toBe(
      true,
    );
    expect(await may({ ...HWA, verb: 'list', namespace: 'other' })).toBe(false);
    expect(await may({ ...HWA, verb: 'watch' })).toBe(false);
  });

  it('uninstalled, the CRD and the HelloWorldApps stay (Helm never deletes crds/)', async () => {
    helmIn('uninstall', 'autopilot-operator', '--namespace', 'ops');
    const kc = envtest.kubeConfig();
    await kc
      .makeApiClient(ApiextensionsV1Api)
      .readCustomResourceDefinition({ name: 'helloworldapps.autopilot-k8s.dev' });
    await kc.makeApiClient(CustomObjectsApi).getNamespacedCustomObject({
      ...HWA,
      version: 'v1alpha1',
      namespace: 'demo',
      plural: HWA.resource,
      name: 'helloworld',
    });
    await expect(
      kc.makeApiClient(AppsV1Api).readNamespacedDeployment({ namespace: 'ops', name: 'autopilot-operator' }),
    ).rejects.toThrow(/404|not found/i);
  });
});
