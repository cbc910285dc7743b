// The HelloWorldApp schema, written once: the CRD's openAPIV3Schema is generated from it
// (crd.ts, scripts/generate-crds.ts) and the operator's TypeScript types are its Static types
// (types.ts), so the two cannot drift apart.
//
// Kubernetes only accepts structural schemas: every node has a `type`, no `const`, no
// `patternProperties`, no `additionalProperties: false` (unknown fields are pruned instead), no
// `$id`. TypeBox's Union/Record/Literal emit some of those, so enums, maps and quantities are built
// with Type.Unsafe from schemas written the way the apiserver wants them.
import { Type, type TSchema, type TUnsafe } from 'typebox';

function stringEnum<const Values extends readonly string[]>(
  values: Values,
  options: { description: string; default?: Values[number] },
): TUnsafe<Values[number]> {
  return Type.Unsafe<Values[number]>({ type: 'string', enum: [...values], ...options });
}

function int32(minimum: number, maximum: number, description: string, extra: object = {}) {
  return Type.Integer({ format: 'int32', minimum, maximum, description, ...extra });
}

// k8s.io/apimachinery resource.Quantity, as controller-gen writes it: "500m", "1Gi" or a bare number.
const QUANTITY_PATTERN =
  '^(\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\\+|-)?(([0-9]+(\\.[0-9]*)?)|(\\.[0-9]+))))?$';

function quantityMap(description: string): TUnsafe<Record<string, string | number>> {
  return Type.Unsafe<Record<string, string | number>>({
    type: 'object',
    description,
    additionalProperties: {
      'x-kubernetes-int-or-string': true,
      anyOf: [{ type: 'integer' }, { type: 'string' }],
      pattern: QUANTITY_PATTERN,
    },
  });
}

const resources = Type.Object(
  {
    requests: Type.Optional(
      quantityMap('Minimum compute resources (e.g. cpu: 50m, memory: 64Mi) the scheduler reserves.'),
    ),
    limits: Type.Optional(quantityMap('Maximum compute resources (e.g. cpu: 500m, memory: 128Mi).')),
  },
  { description: "Compute resources of the component's application container (core ResourceRequirements)." },
);

function workload(component: string) {
  return Type.Object(
    {
      replicas: Type.Optional(
        int32(
          0,
          100,
          `Pods of the ${component} Deployment. Unset (the default) leaves the replica count to ` +
            '`kubectl scale` or a HorizontalPodAutoscaler: the operator then never overwrites it.',
        ),
      ),
      resources: Type.Optional(resources),
    },
    {
      description: `The ${component} service, registered in Consul by its autopilot sidecar, served via nginx.`,
    },
  );
}

const nginxService = Type.Object(
  {
    type: stringEnum(['ClusterIP', 'NodePort', 'LoadBalancer'], {
      description: 'How the Service exposes nginx.',
      default: 'ClusterIP',
    }),
    port: Type.Integer({ minimum: 1, maximum: 65535, default: 80, description: "The Service's port." }),
    nodePort: Type.Optional(
      Type.Integer({
        minimum: 30000,
        maximum: 32767,
        description: 'A fixed node port; only with type NodePort or LoadBalancer. Unset: one is allocated.',
      }),
    ),
  },
  {
    default: {},
    description: 'The Service <name>-nginx in front of the nginx pods.',
    'x-kubernetes-validations': [
      {
        rule: "!has(self.nodePort) || self.type == 'NodePort' || self.type == 'LoadBalancer'",
        message: 'spec.nginx.service.nodePort requires spec.nginx.service.type NodePort or LoadBalancer',
        fieldPath: '.nodePort',
      },
    ],
  },
);

const nginx = Type.Object(
  {
    replicas: int32(1, 10, 'Pods of the nginx Deployment, the entry point of the app.', { default: 1 }),
    service: nginxService,
    resources: Type.Optional(
      Type.Object(resources.properties, {
        description:
          'Compute resources of the nginx container (nginx under autopilot). Unset: requests cpu 100m, memory 96Mi.',
      }),
    ),
  },
  { default: {}, description: 'The nginx front end, which routes /hello and /world to the services.' },
);

const consul = Type.Object(
  {
    address: Type.Optional(
      Type.String({
        pattern: '^(\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?):[1-9][0-9]{0,4}$',
        maxLength: 261,
        description:
          'host:port of an existing Consul agent for the pods to use. When set, the operator deploys ' +
          'no Consul of its own.',
      }),
    ),
    resources: Type.Optional(
      Type.Object(resources.properties, {
        description:
          "Compute resources of the operator's own Consul. Unset: requests cpu 100m, memory 128Mi.",
      }),
    ),
  },
  { description: 'Service discovery. Unset: the operator runs a single-node Consul, <name>-consul.' },
);

const image = (component: string) =>
  Type.Optional(
    Type.String({
      minLength: 1,
      description: `The ${component} image, overriding the operator's default.`,
    }),
  );

const images = Type.Object(
  {
    autopilot: image('autopilot sidecar'),
    hello: image('hello'),
    world: image('world'),
    nginx: image('nginx'),
    consul: image('Consul'),
    pullPolicy: Type.Optional(
      stringEnum(['Always', 'IfNotPresent', 'Never'], {
        description:
          "imagePullPolicy of every container. Unset: the operator's setting (IfNotPresent unless configured otherwise).",
      }),
    ),
  },
  { description: 'Container images; unset fields use the images the operator was configured with.' },
);

