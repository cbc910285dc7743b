import { describe, expect, it } from 'vitest';
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { desiredChildren } from './desired.ts';
import { anApp, operatorConfig } from './testing/fixtures.ts';

const byName = (app = anApp()) =>
  new Map(desiredChildren(app, operatorConfig).map((c) => [`${c.kind}/${c.metadata!.name}`, c]));
const deployment = (children: ReturnType<typeof byName>, name: string) =>
  children.get(`Deployment/${name}`) as V1Deployment;

describe('the desired state of a HelloWorldApp', () => {
  it('is Consul, hello, world and nginx, each owned by the app', () => {
    const children = byName();
    expect(desiredChildren(anApp(), operatorConfig).map((c) => `${c.kind}/${c.metadata!.name}`)).toEqual([
      'Deployment/demo-consul',
      'Service/demo-consul',
      'Deployment/demo-hello',
      'Deployment/demo-world',
      'Deployment/demo-nginx',
      'Service/demo-nginx',
    ]);
    for (const child of children.values()) {
      expect(child.metadata!.namespace).toBe('shop');
      expect(child.metadata!.ownerReferences).toEqual([
        expect.objectContaining({ kind: 'HelloWorldApp', name: 'demo', uid: 'uid-demo', controller: true }),
      ]);
      expect(child.metadata!.labels!['app.kubernetes.io/managed-by']).toBe('autopilot-operator');
    }
  });

  it("runs autopilot as a native sidecar of hello and world, pointed at the app's Consul", () => {
    const hello = deployment(byName(), 'demo-hello').spec!.template.spec!;
    const sidecar = hello.initContainers![0]!;
    expect(sidecar.restartPolicy).toBe('Always');
    expect(sidecar.image).toBe('example/autopilot:1');
    const env = Object.fromEntries(
      sidecar.env!.map((e) => [e.name, e.value ?? e.valueFrom?.fieldRef?.fieldPath]),
    );
    expect(env).toMatchObject({
      SERVICE_NAME: 'hello',
      SERVICE_PORT: '3001',
      CONSUL: 'demo-consul:8500',
      POD_IP: 'status.podIP',
    });
    expect(hello.containers[0]!.image).toBe('example/hello:1');
    expect(hello.containers[0]!.lifecycle!.preStop!.exec!.command!.join(' ')).toContain(
      'autopilot -maintenance enable',
    );
  });

  it('leaves hello and world replicas to kubectl scale unless the spec sets them', () => {
    expect(deployment(byName(), 'demo-hello').spec).not.toHaveProperty('replicas');
    const scaled = byName(anApp('demo', { hello: { replicas: 10 }, world: { replicas: 6 } }));
    expect(deployment(scaled, 'demo-hello').spec!.replicas).toBe(10);
    expect(deployment(scaled, 'demo-world').spec!.replicas).toBe(6);
  });

  it('deploys no Consul when the app names an existing agent', () => {
    const children = desiredChildren(
      anApp('demo', { consul: { address: 'consul.infra:8500' } }),
      operatorConfig,
    );
    expect(children.map((c) => c.metadata!.name)).not.toContain('demo-consul');
    const nginx = children.find(
      (c) => c.metadata!.name === 'demo-nginx' && c.kind === 'Deployment',
    ) as V1Deployment;
    expect(nginx.spec!.template.spec!.containers[0]!.env).toContainEqual({
      name: 'CONSUL',
      value: 'consul.infra:8500',
    });
  });

  it('takes images and pull policy from the spec over the operator defaults', () => {
    const children = byName(anApp('demo', { images: { hello: 'mine/hello:2', pullPolicy: 'Always' } }));
    const hello = deployment(children, 'demo-hello').spec!.template.spec!;
    expect(hello.containers[0]).toMatchObject({ image: 'mine/hello:2', imagePullPolicy: 'Always' });
    expect(hello.initContainers![0]).toMatchObject({
      image: 'example/autopilot:1',
      imagePullPolicy: 'Always',
    });
  });

  it('exposes nginx as the spec asks', () => {
    const app = anApp('demo', {
      nginx: { replicas: 2, service: { type: 'NodePort', port: 8080, nodePort: 30080 } },
    });
    const children = desiredChildren(app, operatorConfig);
    const service = children.find(
      (c) => c.kind === 'Service' && c.metadata!.name === 'demo-nginx',
    ) as V1Service;
    expect(service.spec).toMatchObject({
      type: 'NodePort',
      ports: [{ port: 8080, nodePort: 30080, targetPort: 'http' }],
    });
    expect(deployment(byName(app), 'demo-nginx').spec!.replicas).toBe(2);
  });

  it('reserves CPU and memory for nginx and Consul, which every request and registration passes', () => {
    const container = (app: ReturnType<typeof anApp>, name: string) =>
      deployment(byName(app), name).spec!.template.spec!.containers[0]!;
    expect(container(anApp(), 'demo-nginx').resources).toEqual({ requests: { cpu: '100m', memory: '96Mi' } });
    expect(container(anApp(), 'demo-consul').resources).toEqual({
      requests: { cpu: '100m', memory: '128Mi' },
    });

    const sized = anApp('demo', {
      nginx: { resources: { requests: { cpu: 1 }, limits: { memory: '256Mi' } } },
      consul: { resources: { limits: { cpu: '2' } } },
    });
    expect(container(sized, 'demo-nginx').resources).toEqual({
      requests: { cpu: '1' },
      limits: { memory: '256Mi' },
    });
    expect(container(sized, 'demo-consul').resources).toEqual({ limits: { cpu: '2' } });
  });

  it('gives every pod the restricted Pod Security Standard', () => {
    for (const child of desiredChildren(anApp(), operatorConfig)) {
      if (child.kind !== 'Deployment') continue;
      const pod = (child as V1Deployment).spec!.template.spec!;
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.automountServiceAccountToken).toBe(false);
      for (const c of [...(pod.initContainers ?? []), ...pod.containers]) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ['ALL'] },
        });
      }
    }
  });
});
