// The desired state of a HelloWorldApp: every child object, computed purely from the app and the
// operator's defaults. reconcile() applies these with server-side apply, so a field left out here is
// a field the operator does not own (hello/world replicas when spec leaves them unset).
import type { KubernetesObject, V1Deployment, V1Service } from '@kubernetes/client-node';
import type { HelloWorldApp } from '../../api/v1alpha1/types.ts';
import type { ComponentImages, OperatorConfig } from '../../config.ts';
import { consulDeployment, consulService } from './consul.ts';
import { consulAddress, type Component } from './names.ts';
import { nginxDeployment, nginxService } from './nginx.ts';
import { sidecarServiceDeployment } from './sidecar-service.ts';

/** What every component builder needs besides the app. */
export interface BuildContext {
  images: ComponentImages;
  imagePullPolicy: OperatorConfig['imagePullPolicy'];
  consul: string;
  /** pino level names (the CR's logLevel). */
  logLevel: string;
}

export type ChildObject = (V1Deployment | V1Service) &
  Required<Pick<KubernetesObject, 'apiVersion' | 'kind'>>;

export function buildContext(
  app: HelloWorldApp,
  config: Pick<OperatorConfig, 'images' | 'imagePullPolicy'>,
): BuildContext {
  const overrides = app.spec.images ?? {};
  return {
    images: {
      autopilot: overrides.autopilot ?? config.images.autopilot,
      hello: overrides.hello ?? config.images.hello,
      world: overrides.world ?? config.images.world,
      nginx: overrides.nginx ?? config.images.nginx,
      consul: overrides.consul ?? config.images.consul,
    },
    imagePullPolicy: overrides.pullPolicy ?? config.imagePullPolicy,
    consul: consulAddress(app),
    logLevel: app.spec.logLevel,
  };
}

/** The components the app runs: Consul only when no external agent is named. */
export function activeComponents(app: HelloWorldApp): Component[] {
  return app.spec.consul?.address ? ['hello', 'world', 'nginx'] : ['consul', 'hello', 'world', 'nginx'];
}

export function desiredChildren(
  app: HelloWorldApp,
  config: Pick<OperatorConfig, 'images' | 'imagePullPolicy'>,
): ChildObject[] {
  const ctx = buildContext(app, config);
  const children: ChildObject[] = [];
  if (activeComponents(app).includes('consul')) children.push(consulDeployment(app, ctx), consulService(app));
  children.push(
    sidecarServiceDeployment(app, ctx, 'hello'),
    sidecarServiceDeployment(app, ctx, 'world'),
    nginxDeployment(app, ctx),
    nginxService(app),
  );
  return children;
}
