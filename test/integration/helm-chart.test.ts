// The operator's chart (charts/autopilot-operator) through the real helm binary: lint, what
// `helm template` renders (least-privilege RBAC, the restricted security context, the operator's
// environment), the values schema rejecting typos and wrong types, and the CRD copy. Installing it
// into a real API server: helm-install.test.ts.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { V1Deployment, V1Pod, V1Role, V1RoleBinding, V1Service } from '@kubernetes/client-node';
import { afterAll, describe, expect, it } from 'vitest';
import { chartDir, find, helm, removeHelmHome, render, repoRoot } from '../support/helm.ts';

afterAll(removeHelmHome);

// The operator's permissions: exactly the calls it makes (the e2e runs it under them).
const OPERATOR_RULES = [
  { apiGroups: ['autopilot-k8s.dev'], resources: ['helloworldapps'], verbs: ['list', 'watch'] },
  { apiGroups: ['autopilot-k8s.dev'], resources: ['helloworldapps/status'], verbs: ['patch'] },
  { apiGroups: ['autopilot-k8s.dev'], resources: ['helloworldapps/finalizers'], verbs: ['update'] },
  { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: [''], resources: ['services'], verbs: ['list', 'watch', 'create', 'patch', 'delete'] },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: ['create', 'patch'] },
];
const LEASE_RULES = [
  { apiGroups: ['coordination.k8s.io'], resources: ['leases'], verbs: ['get', 'create', 'update'] },
];
const RESTRICTED_POD = {
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
  seccompProfile: { type: 'RuntimeDefault' },
};
const RESTRICTED_CONTAINER = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

const kindsAndNames = (values: string[] = []) =>
  render(values)
    .map((m) => `${m.kind}/${m.metadata.name}${m.metadata.namespace ? ` in ${m.metadata.namespace}` : ''}`)
    .sort();
const envOf = (deployment: V1Deployment) =>
  Object.fromEntries(
    deployment.spec!.template.spec!.containers[0]!.env!.map((e) => [e.name, e.value ?? e.valueFrom]),
  );

