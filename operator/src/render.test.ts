import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load, loadAll } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { renderObjects } from './render.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const example = () => load(readFileSync(path.join(repoRoot, 'helloworld.yaml'), 'utf8'));
const ids = (objects: { kind?: string; metadata?: { name?: string } }[]) =>
  objects.map((o) => `${o.kind}/${o.metadata?.name}`);

describe('render: the operator’s output as plain manifests', () => {
  it('renders helloworld.yaml into the same children the operator applies, without owners', () => {
    const objects = renderObjects(example(), { namespace: 'demo' });
    expect(ids(objects)).toEqual([
      'Deployment/helloworld-consul',
      'Service/helloworld-consul',
      'Deployment/helloworld-hello',
      'Deployment/helloworld-world',
      'Deployment/helloworld-nginx',
      'Service/helloworld-nginx',
    ]);
    for (const o of objects) {
      expect(o.metadata?.namespace).toBe('demo');
      expect(o.metadata?.ownerReferences).toBeUndefined();
    }
  });

  it('starts with a Namespace enforcing the restricted Pod Security Standard when asked', () => {
    const [ns] = renderObjects(example(), { namespace: 'demo', withNamespace: true });
    expect(ns).toMatchObject({
      kind: 'Namespace',
      metadata: { name: 'demo', labels: { 'pod-security.kubernetes.io/enforce': 'restricted' } },
    });
  });

  it('refuses what the API server would refuse, naming the field', () => {
    const app = (spec: unknown, name = 'demo') => ({
      apiVersion: 'autopilot-k8s.dev/v1alpha1',
      kind: 'HelloWorldApp',
      metadata: { name },
      spec,
    });
    expect(() => renderObjects(app({ hello: { replicas: -1 } }))).toThrow(/spec\.hello\.replicas/);
    expect(() => renderObjects(app({}, '9lives'))).toThrow(/metadata\.name must be a DNS-1035 label/);
    expect(() => renderObjects({ apiVersion: 'v1', kind: 'ConfigMap' })).toThrow(/expected a HelloWorldApp/);
  });

  it('runs as a command: a file in, multi-document YAML out; a bad file is one line on stderr', () => {
    const node = path.join(repoRoot, 'node_modules/.bin/node');
    const script = path.join(repoRoot, 'operator/src/render.ts');
    const out = execFileSync(
      node,
      [script, path.join(repoRoot, 'helloworld.yaml'), '-n', 'x', '--with-namespace'],
      {
        encoding: 'utf8',
      },
    );
    expect(ids(loadAll(out) as { kind: string; metadata: { name: string } }[])).toContain('Namespace/x');
    let stderr = '';
    try {
      execFileSync(node, [script], { input: 'kind: Pod\n', encoding: 'utf8', stdio: 'pipe' });
    } catch (error) {
      stderr = (error as { stderr: string }).stderr;
    }
    expect(stderr).toBe('render: expected a HelloWorldApp of autopilot-k8s.dev/v1alpha1, got Pod\n');
  }, 30_000);
});
