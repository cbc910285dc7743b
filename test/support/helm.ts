// The real helm binary (scripts/cluster/build-tools.sh helm; integration-setup.ts exports HELM_BIN)
// run against the operator's chart, with its own config, cache and data directories so tests never
// read or write the user's, and no kubeconfig unless a test passes one (`helm template` must not
// reach any cluster).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadAll } from 'js-yaml';

export const repoRoot = path.resolve(import.meta.dirname, '../..');
export const chartDir = path.join(repoRoot, 'charts/autopilot-operator');

export interface HelmResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** A rendered Kubernetes object, as loose as YAML makes it. */
export interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

function helmBin(): string {
  const bin = process.env.HELM_BIN;
  if (!bin || !existsSync(bin)) {
    throw new Error(`HELM_BIN (${bin ?? 'unset'}) is not helm: run through vitest's integration project`);
  }
  return bin;
}

const home = mkdtempSync(path.join(os.tmpdir(), 'autopilot-helm-'));

/** Removes helm's scratch directories (call from afterAll). */
export function removeHelmHome(): void {
  rmSync(home, { recursive: true, force: true });
}

/** Runs helm; never throws on a non-zero exit (schema rejections are what some tests want). */
export function helm(args: string[], kubeconfig = path.join(home, 'no-kubeconfig')): HelmResult {
  const result = spawnSync(helmBin(), args, {
    encoding: 'utf8',
    cwd: repoRoot,
    env: {
      PATH: process.env.PATH,
      HOME: home,
      HELM_CONFIG_HOME: path.join(home, 'config'),
      HELM_CACHE_HOME: path.join(home, 'cache'),
      HELM_DATA_HOME: path.join(home, 'data'),
      KUBECONFIG: kubeconfig,
    },
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** `helm template` of the chart, parsed; throws with helm's message when it fails. */
export function render(values: string[] = [], namespace = 'ops', release = 'autopilot-operator'): Manifest[] {
  const result = helm(['template', release, chartDir, '--namespace', namespace, ...values]);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return loadAll(result.stdout).filter((doc): doc is Manifest => doc !== null && typeof doc === 'object');
}

/** The one rendered object of a kind (and name, when several share the kind). */
export function find(manifests: Manifest[], kind: string, name?: string): Manifest {
  const matches = manifests.filter(
    (m) => m.kind === kind && (name === undefined || m.metadata.name === name),
  );
  if (matches.length !== 1) {
    const all = manifests.map((m) => `${m.kind}/${m.metadata.name}`).join(', ');
    throw new Error(`expected one ${kind}${name ? `/${name}` : ''}, found ${matches.length} among ${all}`);
  }
  return matches[0]!;
}