describe('the chart passes helm lint', () => {
  it.each([[[]], [['--strict']]])('helm lint %j', (flags) => {
    const result = helm(['lint', chartDir, ...flags]);
    expect(result.stderr + result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });
});

describe('helm template with the default values', () => {
  const manifests = render();
  const deployment = find(manifests, 'Deployment') as unknown as V1Deployment;
  const pod = deployment.spec!.template.spec!;
  const container = pod.containers[0]!;

  it('renders the operator, its account and RBAC, its metrics Service and the test hook', () => {
    expect(kindsAndNames()).toEqual([
      'ClusterRole/autopilot-operator',
      'ClusterRoleBinding/autopilot-operator',
      'Deployment/autopilot-operator in ops',
      'Pod/autopilot-operator-test-readyz in ops',
      'Role/autopilot-operator-leader-election in ops',
      'RoleBinding/autopilot-operator-leader-election in ops',
      'Service/autopilot-operator-metrics in ops',
      'ServiceAccount/autopilot-operator in ops',
    ]);
  });

  it('grants exactly the operator rules cluster-wide and leases only in its namespace', () => {
    expect((find(manifests, 'ClusterRole') as unknown as V1Role).rules).toEqual(OPERATOR_RULES);
    expect((find(manifests, 'Role') as unknown as V1Role).rules).toEqual(LEASE_RULES);
    for (const kind of ['ClusterRoleBinding', 'RoleBinding']) {
      const binding = find(manifests, kind) as unknown as V1RoleBinding;
      expect(binding.subjects).toEqual([
        { kind: 'ServiceAccount', name: 'autopilot-operator', namespace: 'ops' },
      ]);
      expect(binding.roleRef.kind).toBe(kind.replace('Binding', ''));
    }
  });

  it('runs the operator image under the restricted Pod Security Standard', () => {
    expect(container.image).toBe('autopilot-k8s/operator:dev');
    expect(container.imagePullPolicy).toBe('IfNotPresent');
    expect(pod.securityContext).toEqual(RESTRICTED_POD);
    expect(container.securityContext).toEqual(RESTRICTED_CONTAINER);
    expect(deployment.spec!.replicas).toBe(1);
  });

  it('mounts the account token in the operator pods only', () => {
    expect(pod.serviceAccountName).toBe('autopilot-operator');
    expect(pod.automountServiceAccountToken).toBe(true);
    expect(find(manifests, 'ServiceAccount').automountServiceAccountToken).toBe(false);
    expect((find(manifests, 'Pod') as unknown as V1Pod).spec!.automountServiceAccountToken).toBe(false);
  });

  it('configures the operator through its environment', () => {
    expect(envOf(deployment)).toEqual({
      WATCH_NAMESPACE: '',
      POD_NAMESPACE: { fieldRef: { fieldPath: 'metadata.namespace' } },
      POD_NAME: { fieldRef: { fieldPath: 'metadata.name' } },
      LEADER_ELECT: 'true',
      LOG_LEVEL: 'info',
      AUTOPILOT_IMAGE: 'autopilot-k8s/autopilot:dev',
      HELLO_IMAGE: 'autopilot-k8s/hello:dev',
      WORLD_IMAGE: 'autopilot-k8s/world:dev',
      NGINX_IMAGE: 'autopilot-k8s/nginx:dev',
      CONSUL_IMAGE: 'autopilot-k8s/consul:dev',
      IMAGE_PULL_POLICY: 'IfNotPresent',
      PORT: '8080',
    });
  });

  it('probes /healthz and /readyz on the port the metrics Service targets', () => {
    expect(container.ports).toEqual([{ name: 'metrics', containerPort: 8080, protocol: 'TCP' }]);
    expect(container.livenessProbe!.httpGet).toEqual({ path: '/healthz', port: 'metrics' });
    expect(container.readinessProbe!.httpGet).toEqual({ path: '/readyz', port: 'metrics' });
    const service = find(manifests, 'Service') as unknown as V1Service;
    expect(service.spec!.ports).toEqual([
      { name: 'metrics', port: 8080, targetPort: 'metrics', protocol: 'TCP' },
    ]);
    expect(deployment.spec!.template.metadata!.labels).toMatchObject(service.spec!.selector!);
    expect(deployment.spec!.selector.matchLabels).toEqual(service.spec!.selector);
  });

  it("has a `helm test` hook asking the Service for the operator's /readyz, restricted too", () => {
    const test = find(manifests, 'Pod') as unknown as V1Pod;
    expect(test.metadata!.annotations!['helm.sh/hook']).toBe('test');
    const check = test.spec!.containers[0]!;
    expect(check.image).toBe('autopilot-k8s/operator:dev');
    expect(check.command!.slice(0, 3)).toEqual(['node', '--input-type=module', '-e']);
    expect(check.env).toEqual([
      { name: 'READYZ_URL', value: 'http://autopilot-operator-metrics.ops.svc:8080/readyz' },
    ]);
    expect(test.spec!.securityContext).toEqual(RESTRICTED_POD);
    expect(check.securityContext).toEqual(RESTRICTED_CONTAINER);
  });
});

describe('helm template with other values', () => {
  it('watchNamespace: a Role and RoleBinding in that namespace instead of cluster-wide ones', () => {
    const manifests = render(['--set', 'watchNamespace=demo']);
    expect(manifests.filter((m) => m.kind.startsWith('Cluster'))).toEqual([]);
    const role = find(manifests, 'Role', 'autopilot-operator') as unknown as V1Role;
    expect(role.metadata!.namespace).toBe('demo');
    expect(role.rules).toEqual(OPERATOR_RULES);
    const binding = find(manifests, 'RoleBinding', 'autopilot-operator') as unknown as V1RoleBinding;
    expect(binding.metadata!.namespace).toBe('demo');
    expect(binding.roleRef).toEqual({
      apiGroup: 'rbac.authorization.k8s.io',
      kind: 'Role',
      name: 'autopilot-operator',
    });
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: 'autopilot-operator', namespace: 'ops' },
    ]);
    expect(find(manifests, 'Role', 'autopilot-operator-leader-election').metadata.namespace).toBe('ops');
    expect(envOf(find(manifests, 'Deployment') as unknown as V1Deployment).WATCH_NAMESPACE).toBe('demo');
  });

  it('replicas: 2 with leader election; without it the chart refuses more than one', () => {
    const deployment = find(render(['--set', 'replicas=2']), 'Deployment') as unknown as V1Deployment;
    expect(deployment.spec!.replicas).toBe(2);
    const single = render(['--set', 'leaderElection.enabled=false']);
    expect(single.filter((m) => m.metadata.name.endsWith('-leader-election'))).toEqual([]);
    expect(envOf(find(single, 'Deployment') as unknown as V1Deployment).LEADER_ELECT).toBe('false');
    const refused = helm([
      'template',
      chartDir,
      '--set',
      'leaderElection.enabled=false',
      '--set',
      'replicas=2',
    ]);
    expect(refused.status).not.toBe(0);
    expect(refused.stderr).toContain('replicas > 1 needs leaderElection.enabled: true');
  });

  it('networkPolicy: only the metrics port, from the listed peers and the test pod', () => {
    const monitoring = {
      namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } },
    };
    const manifests = render([
      '--set',
      'networkPolicy.enabled=true',
      '--set-json',
      `networkPolicy.metricsFrom=${JSON.stringify([monitoring])}`,
    ]);
    // YAML's field names (client-node's V1NetworkPolicyIngressRule calls `from` `_from`).
    const policy = find(manifests, 'NetworkPolicy') as unknown as {
      spec: { podSelector: object; policyTypes: string[]; ingress: { ports: object[]; from: object[] }[] };
    };
    const deployment = find(manifests, 'Deployment') as unknown as V1Deployment;
    const test = find(manifests, 'Pod') as unknown as V1Pod;
    expect(policy.spec.podSelector).toEqual({ matchLabels: deployment.spec!.selector.matchLabels });
    expect(policy.spec.policyTypes).toEqual(['Ingress']);
    expect(policy.spec.ingress).toHaveLength(1);
    const [rule] = policy.spec.ingress;
    expect(rule!.ports).toEqual([{ port: 'metrics', protocol: 'TCP' }]);
    expect(rule!.from).toEqual([{ podSelector: { matchLabels: test.metadata!.labels } }, monitoring]);
    // The test pod must not pass for an operator pod (the metrics Service would select it).
    expect(test.metadata!.labels).not.toMatchObject(deployment.spec!.selector.matchLabels!);
  });
});

