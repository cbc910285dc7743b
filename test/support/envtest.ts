// A real control plane without nodes for integration tests, like kubebuilder's envtest: etcd and
// kube-apiserver of the cluster's pinned Kubernetes version, on free 127.0.0.1 ports, with generated
// certificates and an admin kubeconfig. Binaries: $KUBEBUILDER_ASSETS (a directory holding etcd,
// kube-apiserver and kubectl, the layout setup-envtest uses), else the cache that
// `bash scripts/cluster/build-k8s.sh --envtest` fills (and prints), built on first use.
//
//   const env = await startEnvtest();
//   const kc = env.kubeConfig();            // @kubernetes/client-node KubeConfig (admin)
//   ... env.kubeconfigPath for kubectl / child processes ...
//   await env.stop();
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  ApiextensionsV1Api,
  CustomObjectsApi,
  KubeConfig,
  loadYaml,
  type V1CustomResourceDefinition,
} from '@kubernetes/client-node';
import { freePort } from '../../scripts/local/consul-agent.ts';
import { eventually } from './eventually.ts';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const READY_TIMEOUT_MS = 90_000;
const LOG_LIMIT = 64 * 1024;

export interface EnvtestOptions {
  /** Extra kube-apiserver flags, e.g. ['--feature-gates=...']. */
  apiServerArgs?: string[];
}

/** The directory with etcd, kube-apiserver and kubectl; builds them (cached) when needed. */
export function envtestAssets(): string {
  const dir = process.env.KUBEBUILDER_ASSETS;
  if (dir && ['etcd', 'kube-apiserver'].every((b) => existsSync(path.join(dir, b)))) return dir;
  return execFileSync('bash', [path.join(repoRoot, 'scripts/cluster/build-k8s.sh'), '--envtest'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  }).trim();
}

class Proc {
  readonly name: string;
  readonly child: ChildProcess;
  log = '';
  exited: Promise<number | null>;

  constructor(name: string, bin: string, args: string[]) {
    this.name = name;
    this.child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-LOG_LIMIT);
    };
    this.child.stdout!.on('data', keep);
    this.child.stderr!.on('data', keep);
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (!this.running) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

function get(url: string, options: https.RequestOptions = {}): Promise<{ status: number; body: string }> {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.get(url, { ...options, timeout: 5_000 }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

async function waitUntil(what: string, proc: Proc, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (!proc.running)
      throw new Error(`${proc.name} exited while waiting for ${what}:\n${proc.log.slice(-4000)}`);
    if (await check().catch(() => false)) return;
    await sleep(250);
  }
  throw new Error(`timed out waiting for ${what}:\n${proc.log.slice(-4000)}`);
}

export class Envtest {
  readonly dir: string;
  readonly server: string;
  readonly kubeconfigPath: string;
  readonly assets: string;
  private readonly procs: Proc[];

  private constructor(dir: string, server: string, assets: string, procs: Proc[]) {
    this.dir = dir;
    this.server = server;
    this.assets = assets;
    this.kubeconfigPath = path.join(dir, 'pki', 'admin.kubeconfig');
    this.procs = procs;
  }

  static async start(options: EnvtestOptions = {}): Promise<Envtest> {
    const assets = envtestAssets();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'autopilot-envtest-'));
    const procs: Proc[] = [];
    try {
      const [etcdClient, etcdPeer, apiPort] = [await freePort(), await freePort(), await freePort()];
      const server = `https://127.0.0.1:${apiPort}`;
      const pki = path.join(dir, 'pki');
      execFileSync('bash', [path.join(repoRoot, 'scripts/cluster/pki.sh'), 'envtest', pki, server], {
        stdio: 'inherit',
      });

      const etcd = new Proc('etcd', path.join(assets, 'etcd'), [
        '--name',
        'envtest',
        '--data-dir',
        path.join(dir, 'etcd'),
        '--listen-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--advertise-client-urls',
        `http://127.0.0.1:${etcdClient}`,
        '--listen-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-advertise-peer-urls',
        `http://127.0.0.1:${etcdPeer}`,
        '--initial-cluster',
        `envtest=http://127.0.0.1:${etcdPeer}`,
        '--unsafe-no-fsync',
        '--log-level',
        'warn',
      ]);
      procs.push(etcd);
      await waitUntil('etcd', etcd, async () =>
        (await get(`http://127.0.0.1:${etcdClient}/health`)).body.includes('"health":"true"'),
      );

      const apiserver = new Proc('kube-apiserver', path.join(assets, 'kube-apiserver'), [
        `--etcd-servers=http://127.0.0.1:${etcdClient}`,
        '--bind-address=127.0.0.1',
        '--advertise-address=127.0.0.1',
        `--secure-port=${apiPort}`,
        `--cert-dir=${path.join(dir, 'cert')}`,
        `--client-ca-file=${pki}/ca.crt`,
        `--tls-cert-file=${pki}/apiserver.crt`,
        `--tls-private-key-file=${pki}/apiserver.key`,
        '--service-cluster-ip-range=10.0.0.0/24',
        '--authorization-mode=RBAC',
        '--allow-privileged=true',
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
        `--service-account-key-file=${pki}/sa.pub`,
        `--service-account-signing-key-file=${pki}/sa.key`,
        '--profiling=false',
        '--v=0',
        ...(options.apiServerArgs ?? []),
      ]);
      procs.push(apiserver);
      const tls = {
        ca: readFileSync(`${pki}/ca.crt`),
        cert: readFileSync(`${pki}/admin.crt`),
        key: readFileSync(`${pki}/admin.key`),
      };
      await waitUntil(
        'kube-apiserver /readyz',
        apiserver,
        async () => (await get(`${server}/readyz`, tls)).status === 200,
      );
      return new Envtest(dir, server, assets, procs);
    } catch (error) {
      for (const p of procs.reverse()) await p.stop();
      rmSync(dir, { recursive: true, force: true });
      throw error;
    }
  }

  /** An admin KubeConfig for @kubernetes/client-node. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromFile(this.kubeconfigPath);
    return kc;
  }

  /**
   * Installs the CRD in `file` (YAML, loaded as client-node users load it: a plain object would lose
   * fields) and resolves once its resource is served in `namespace`: Established comes a moment
   * before the first list succeeds.
   */
  async installCrd(file: string, namespace = 'default'): Promise<V1CustomResourceDefinition> {
    const kc = this.kubeConfig();
    const extensions = kc.makeApiClient(ApiextensionsV1Api);
    const crd = await extensions.createCustomResourceDefinition({
      body: loadYaml<V1CustomResourceDefinition>(readFileSync(file, 'utf8')),
    });
    const { group, names, versions } = crd.spec;
    const objects = kc.makeApiClient(CustomObjectsApi);
    await eventually(
      () =>
        objects.listNamespacedCustomObject({
          group,
          version: versions[0]!.name,
          plural: names.plural,
          namespace,
        }),
      `${crd.metadata?.name} to be served`,
    );
    return crd;
  }

  /** The admin kubeconfig's YAML text. */
  kubeconfig(): string {
    return readFileSync(this.kubeconfigPath, 'utf8');
  }

  /** The kubectl binary that matches the API server (in the assets directory). */
  get kubectl(): string {
    return path.join(this.assets, 'kubectl');
  }

  async stop(): Promise<void> {
    for (const p of [...this.procs].reverse()) await p.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export function startEnvtest(options: EnvtestOptions = {}): Promise<Envtest> {
  return Envtest.start(options);
}
