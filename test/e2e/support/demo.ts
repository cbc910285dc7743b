// What the e2e tests of the demo share, whichever way it was deployed (plain manifests or the
// operator): reaching nginx from inside the cluster, reading which instances it routes to, waiting
// for pods, and printing what a person debugging a failure looks at first.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { kubectl, kubectlJson, repoRoot } from '../../support/cluster.ts';
import { eventually } from '../../support/eventually.ts';

export interface Instance {
  id: string;
  address: string;
  port: number;
}
export interface Instances {
  hello: Instance[];
  world: Instance[];
}
export interface Answer {
  status: number;
  body: string;
}
export interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  state?: { running?: unknown };
}
export interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status?: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

export const isReady = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

/** Consul service IDs are `name-hostname`, and a pod's hostname is its name. */
export const serviceIdsOf = (service: string, pods: Pod[]) =>
  pods.map((p) => `${service}-${p.metadata.name}`).sort();

/** Polls once a second (kubectl round trips), up to `timeoutMs`. */
export const until = <T>(what: string, timeoutMs: number, probe: () => Promise<T | false>) =>
  eventually(probe, what, timeoutMs, 1000);

/** Builds the named images and loads them into the cluster (cached; AUTOPILOT_E2E_BUILD_IMAGES=0 skips). */
export function buildImages(names: string[]): void {
  if (process.env.AUTOPILOT_E2E_BUILD_IMAGES === '0') return;
  const r = spawnSync('bash', [path.join(repoRoot, 'scripts/images.sh'), ...names], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`scripts/images.sh failed (${r.status})`);
}

/** Requests answered 200, and the others (status or error code, the first 20). */
export interface LoadCount {
  ok: number;
  failed: number;
  failures: string[];
}

/** A HelloWorldApp's demo in one namespace, as the operator (or render.ts) names its parts. */
export class DemoInCluster {
  readonly namespace: string;
  readonly app: string;
  readonly nginxDeployment: string;
  readonly nginxHost: string;

  constructor(namespace: string, app = 'helloworld') {
    this.namespace = namespace;
    this.app = app;
    this.nginxDeployment = `${app}-nginx`;
    this.nginxHost = `${app}-nginx.${namespace}.svc.cluster.local`;
  }

  /** The label selector of one component's pods. */
  selector(component: 'consul' | 'hello' | 'world' | 'nginx'): string {
    return `app.kubernetes.io/instance=${this.app},app.kubernetes.io/name=${component}`;
  }

  /** GETs paths of the nginx Service from inside the cluster: a Node one-liner run in an nginx pod
   * (the images have no curl). Each path is fetched `times` times. */
  async get(paths: string[], times = 1): Promise<Answer[]> {
    const script = `
      const out = [];
      for (const p of ${JSON.stringify(paths)}) {
        for (let i = 0; i < ${times}; i++) {
          const r = await fetch('http://${this.nginxHost}' + p, { signal: AbortSignal.timeout(5000) });
          out.push({ status: r.status, body: (await r.text()).trim() });
        }
      }
      process.stdout.write(JSON.stringify(out));`;
    const args = ['exec', '-n', this.namespace, `deploy/${this.nginxDeployment}`, '-c', 'nginx', '--'];
    const { stdout } = await kubectl([...args, 'node', '-e', script]);
    return JSON.parse(stdout) as Answer[];
  }

