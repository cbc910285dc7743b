// nginx: autopilot as PID 1 renders nginx.conf from the healthy hello and world instances in Consul,
// starts nginx once the first render is written and reloads it when the instances change. The
// operator never tells nginx about an instance: that is the pattern's point.
import type { V1Deployment, V1Service } from '@kubernetes/client-node';
import { containerResources, type HelloWorldApp } from '../../api/v1alpha1/types.ts';
import type { BuildContext } from './desired.ts';
import { NGINX_CONTAINER_PORT, childName, componentLabels, ownerReference, selectorLabels } from './names.ts';
import { containerSecurityContext, podSecurityContext } from './pod-security.ts';

export function nginxDeployment(
  app: HelloWorldApp,
  ctx: BuildContext,
): V1Deployment & { apiVersion: string; kind: string } {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: childName(app, 'nginx'),
      namespace: app.metadata!.namespace!,
      labels: componentLabels(app, 'nginx'),
      ownerReferences: [ownerReference(app)],
    },
    spec: {
      replicas: app.spec.nginx.replicas,
      selector: { matchLabels: selectorLabels(app, 'nginx') },
      template: {
        metadata: { labels: componentLabels(app, 'nginx') },
        spec: {
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          volumes: [
            { name: 'nginx-run', emptyDir: {} },
            { name: 'autopilot-run', emptyDir: {} },
          ],
          containers: [
            {
              name: 'nginx',
              image: ctx.images.nginx,
              imagePullPolicy: ctx.imagePullPolicy,
              env: [
                { name: 'CONSUL', value: ctx.consul },
                { name: 'NGINX_PORT', value: String(NGINX_CONTAINER_PORT) },
                { name: 'AUTOPILOT_LOG_LEVEL', value: ctx.logLevel.toUpperCase() },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              ],
              ports: [{ name: 'http', containerPort: NGINX_CONTAINER_PORT }],
              // nginx starts after the first render (once Consul answered). /instances.json is part of
              // the rendered conf and, unlike the page, not written to the access log on every probe.
              // One nginx replica by default: a readiness blip empties the Service and clients get
              // ECONNREFUSED. The kubelet's 1 s default timed out while 15 pods stopped at once on 2
              // cores (bench/cluster-demo.ts), so give it room.
              readinessProbe: {
                httpGet: { path: '/instances.json', port: 'http' },
                periodSeconds: 2,
                timeoutSeconds: 5,
              },
              // Every request passes here. Without requests the pod was BestEffort, and with 15
              // pods stopping at once on 2 cores it stalled for 5 s (bench/cluster-demo.ts): its
              // own health check and a client timed out. CPU shares follow requests. spec.nginx.resources overrides.
              resources: app.spec.nginx.resources
                ? containerResources(app.spec.nginx.resources)
                : { requests: { cpu: '100m', memory: '96Mi' } },
              volumeMounts: [
                { name: 'nginx-run', mountPath: '/run/nginx' },
                { name: 'autopilot-run', mountPath: '/run/autopilot' },
              ],
              securityContext: containerSecurityContext,
            },
          ],
        },
      },
    },
  };
}

export function nginxService(app: HelloWorldApp): V1Service & { apiVersion: string; kind: string } {
  const { service } = app.spec.nginx;
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: childName(app, 'nginx'),
      namespace: app.metadata!.namespace!,
      labels: componentLabels(app, 'nginx'),
      ownerReferences: [ownerReference(app)],
    },
    spec: {
      type: service.type,
      selector: selectorLabels(app, 'nginx'),
      ports: [
        {
          name: 'http',
          port: service.port,
          targetPort: 'http',
          ...(service.nodePort === undefined ? {} : { nodePort: service.nodePort }),
        },
      ],
    },
  };
}
