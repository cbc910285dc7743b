// Proves the project's images work on the cluster, with the plain manifests of
// test/e2e/manifests/demo.yaml under the "restricted" Pod Security Standard: Consul; hello and world
// whose autopilot is a native sidecar registering them; nginx with autopilot as PID 1 routing to
// whatever Consul says is healthy. Scaling hello changes what nginx routes to, both ways.
// Builds and loads the images first (scripts/images.sh: cached, and only changed images are loaded;
// AUTOPILOT_E2E_BUILD_IMAGES=0 skips it). Deletes the namespace afterwards; on a failure it prints
// the pods' state, events and logs.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureCluster, kubectl, kubectlJson, repoRoot, stopCluster } from '../support/cluster.ts';

const ns = 'autopilot-demo';
const manifest = path.join(repoRoot, 'test/e2e/manifests/demo.yaml');
const IMAGES = ['autopilot', 'consul', 'hello', 'world', 'nginx'];
const DEPLOYMENTS = ['consul', 'hello', 'world', 'nginx'];

interface Instance {
  id: string;
  address: string;
  port: number;
}
interface Instances {
  hello: Instance[];
  world: Instance[];
}
interface Answer {
  status: number;
  body: string;
}
interface ContainerStatus {
  name: string;
  ready: boolean;
  started?: boolean;
  state?: { running?: unknown };
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string };
  status?: {
    podIP?: string;
    conditions?: { type: string; status: string }[];
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
  };
}

const isReady = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

