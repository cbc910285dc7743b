// The project's Kubernetes cluster for e2e tests: finds (or brings up, through scripts/cluster/up.sh)
// the cluster that `npm run cluster:up` manages, and runs the kubectl built with it.
// Paths follow scripts/lib.sh and scripts/cluster/common.sh.
import { execFile, execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

export const repoRoot = path.resolve(import.meta.dirname, '../..');

/** $AUTOPILOT_CACHE_DIR, else $XDG_CACHE_HOME/autopilot-k8s, else ~/.cache/autopilot-k8s (scripts/lib.sh). */
export function cacheDir(): string {
  if (process.env.AUTOPILOT_CACHE_DIR) return process.env.AUTOPILOT_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(base, 'autopilot-k8s');
}

/** The pinned versions and image names of scripts/cluster/versions.sh (plain KEY=VALUE lines). */
export function versions(): Record<string, string> {
  const text = readFileSync(path.join(repoRoot, 'scripts/cluster/versions.sh'), 'utf8');
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Z0-9_]+)=(\S*)\s*$/.exec(line);
    if (m) out[m[1]!] = m[2]!.replace(/^["']|["']$/g, '');
  }
  return out;
}

/** Where the Kubernetes binaries of the pinned version are (built by scripts/cluster/build-k8s.sh). */
export function k8sBinDir(): string {
  return path.join(cacheDir(), 'k8s', versions().K8S_VERSION!, 'bin');
}

export function kubeconfigPath(): string {
  return path.join(cacheDir(), 'kubeconfig');
}

export function kubectlPath(): string {
  const built = path.join(k8sBinDir(), 'kubectl');
  return existsSync(built) ? built : 'kubectl';
}

export type ClusterBackend = 'kind' | 'existing';

export interface Cluster {
  kubeconfig: string;
  kubectl: string;
  backend: ClusterBackend;
  /** True when this call ran cluster:up because no cluster answered. */
  started: boolean;
}

function backend(): ClusterBackend {
  const env = path.join(cacheDir(), 'cluster.env');
  const m = existsSync(env) ? /CLUSTER_BACKEND=(\w+)/.exec(readFileSync(env, 'utf8')) : null;
  return (m?.[1] as ClusterBackend | undefined) ?? 'kind';
}

/** Whether the cluster in the project's kubeconfig answers /readyz. */
export function clusterAnswers(): boolean {
  if (!existsSync(kubeconfigPath())) return false;
  const r = spawnSync(
    kubectlPath(),
    ['--kubeconfig', kubeconfigPath(), '--request-timeout=5s', 'get', '--raw', '/readyz'],
    {
      stdio: 'ignore',
    },
  );
  return r.status === 0;
}

/**
 * The cluster cluster:up manages; runs `bash scripts/cluster/up.sh` first when none answers (its
 * progress goes to this process's stderr; the first run builds Kubernetes: tens of minutes).
 */
