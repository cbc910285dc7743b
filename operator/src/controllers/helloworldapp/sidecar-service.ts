// hello and world: the app container runs the service itself, and autopilot runs beside it as a native
// sidecar (an init container with restartPolicy: Always: up before the app, stopped after it). The
// sidecar registers the service in Consul while its /readyz answers. Before the pod stops, the app's
// preStop hook takes the instance out of Consul through autopilot's control socket (an emptyDir both
// containers mount), so nginx stops routing to it before it drains.
import type { V1Deployment } from '@kubernetes/client-node';
import { containerResources, type HelloWorldApp } from '../../api/v1alpha1/types.ts';
import type { BuildContext } from './desired.ts';
import { SERVICE_PORTS, childName, componentLabels, ownerReference, selectorLabels } from './names.ts';
import { containerSecurityContext, podSecurityContext } from './pod-security.ts';

const CONTROL_DIR = '/run/autopilot';
/** The image's CONTAINERPILOT_SOCKET (docker/autopilot/Dockerfile). */
const CONTROL_SOCKET = `${CONTROL_DIR}/autopilot.sock`;
const HEALTH_PATH = '/readyz';

export function sidecarServiceDeployment(
  app: HelloWorldApp,
  ctx: BuildContext,
  component: 'hello' | 'world',
): V1Deployment & { apiVersion: string; kind: string } {
  const port = SERVICE_PORTS[component];
  const spec = app.spec[component];
  const controlMount = { name: 'autopilot-run', mountPath: CONTROL_DIR };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: childName(app, component),
      namespace: app.metadata!.namespace!,
      labels: componentLabels(app, component),
      ownerReferences: [ownerReference(app)],
    },
    spec: {
      // Unset: left out of the apply, so `kubectl scale` or an HPA owns the count.
      ...(spec?.replicas === undefined ? {} : { replicas: spec.replicas }),
      selector: { matchLabels: selectorLabels(app, component) },
      template: {
        metadata: { labels: componentLabels(app, component) },
        spec: {
          enableServiceLinks: false,
          automountServiceAccountToken: false,
          securityContext: podSecurityContext,
          volumes: [{ name: 'autopilot-run', emptyDir: {} }],
          initContainers: [
            {
              name: 'autopilot',
              image: ctx.images.autopilot,
              imagePullPolicy: ctx.imagePullPolicy,
              restartPolicy: 'Always',
              args: ['-config', '/etc/autopilot/sidecar.json5'],
              env: [
                { name: 'SERVICE_NAME', value: component },
                { name: 'SERVICE_PORT', value: String(port) },
                { name: 'SERVICE_HEALTH_PATH', value: HEALTH_PATH },
                { name: 'CONSUL', value: ctx.consul },
                { name: 'AUTOPILOT_LOG_LEVEL', value: ctx.logLevel.toUpperCase() },
                { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
              ],
              // The app starts once autopilot listens on its control socket (which preStop needs).
              // Not `autopilot -ping`: that starts a Node process per probe per second, and 14 pods
              // starting at once on 2 cores (bench/cluster-demo.ts) pushed it past the probe's
              // timeout, so the kubelet killed every sidecar in a loop. `test -S` costs nothing.
              startupProbe: {
                exec: { command: ['sh', '-c', `test -S ${CONTROL_SOCKET}`] },
                periodSeconds: 1,
                timeoutSeconds: 5,
                failureThreshold: 120,
              },
              resources: { requests: { cpu: '10m', memory: '64Mi' } },
              volumeMounts: [controlMount],
              securityContext: containerSecurityContext,
            },
          ],
          containers: [
            {
              name: component,
              image: ctx.images[component],
              imagePullPolicy: ctx.imagePullPolicy,
              command: ['node', `/app/services/${component}/src/main.ts`],
              env: [{ name: 'LOG_LEVEL', value: ctx.logLevel }],
              ports: [{ name: 'http', containerPort: port }],
              // 3 s, not the kubelet's 1 s: a busy node must not flap readiness (and the app's status).
              readinessProbe: {
                httpGet: { path: HEALTH_PATH, port: 'http' },
                periodSeconds: 2,
                timeoutSeconds: 3,
              },
              lifecycle: {
                // Deregister, then give nginx a moment to re-render without this instance.
                preStop: { exec: { command: ['sh', '-c', 'autopilot -maintenance enable; sleep 2'] } },
              },
              ...(spec?.resources ? { resources: containerResources(spec.resources) } : {}),
              volumeMounts: [controlMount],
              securityContext: containerSecurityContext,
            },
          ],
        },
      },
    },
  };
}