async function until<T>(
  what: string,
  timeoutMs: number,
  fn: () => Promise<T | undefined | false>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const v = await fn();
      if (v) return v;
      last = v;
    } catch (error) {
      last = error;
    }
    await sleep(1000);
  }
  throw new Error(
    `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
  );
}

/**
 * GETs paths of the nginx Service from inside the cluster: a Node one-liner run in the nginx pod
 * (the images have no curl). Each path may be fetched several times (`times`).
 */
async function getFromCluster(paths: string[], times = 1): Promise<Answer[]> {
  const script = `
    const out = [];
    for (const p of ${JSON.stringify(paths)}) {
      for (let i = 0; i < ${times}; i++) {
        const r = await fetch('http://nginx.${ns}.svc.cluster.local' + p, { signal: AbortSignal.timeout(5000) });
        out.push({ status: r.status, body: (await r.text()).trim() });
      }
    }
    process.stdout.write(JSON.stringify(out));`;
  const { stdout } = await kubectl([
    'exec',
    '-n',
    ns,
    'deploy/nginx',
    '-c',
    'nginx',
    '--',
    'node',
    '-e',
    script,
  ]);
  return JSON.parse(stdout) as Answer[];
}

async function instances(): Promise<Instances> {
  const [answer] = await getFromCluster(['/instances.json']);
  expect(answer?.status).toBe(200);
  return JSON.parse(answer!.body) as Instances;
}

/** Which hello instances answered `count` requests through nginx. */
async function helloAnswerers(count: number): Promise<Set<string>> {
  const answers = await getFromCluster(['/hello?format=json'], count);
  return new Set(
    answers.map((a) => {
      expect(a.status).toBe(200);
      return (JSON.parse(a.body) as { message: string; instance: string }).instance;
    }),
  );
}

async function readyPods(app: string): Promise<Pod[]> {
  const { items } = await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', `app=${app}`]);
  return items.filter((p) => !p.metadata.deletionTimestamp && isReady(p));
}

/** Consul service IDs are `name-hostname`, and a pod's hostname is its name. */
const serviceIdsOf = (pods: Pod[]) => pods.map((p) => `hello-${p.metadata.name}`).sort();

async function deleteNamespace(wait: boolean): Promise<void> {
  await kubectl(['delete', 'namespace', ns, '--ignore-not-found', `--wait=${wait}`, '--timeout=180s'], {
    timeoutMs: 200_000,
    allowFailure: !wait,
  });
}

/** What a person debugging a failure looks at first, printed to stderr. */
async function dumpDiagnostics(): Promise<void> {
  const sections: [string, string[]][] = [
    ['objects', ['get', 'all', '-n', ns, '-o', 'wide']],
    ['events', ['get', 'events', '-n', ns, '--sort-by=.lastTimestamp']],
    ['pods', ['describe', 'pods', '-n', ns]],
    [
      'logs',
      ['logs', '-n', ns, '-l', 'app', '--all-containers', '--prefix', '--tail=80', '--max-log-requests=30'],
    ],
  ];
  for (const [title, args] of sections) {
    const r = await kubectl(args, { allowFailure: true });
    console.error(`----- ${title}: kubectl ${args.join(' ')}\n${r.stdout}${r.stderr}`);
  }
}

describe('the demo on plain manifests (test/e2e/manifests/demo.yaml)', () => {
  // Whether this file brought the cluster up (no global setup did): then it also takes it down.
  let started = false;

  beforeAll(async () => {
    started = ensureCluster().started;
    if (process.env.AUTOPILOT_E2E_BUILD_IMAGES !== '0') {
      const r = spawnSync('bash', [path.join(repoRoot, 'scripts/images.sh'), ...IMAGES], {
        stdio: ['ignore', 'inherit', 'inherit'],
      });
      if (r.status !== 0) throw new Error(`scripts/images.sh failed (${r.status})`);
    }
    // A run that was cut short may have left the namespace behind (or still terminating).
    await deleteNamespace(true);
    await kubectl(['apply', '-f', manifest]);
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await dumpDiagnostics();
  });

  afterAll(async () => {
    await deleteNamespace(false);
    if (started) stopCluster();
  });

  it('rolls out Consul, hello, world and nginx as non-root pods admitted under the restricted policy', async () => {
    for (const name of DEPLOYMENTS) {
      await kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=180s'], {
        timeoutMs: 200_000,
      });
    }
    const hello = await readyPods('hello');
    expect(hello).toHaveLength(1);
    // autopilot is a native sidecar: an init container that started and keeps running beside the app.
    const sidecar = hello[0]!.status?.initContainerStatuses?.find((c) => c.name === 'autopilot');
    expect(sidecar?.started).toBe(true);
    expect(sidecar?.state?.running).toBeTruthy();
    expect(hello[0]!.status?.containerStatuses?.find((c) => c.name === 'hello')?.ready).toBe(true);

    const uid = await kubectl(['exec', '-n', ns, 'deploy/hello', '-c', 'autopilot', '--', 'id', '-u']);
    expect(uid.stdout.trim()).toBe('1000');
    // The root filesystem is read-only even for what the image owns.
    const write = await kubectl(['exec', '-n', ns, 'deploy/nginx', '--', 'touch', '/app/x'], {
      allowFailure: true,
    });
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
  });

  it('serves /hello and /world through nginx, from the instances its sidecars registered in Consul', async () => {
    const [hello, world] = await until('both services answering through nginx', 60_000, async () => {
      const answers = await getFromCluster(['/hello', '/world']);
      return answers.every((a) => a.status === 200) && answers;
    });
    expect(hello?.body).toBe('Hello');
    expect(world?.body).toBe('World');

    const listed = await instances();
    const helloPod = (await readyPods('hello'))[0]!;
    expect(listed.hello).toEqual([
      { id: `hello-${helloPod.metadata.name}`, address: helloPod.status?.podIP, port: 3001 },
    ]);
    expect(listed.world).toHaveLength(1);
  });

  it('routes to three hello instances once hello is scaled to 3', async () => {
    await kubectl(['scale', 'deployment', 'hello', '-n', ns, '--replicas=3']);
    await kubectl(['rollout', 'status', 'deployment/hello', '-n', ns, '--timeout=180s'], {
      timeoutMs: 200_000,
    });
    const pods = await readyPods('hello');
    expect(pods).toHaveLength(3);

    const listed = await until('nginx to list 3 hello instances', 90_000, async () => {
      const { hello } = await instances();
      return hello.length === 3 && hello;
    });
    expect(listed.map((i) => i.id).sort()).toEqual(serviceIdsOf(pods));

    // least_conn spreads sequential requests over every upstream.
    const answerers = await until('answers from 3 distinct hello instances', 60_000, async () => {
      const seen = await helloAnswerers(30);
      return seen.size === 3 && seen;
    });
    expect([...answerers].sort()).toEqual(serviceIdsOf(pods));
  });

  it('stops routing to the removed instances once hello is scaled back to 1', async () => {
    await kubectl(['scale', 'deployment', 'hello', '-n', ns, '--replicas=1']);
    const listed = await until('nginx to list 1 hello instance', 90_000, async () => {
      const { hello } = await instances();
      return hello.length === 1 && hello;
    });
    const remaining = await until('one hello pod left', 90_000, async () => {
      const { items } = await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', 'app=hello']);
      return items.length === 1 && items;
    });
    expect(listed.map((i) => i.id)).toEqual(serviceIdsOf(remaining));
    expect(await helloAnswerers(10)).toEqual(new Set(serviceIdsOf(remaining)));
  });
});
