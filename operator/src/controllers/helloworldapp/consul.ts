// Consul: one server that elects itself. Its state lives on an emptyDir and goes with the pod, and so
// do the registrations; every autopilot re-registers when Consul refuses its next TTL update, which is
// the pattern's answer to a lost registry.
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { containerResources, type HelloWorldApp } from '../../api/v1alpha1/types.ts';
import type { BuildContext } from './desired.ts';
import { CONSUL_HTTP_PORT, childName, componentLabels, ownerReference, selectorLabels } from './names.ts';
import { containerSecurityContext, podSecurityContext } from './pod-security.ts';

export function consulDeployment(
  app: HelloWorldApp,
  ctx: BuildContext,
): V1Deployment & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: childName(app, 'consul'),
      namespace: app.metadata!.namespace!,
      labels: componentLabels(app, 'consul'),
      ownerReferences: [ownerReference(app)],
    },
    spec: {
      replicas: 1,
      // Two servers each bootstrapping alone would be two clusters: never run old and new together.
      strategy: { type: 'Recreate' },
      selector: { matchLabels: selectorLabels(app, 'consul') },
      template: {
        metadata: { labels: componentLabels(app, 'consul') },
        spec: {
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          volumes: [{ name: 'data', emptyDir: {} }],
          containers: [
            {
              name: 'consul',
              image: ctx.images.consul,
              imagePullPolicy: ctx.imagePullPolicy,
              ports: [{ name: 'http', containerPort: CONSUL_HTTP_PORT }],
              // Ready once it has a leader: list-peers fails until then.
              readinessProbe: {
                exec: { command: ['consul', 'operator', 'raft', 'list-peers'] },
                periodSeconds: 3,
                timeoutSeconds: 5,
              },
              // Every instance's registration and nginx's watches go through this one agent.
              // Without requests it would be BestEffort, the first to starve for CPU.
              resources: app.spec.consul?.resources
                ? containerResources(app.spec.consul.resources)
                : { requests: { cpu: '100m', memory: '128Mi' } },
              volumeMounts: [{ name: 'data', mountPath: '/consul/data' }],
              securityContext: containerSecurityContext,
            },
          ],
        },
      },
    },
  };
}

export function consulService(app: HelloWorldApp): V1Service & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: childName(app, 'consul'),
      namespace: app.metadata!.namespace!,
      labels: componentLabels(app, 'consul'),
      ownerReferences: [ownerReference(app)],
    },
    spec: {
      selector: selectorLabels(app, 'consul'),
      ports: [{ name: 'http', port: CONSUL_HTTP_PORT, targetPort: 'http' }],
    },
  };
}