  /**
   * Keeps `concurrency` clients GETting `path` from nginx for `seconds`, calls `during` once the load
   * runs, and counts what came back. Bounded by time. The clients run in the nginx pod and talk to
   * nginx on loopback, not through its Service: what is measured is the demo's routing, not
   * kube-proxy (whose rule rewrites, when many pods stop at once, delayed a few hairpin connections
   * past the 5 s client timeout without nginx ever seeing them).
   */
  async underLoad(
    path: string,
    seconds: number,
    during: () => Promise<void>,
    concurrency = 4,
  ): Promise<LoadCount> {
    const script = `
      const until = Date.now() + ${seconds * 1000};
      const count = { ok: 0, failed: 0, failures: [] };
      const client = async () => {
        while (Date.now() < until) {
          try {
            const r = await fetch('http://127.0.0.1:8080${path}', { signal: AbortSignal.timeout(5000) });
            await r.text();
            if (r.status === 200) count.ok++;
            else { count.failed++; count.failures.push(String(r.status)); }
          } catch (e) { count.failed++; count.failures.push(String(e.cause?.code ?? e.message)); }
        }
      };
      await Promise.all(Array.from({ length: ${concurrency} }, client));
      count.failures = count.failures.slice(0, 20);
      process.stdout.write(JSON.stringify(count));`;
    const args = ['exec', '-n', this.namespace, `deploy/${this.nginxDeployment}`, '-c', 'nginx', '--'];
    const load = kubectl([...args, 'node', '-e', script], { timeoutMs: (seconds + 60) * 1000 });
    // Time for kubectl exec to start the clients before the action (load.ok > 0 shows they ran).
    await new Promise((resolve) => setTimeout(resolve, 2000));
    await during();
    return JSON.parse((await load).stdout) as LoadCount;
  }

  async instances(): Promise<Instances> {
    const [answer] = await this.get(['/instances.json']);
    if (answer?.status !== 200)
      throw new Error(`/instances.json answered ${answer?.status}: ${answer?.body}`);
    return JSON.parse(answer!.body) as Instances;
  }

  /** Which instances of a service answered `count` requests through nginx. */
  async answerers(service: 'hello' | 'world', count: number): Promise<Set<string>> {
    const answers = await this.get([`/${service}?format=json`], count);
    return new Set(
      answers.map((a) => {
        if (a.status !== 200) throw new Error(`/${service} answered ${a.status}: ${a.body}`);
        return (JSON.parse(a.body) as { instance: string }).instance;
      }),
    );
  }

  async pods(selector: string): Promise<Pod[]> {
    const { items } = await kubectlJson<{ items: Pod[] }>([
      'get',
      'pods',
      '-n',
      this.namespace,
      '-l',
      selector,
    ]);
    return items;
  }

  async readyPods(selector: string): Promise<Pod[]> {
    return (await this.pods(selector)).filter((p) => !p.metadata.deletionTimestamp && isReady(p));
  }

  async deleteNamespace(wait: boolean): Promise<void> {
    await kubectl(
      ['delete', 'namespace', this.namespace, '--ignore-not-found', `--wait=${wait}`, '--timeout=180s'],
      {
        timeoutMs: 200_000,
        allowFailure: !wait,
      },
    );
  }

  /** Creates the namespace under the "restricted" Pod Security Standard (enforced). */
  async createRestrictedNamespace(): Promise<void> {
    await kubectl(['create', 'namespace', this.namespace]);
    await kubectl([
      'label',
      'namespace',
      this.namespace,
      'pod-security.kubernetes.io/enforce=restricted',
      'pod-security.kubernetes.io/enforce-version=latest',
    ]);
  }
}

/** Objects, events, pod descriptions and the logs of the pods `podSelector` selects, to stderr. */
export async function dumpDiagnostics(
  namespace: string,
  podSelector: string,
  extra: [string, string[]][] = [],
): Promise<void> {
  const sections: [string, string[]][] = [
    ['objects', ['get', 'all', '-n', namespace, '-o', 'wide']],
    ['events', ['get', 'events', '-n', namespace, '--sort-by=.lastTimestamp']],
    ['pods', ['describe', 'pods', '-n', namespace]],
    [
      'logs',
      [
        'logs',
        '-n',
        namespace,
        '-l',
        podSelector,
        '--all-containers',
        '--prefix',
        '--tail=80',
        '--max-log-requests=30',
      ],
    ],
    ...extra,
  ];
  for (const [title, args] of sections) {
    const r = await kubectl(args, { allowFailure: true });
    console.error(`----- ${title}: kubectl ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  }
}
