// The operator's output without the operator, like `helm template`: a HelloWorldApp file in, the plain
// manifests the operator would create for it out (defaults applied, ownerReferences left out since no
// app object owns them). For clusters where installing an operator is not an option, for reviewing
// what the operator will do, and for the e2e test that runs the demo on plain manifests.
//   node operator/src/render.ts [FILE] [--namespace NS] [--with-namespace]   (FILE default stdin)
//   node operator/src/render.ts helloworld.yaml -n demo --with-namespace | kubectl apply -f -
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { KubernetesObject } from '@kubernetes/client-node';
import { dump, load } from 'js-yaml';
import { APP_NAME_RULES } from './api/v1alpha1/schema.ts';
import { API_VERSION, KIND, withSpecDefaults, type HelloWorldApp } from './api/v1alpha1/types.ts';
import { readConfig, type OperatorConfig } from './config.ts';
import { desiredChildren } from './controllers/helloworldapp/desired.ts';

/** Labels of a namespace that enforces the "restricted" Pod Security Standard the pods are built for. */
export const RESTRICTED_NAMESPACE_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
};

export interface RenderOptions {
  /** Overrides the app's metadata.namespace; default "default". */
  namespace?: string;
  /** Starts with the Namespace, labelled to enforce the restricted Pod Security Standard. */
  withNamespace?: boolean;
  config?: Pick<OperatorConfig, 'images' | 'imagePullPolicy'>;
}

/** The objects the operator would apply for `source`, a HelloWorldApp as read from YAML. */
export function renderObjects(source: unknown, options: RenderOptions = {}): KubernetesObject[] {
  const app = source as Partial<HelloWorldApp> | undefined;
  if (app?.apiVersion !== API_VERSION || app.kind !== KIND) {
    throw new TypeError(
      `expected a ${KIND} of ${API_VERSION}, got ${[app?.kind, app?.apiVersion].filter(Boolean).join(' of ') || 'nothing'}`,
    );
  }
  const name = app.metadata?.name ?? '';
  const broken = APP_NAME_RULES.find((r) => !r.check(name));
  if (broken) throw new TypeError(`${broken.message}, got "${name}"`);
  const namespace = options.namespace ?? app.metadata?.namespace ?? 'default';
  const defaulted: HelloWorldApp = {
    apiVersion: API_VERSION,
    kind: KIND,
    metadata: { name, namespace },
    spec: withSpecDefaults(app.spec ?? {}),
  };
  const children = desiredChildren(defaulted, options.config ?? readConfig({})).map((child) => {
    const { ownerReferences: _owned, ...metadata } = child.metadata!;
    return { ...child, metadata };
  });
  const ns = {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: namespace, labels: RESTRICTED_NAMESPACE_LABELS },
  };
  return options.withNamespace ? [ns, ...children] : children;
}

export function renderYaml(objects: KubernetesObject[]): string {
  return objects.map((o) => dump(o, { lineWidth: -1, noRefs: true })).join('---\n');
}

function main(argv: string[]): void {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      namespace: { type: 'string', short: 'n' },
      'with-namespace': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write('usage: render.ts [FILE] [--namespace NS] [--with-namespace]\n');
    return;
  }
  const file = positionals[0];
  const text = readFileSync(file ?? 0, 'utf8');
  const objects = renderObjects(load(text), {
    ...(values.namespace ? { namespace: values.namespace } : {}),
    withNamespace: values['with-namespace'] ?? false,
    // The images and pull policy as the chart would give the operator (env AUTOPILOT_IMAGE...).
    config: readConfig(process.env),
  });
  process.stdout.write(renderYaml(objects));
}

if (import.meta.main) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`render: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