export const helloWorldAppSpecSchema = Type.Object(
  {
    hello: Type.Optional(workload('hello')),
    world: Type.Optional(workload('world')),
    nginx,
    consul: Type.Optional(consul),
    images: Type.Optional(images),
    logLevel: stringEnum(['debug', 'info', 'warn', 'error'], {
      description: 'Log level of the autopilot sidecars and the services.',
      default: 'info',
    }),
  },
  { default: {}, description: 'The desired state of the hello-world app.' },
);

export const conditionSchema = Type.Object(
  {
    type: Type.String({
      maxLength: 316,
      pattern:
        '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$',
      description: 'Type of condition in CamelCase, e.g. Ready, Progressing, Degraded.',
    }),
    status: stringEnum(['True', 'False', 'Unknown'], { description: 'Status of the condition.' }),
    observedGeneration: Type.Optional(
      Type.Integer({
        format: 'int64',
        minimum: 0,
        description: 'The .metadata.generation the condition was set for.',
      }),
    ),
    lastTransitionTime: Type.String({
      format: 'date-time',
      description: 'When the condition last changed from one status to another.',
    }),
    reason: Type.String({
      minLength: 1,
      maxLength: 1024,
      pattern: '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$',
      description: "Programmatic identifier of the condition's last transition, in CamelCase.",
    }),
    message: Type.String({ maxLength: 32768, description: 'Human-readable details of the transition.' }),
  },
  { description: 'One aspect of the current state (metav1.Condition).' },
);

export const componentStatusSchema = Type.Object(
  {
    replicas: Type.Integer({
      format: 'int32',
      minimum: 0,
      description: "Pods of the component's Deployment.",
    }),
    readyReplicas: Type.Integer({
      format: 'int32',
      minimum: 0,
      description: 'Of those, the pods that are ready.',
    }),
  },
  { description: "Replica counts of the component's Deployment." },
);

const component = (name: string) =>
  Type.Optional(Type.Object(componentStatusSchema.properties, { description: `The ${name} Deployment.` }));

export const helloWorldAppStatusSchema = Type.Object(
  {
    observedGeneration: Type.Optional(
      Type.Integer({
        format: 'int64',
        minimum: 0,
        description: 'The .metadata.generation the operator last reconciled.',
      }),
    ),
    conditions: Type.Optional(
      Type.Array(conditionSchema, {
        description: 'Current state: Ready is True once every component has ready pods.',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['type'],
      }),
    ),
    hello: component('hello'),
    world: component('world'),
    nginx: component('nginx'),
    consul: component('Consul'),
    url: Type.Optional(Type.String({ description: 'Where the app answers, via the nginx Service.' })),
  },
  { description: 'The observed state of the hello-world app, written by the operator.' },
);

/**
 * What the app's name must be, as CEL rules the apiserver runs and as checks for tools that render
 * without one (render.ts), so both refuse the same names with the same message.
 */
export const APP_NAME_RULES = [
  {
    rule: 'size(self.metadata.name) <= 56',
    message: 'metadata.name must be at most 56 characters: children are named <name>-consul etc.',
    check: (name: string) => name.length <= 56,
  },
  {
    rule: "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message:
      'metadata.name must be a DNS-1035 label (lowercase letters, digits and -, starting with a ' +
      "letter, ending with a letter or digit): it names the app's Services",
    check: (name: string) => /^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(name),
  },
];

export const helloWorldAppSchema = Type.Object(
  {
    apiVersion: Type.Optional(
      Type.String({
        description: 'The versioned schema of this representation: autopilot-k8s.dev/v1alpha1.',
      }),
    ),
    kind: Type.Optional(
      Type.String({ description: 'The REST resource this object represents: HelloWorldApp.' }),
    ),
    // The apiserver allows no more here (not even a description): metadata's schema is its own.
    metadata: Type.Optional(Type.Unsafe<object>({ type: 'object' })),
    spec: helloWorldAppSpecSchema,
    status: Type.Optional(helloWorldAppStatusSchema),
  },
  {
    description: 'A hello-world app (hello, world, nginx and Consul, each pod with the autopilot sidecar).',
    // No fieldPath: the apiserver only accepts paths into the schema, and metadata is not in it.
    'x-kubernetes-validations': APP_NAME_RULES.map(({ rule, message }) => ({ rule, message })),
  },
);

// Read top-down: what a field is first, its children last.
const FIRST_KEYS = ['description', 'type'];
const LAST_KEYS = ['required', 'properties', 'items', 'additionalProperties'];
const rank = (key: string) =>
  FIRST_KEYS.includes(key) ? FIRST_KEYS.indexOf(key) - FIRST_KEYS.length : LAST_KEYS.indexOf(key) + 1;

/** A TypeBox schema as a CRD's openAPIV3Schema: plain JSON, without what the apiserver refuses. */
export function toCrdSchema(schema: TSchema): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify(schema, function (this: Record<string, unknown>, key, value: unknown) {
      if (key === '$id' || key === '$schema') return undefined;
      // A property with a default is never missing once the apiserver has defaulted it, so the TS
      // types call it required; users may still omit it, so the CRD does not.
      if (key === 'required' && Array.isArray(value)) {
        const properties = (this.properties ?? {}) as Record<string, { default?: unknown }>;
        const required = value.filter((name: string) => properties[name]?.default === undefined);
        return required.length > 0 ? required : undefined;
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value) || key === 'properties')
        return value;
      const entries = Object.entries(value as Record<string, unknown>);
      return Object.fromEntries(entries.sort(([a], [b]) => rank(a) - rank(b)));
    }),
  ) as Record<string, unknown>;
}