describe('values.schema.json', () => {
  const rejected = (...set: string[]) => {
    const result = helm(['template', chartDir, ...set.flatMap((s) => ['--set', s])]);
    expect(result.status).not.toBe(0);
    return result.stderr;
  };

  it('rejects an unknown key at the top and nested, naming it', () => {
    expect(rejected('replica=2')).toMatch(/additional propert(y|ies) 'replica' not allowed/);
    expect(rejected('image.tags=v1')).toMatch(/\/image.*additional propert(y|ies) 'tags' not allowed/s);
    expect(rejected('securityContext.readOnlyRootFS=true')).toContain("'readOnlyRootFS'");
  });

  it('rejects a wrong type or value, naming the field', () => {
    expect(rejected('replicas=two')).toMatch(/\/replicas.*got string, want integer/s);
    expect(rejected('image.pullPolicy=Sometimes')).toMatch(/\/image\/pullPolicy/);
    expect(rejected('watchNamespace=Not_A_Namespace')).toMatch(/\/watchNamespace/);
    expect(rejected('logLevel=loud')).toMatch(/\/logLevel/);
  });
});

describe('the CRD', () => {
  it("the chart's crds/ is a current copy of the repository's (scripts/chart-crds.sh --check)", () => {
    execFileSync('bash', [path.join(repoRoot, 'scripts/chart-crds.sh'), '--check'], { stdio: 'pipe' });
  });

  it('comes with the chart: the HelloWorldApp CRD that helloworld.yaml needs', () => {
    const crds = render(['--include-crds']).filter((m) => m.kind === 'CustomResourceDefinition');
    expect(crds.map((crd) => crd.metadata.name)).toEqual(['helloworldapps.autopilot-k8s.dev']);
  });
});