export function ensureCluster(): Cluster {
  const started = !clusterAnswers();
  if (started) {
    execFileSync('bash', [path.join(repoRoot, 'scripts/cluster/up.sh')], {
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    if (!clusterAnswers())
      throw new Error(`the cluster in ${kubeconfigPath()} does not answer after cluster:up`);
  }
  return { kubeconfig: kubeconfigPath(), kubectl: kubectlPath(), backend: backend(), started };
}

/**
 * Runs `bash scripts/cluster/down.sh` (unless AUTOPILOT_KEEP_CLUSTER=1). Asynchronous: kind takes
 * ~13 s to stop its node, and a blocked event loop would keep vitest from seeing its workers exit.
 */
export async function stopCluster(): Promise<void> {
  if (process.env.AUTOPILOT_KEEP_CLUSTER === '1') return;
  const child = spawn('bash', [path.join(repoRoot, 'scripts/cluster/down.sh')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', resolve);
  });
  if (code !== 0) throw new Error(`scripts/cluster/down.sh exited with ${code}`);
}

export interface KubectlOptions {
  input?: string;
  timeoutMs?: number;
  /** Resolve with the result instead of throwing on a non-zero exit. */
  allowFailure?: boolean;
}

export interface KubectlResult {
  stdout: string;
  stderr: string;
  code: number;
}

/** Runs the project's kubectl against the cluster; throws with kubectl's stderr when it fails. */
export async function kubectl(args: string[], options: KubectlOptions = {}): Promise<KubectlResult> {
  const full = ['--kubeconfig', kubeconfigPath(), ...args];
  const timeout = options.timeoutMs ?? 120_000;
  try {
    if (options.input !== undefined) {
      // execFile has no stdin input option; spawnSync does (and kubectl apply is quick).
      const r = spawnSync(kubectlPath(), full, { input: options.input, encoding: 'utf8', timeout });
      const result = { stdout: r.stdout ?? '', stderr: r.stderr ?? '', code: r.status ?? 1 };
      if (result.code !== 0 && !options.allowFailure) throw Object.assign(new Error(result.stderr), result);
      return result;
    }
    const r = await execFileAsync(kubectlPath(), full, {
      encoding: 'utf8',
      timeout,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { stdout: r.stdout, stderr: r.stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number | string; message: string };
    const result = {
      stdout: e.stdout ?? '',
      stderr: e.stderr ?? e.message,
      code: typeof e.code === 'number' ? e.code : 1,
    };
    if (options.allowFailure) return result;
    throw new Error(`kubectl ${args.join(' ')} failed (${result.code}): ${result.stderr.trim()}`, {
      cause: error,
    });
  }
}

/** kubectl ... -o json, parsed. */
export async function kubectlJson<T = unknown>(args: string[]): Promise<T> {
  const { stdout } = await kubectl([...args, '-o', 'json']);
  return JSON.parse(stdout) as T;
}

/** The container engine scripts/cluster/engine.sh chose (docker or podman), as $CACHE_DIR/engine.env records it. */
export function containerEngine(): string {
  if (process.env.AUTOPILOT_ENGINE) return process.env.AUTOPILOT_ENGINE;
  const env = path.join(cacheDir(), 'engine.env');
  if (!existsSync(env))
    execFileSync('bash', [path.join(repoRoot, 'scripts/cluster/engine.sh')], { stdio: 'ignore' });
  const m = /^ENGINE=(\w+)$/m.exec(readFileSync(env, 'utf8'));
  if (!m) throw new Error(`${env} names no engine`);
  return m[1]!;
}

/**
 * Builds an image with the project's container engine from a Dockerfile text and a few files, with the build arguments
 * BASE_IMAGE and NODE_IMAGE set to the local base images (scripts/base-image.sh builds them when
 * missing), and loads it into the cluster (scripts/cluster/load-image.sh).
 */
export function buildAndLoadImage(
  image: string,
  dockerfile: string,
  files: Record<string, string> = {},
): void {
  const v = versions();
  const ctx = mkdtempSync(path.join(os.tmpdir(), 'autopilot-image-'));
  try {
    writeFileSync(path.join(ctx, 'Dockerfile'), dockerfile);
    for (const [name, content] of Object.entries(files)) writeFileSync(path.join(ctx, name), content);
    const run = (cmd: string, args: string[]) => {
      const r = spawnSync(cmd, args, { encoding: 'utf8', env: { ...process.env, DOCKER_BUILDKIT: '0' } });
      if (r.status !== 0)
        throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}):\n${r.stderr}${r.stdout}`);
    };
    run('bash', [path.join(repoRoot, 'scripts/base-image.sh'), 'base', 'node']);
    run(containerEngine(), [
      'build',
      '-q',
      '--network=host',
      '--build-arg',
      `BASE_IMAGE=${v.BASE_IMAGE}`,
      '--build-arg',
      `NODE_IMAGE=${v.NODE_IMAGE}`,
      '-t',
      image,
      ctx,
    ]);
    run('bash', [path.join(repoRoot, 'scripts/cluster/load-image.sh'), image]);
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}

export interface PortForward {
  /** http://127.0.0.1:<local port> */
  url: string;
  close(): void;
}

/**
 * `kubectl port-forward` to a Service or pod on a free local port (the API server relays it through the
 * kubelet): how a browser on this machine reaches a page served inside the cluster.
 */
export function portForward(namespace: string, target: string, remotePort: number): Promise<PortForward> {
  const child = spawn(
    kubectlPath(),
    ['--kubeconfig', kubeconfigPath(), 'port-forward', '-n', namespace, target, `:${remotePort}`],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error('no "Forwarding from" line within 30 s')), 30_000);
    const fail = (error: Error) => {
      clearTimeout(timer);
      child.kill();
      reject(new Error(`kubectl port-forward -n ${namespace} ${target}: ${error.message}\n${output}`));
    };
    child.once('exit', (code) => fail(new Error(`exited with ${code}`)));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(output);
      if (!m) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({ url: `http://127.0.0.1:${m[1]}`, close: () => child.kill() });
    });
  });
}
