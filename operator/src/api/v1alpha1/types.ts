// The operator's view of a HelloWorldApp: the Static types of schema.ts, as the apiserver serves the
// object (defaults applied, so e.g. spec.nginx.replicas and spec.logLevel are always present).
import type { V1ObjectMeta, V1ResourceRequirements } from '@kubernetes/client-node';
import type { Static } from 'typebox';
import Value from 'typebox/value';
import {
  componentStatusSchema,
  conditionSchema,
  helloWorldAppSpecSchema,
  type helloWorldAppStatusSchema,
} from './schema.ts';

export const GROUP = 'autopilot-k8s.dev';
export const VERSION = 'v1alpha1';
export const KIND = 'HelloWorldApp';
export const PLURAL = 'helloworldapps';
export const SINGULAR = 'helloworldapp';
export const API_VERSION = `${GROUP}/${VERSION}`;
/** The CRD's metadata.name. */
export const CRD_NAME = `${PLURAL}.${GROUP}`;

export type HelloWorldAppSpec = Static<typeof helloWorldAppSpecSchema>;
export type HelloWorldAppStatus = Static<typeof helloWorldAppStatusSchema>;
/** The replica counts of one component's Deployment in the status. */
export type ComponentStatus = Static<typeof componentStatusSchema>;
/** metav1.Condition as JSON: lastTransitionTime is an RFC 3339 string, not a Date. */
export type Condition = Static<typeof conditionSchema>;
export type ConditionStatus = Condition['status'];
export type ServiceType = HelloWorldAppSpec['nginx']['service']['type'];
export type PullPolicy = NonNullable<NonNullable<HelloWorldAppSpec['images']>['pullPolicy']>;
export type LogLevel = HelloWorldAppSpec['logLevel'];
/** spec.hello/world.resources. Quantities are int-or-string, as in core: `cpu: 1` stays a number. */
export type ResourceRequirements = NonNullable<NonNullable<HelloWorldAppSpec['hello']>['resources']>;

export interface HelloWorldApp {
  apiVersion: typeof API_VERSION;
  kind: typeof KIND;
  metadata: V1ObjectMeta;
  spec: HelloWorldAppSpec;
  status?: HelloWorldAppStatus;
}

/**
 * The spec as the apiserver would default it, for objects that did not come from one (fakes in
 * unit tests, dry runs): the CRD's defaults, read from the same schema. Checks the schema's
 * constraints too, but not its CEL rules (e.g. nodePort needs type NodePort): only the apiserver runs those.
 */
export function withSpecDefaults(spec: unknown = {}): HelloWorldAppSpec {
  const defaulted = Value.Default(helloWorldAppSpecSchema, Value.Clone(spec));
  if (!Value.Check(helloWorldAppSpecSchema, defaulted)) {
    const [first] = Value.Errors(helloWorldAppSpecSchema, defaulted);
    const field = `spec${(first?.instancePath ?? '').replaceAll('/', '.')}`;
    throw new TypeError(`invalid HelloWorldApp: ${field} ${first?.message ?? 'is invalid'}`);
  }
  return defaulted;
}

/** A component's resources for a container: client-node types quantities as strings only. */
export function containerResources(resources: ResourceRequirements): V1ResourceRequirements {
  const asStrings = (quantities: Record<string, string | number>) =>
    Object.fromEntries(Object.entries(quantities).map(([name, quantity]) => [name, String(quantity)]));
  return {
    ...(resources.requests ? { requests: asStrings(resources.requests) } : {}),
    ...(resources.limits ? { limits: asStrings(resources.limits) } : {}),
  };
}
