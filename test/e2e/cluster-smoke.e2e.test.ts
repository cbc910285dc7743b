// Proves the project's cluster is a real Kubernetes: a locally built image runs in a Deployment, a
// Service answers on its ClusterIP and DNS name from another pod, kubectl logs/exec work, a native
// sidecar starts before and stops after its app, a claim of the default StorageClass keeps its data
// across pods, and a deleted pod is recreated by its ReplicaSet.
// Brings the cluster up (scripts/cluster/up.sh) when none answers; removes its namespace afterwards.
import { createHash, randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KubeConfig, Watch } from '@kubernetes/client-node';
import {
  buildAndLoadImage,
  ensureCluster,
  kubeconfigPath,
  kubectl,
  kubectlJson,
  stopCluster,
} from '../support/cluster.ts';

const ns = `smoke-${randomBytes(3).toString('hex')}`;

// A tiny HTTP server (and, with an argument, the sidecar / app roles of the native sidecar test).
const server = String.raw`
import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
const role = process.argv[2] ?? 'web';
const log = (msg) => console.log(new Date().toISOString(), role, msg);
if (role === 'web') {
  const srv = http.createServer((req, res) => {
    log('request ' + req.method + ' ' + req.url);
    res.end('hello from ' + os.hostname() + '\n');
  });
  srv.listen(8080, () => log('listening on 8080'));
  process.on('SIGTERM', () => srv.close(() => process.exit(0)));
} else if (role === 'sidecar') {
  fs.writeFileSync('/shared/sidecar-ready', String(Date.now()));
  log('started');
  setInterval(() => {}, 1 << 30);
  process.on('SIGTERM', () => { log('SIGTERM; exiting now'); process.exit(0); });
} else if (role === 'app') {
  log('started; sidecar ready before app: ' + fs.existsSync('/shared/sidecar-ready'));
  setInterval(() => {}, 1 << 30);
  // Lingers after SIGTERM: were both signalled at once, the quick sidecar would end 4 s before it.
  process.on('SIGTERM', () => { log('SIGTERM; exiting in 4s'); setTimeout(() => process.exit(0), 4000); });
} else {
  setInterval(() => {}, 1 << 30);
  process.on('SIGTERM', () => process.exit(0));
}
`;

// Tagged by content: reruns reuse the image instead of piling up new ones.
const dockerfile = `ARG NODE_IMAGE=node:24-bookworm-slim
FROM \${NODE_IMAGE}
COPY server.mjs /app/server.mjs
USER 1000:1000
ENTRYPOINT ["node", "/app/server.mjs"]
`;

const image = `autopilot-k8s/smoke:${createHash('sha256').update(dockerfile).update(server).digest('hex').slice(0, 12)}`;

// Non-root on a read-only root filesystem, as every project image must run.
const secure = {
  runAsNonRoot: true,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
};

function container(name: string, role: string, extra: Record<string, unknown> = {}) {
  return { name, image, imagePullPolicy: 'IfNotPresent', args: [role], securityContext: secure, ...extra };
}

async function apply(obj: unknown): Promise<void> {
  await kubectl(['apply', '-n', ns, '-f', '-'], { input: JSON.stringify(obj) });
}

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
    } catch (error) {
      last = error;
    }
    await sleep(500);
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
}

/** Runs `trigger`, then collects the pod's statuses from a watch until the pod is deleted. */
async function watchPodUntilDeleted(name: string, trigger: () => Promise<unknown>): Promise<PodStatus[]> {
  const kc = new KubeConfig();
  kc.loadFromFile(kubeconfigPath());
  const statuses: PodStatus[] = [];
  let request: { abort(): void } | undefined;
  const done = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`pod ${name} was not deleted within 90s`)), 90_000);
    new Watch(kc)
      .watch(
        `/api/v1/namespaces/${ns}/pods`,
        { fieldSelector: `metadata.name=${name}` },
        (type: string, obj: Pod) => {
          statuses.push(obj.status ?? {});
          if (type === 'DELETED') {
            clearTimeout(timer);
            resolve();
          }
        },
        (err: unknown) => {
          if (err) {
            clearTimeout(timer);
            reject(err);
          }
        },
      )
      .then((r) => (request = r), reject);
  });
  await sleep(500); // the watch is established
  await trigger();
  try {
    await done;
  } finally {
    request?.abort();
  }
  return statuses;
}

// The parts of kubectl's JSON the assertions read.
interface ContainerState {
  running?: { startedAt: string };
  terminated?: { startedAt: string; finishedAt: string; exitCode: number };
}
interface PodStatus {
  conditions?: { type: string; status: string }[];
  containerStatuses?: { name: string; state?: ContainerState }[];
  initContainerStatuses?: { name: string; state?: ContainerState }[];
}
interface Pod {
  metadata: { name: string; deletionTimestamp?: string; ownerReferences?: { kind: string; name: string }[] };
  status?: PodStatus;
}
const isReady = (p: Pod) => p.status?.conditions?.find((c) => c.type === 'Ready')?.status === 'True';

async function podsOf(app: string): Promise<Pod[]> {
  return (await kubectlJson<{ items: Pod[] }>(['get', 'pods', '-n', ns, '-l', `app=${app}`])).items;
}

describe('the project cluster', () => {
  // Whether this file brought the cluster up (no global setup did): then it also takes it down.
  let started = false;

  beforeAll(async () => {
    started = ensureCluster().started;
    buildAndLoadImage(image, dockerfile, { 'server.mjs': server });
    await kubectl(['create', 'namespace', ns]);
    // The namespace's default service account appears asynchronously; pods need it.
    await until(
      'the default service account',
      30_000,
      async () =>
        (await kubectl(['get', 'serviceaccount', 'default', '-n', ns], { allowFailure: true })).code === 0,
    );
  });

  afterAll(async () => {
    await kubectl(['delete', 'namespace', ns, '--wait=false', '--ignore-not-found'], { allowFailure: true });
    if (started) await stopCluster();
  });

  it('runs a Deployment of a locally built image until Ready, behind a Service', async () => {
    await apply({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: {
            containers: [
              container('web', 'web', {
                ports: [{ containerPort: 8080 }],
                readinessProbe: { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 1 },
              }),
            ],
          },
        },
      },
    });
    await apply({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web' },
      spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
    });
    await kubectl(['rollout', 'status', 'deployment/web', '-n', ns, '--timeout=180s'], {
      timeoutMs: 200_000,
    });
    const pods = await podsOf('web');
    expect(pods).toHaveLength(2);
    for (const pod of pods) {
      expect(isReady(pod)).toBe(true);
    }
  });

  it('answers on the ClusterIP and the DNS name from another pod (kubectl exec), and logs it (kubectl logs)', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'client', labels: { app: 'client' } },
      spec: { containers: [container('client', 'idle')], terminationGracePeriodSeconds: 1 },
    });
    await kubectl(['wait', '--for=condition=Ready', 'pod/client', '-n', ns, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const svc = await kubectlJson<{ spec: { clusterIP: string } }>(['get', 'service', 'web', '-n', ns]);
    const clusterIP = svc.spec.clusterIP;
    expect(clusterIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);

    const fetchFrom = (url: string) =>
      kubectl([
        'exec',
        '-n',
        ns,
        'client',
        '--',
        'node',
        '-e',
        `fetch(${JSON.stringify(url)}).then(r => r.text()).then(t => process.stdout.write(t))`,
      ]);
    const byIP = await fetchFrom(`http://${clusterIP}/`);
    expect(byIP.stdout).toMatch(/^hello from web-/);
    for (const name of [`web.${ns}.svc.cluster.local`, `web.${ns}`, 'web']) {
      const byName = await until(
        `http://${name}/`,
        30_000,
        async () => (await fetchFrom(`http://${name}/`)).stdout,
      );
      expect(byName).toMatch(/^hello from web-/);
    }
    const resolved = await kubectl([
      'exec',
      '-n',
      ns,
      'client',
      '--',
      'node',
      '-e',
      `require('node:dns').promises.lookup('web.${ns}.svc.cluster.local').then(a => process.stdout.write(a.address))`,
    ]);
    expect(resolved.stdout).toBe(clusterIP);

    const logs = await Promise.all(
      (await podsOf('web')).map(async (p) => (await kubectl(['logs', '-n', ns, p.metadata.name])).stdout),
    );
    expect(logs.join('')).toContain('web listening on 8080');
    expect(logs.join('')).toContain('web request GET /');
  });

  it('starts a native sidecar before its app and stops it after the app', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'sidecar', labels: { app: 'sidecar' } },
      spec: {
        terminationGracePeriodSeconds: 30,
        volumes: [{ name: 'shared', emptyDir: {} }],
        initContainers: [
          container('sidecar', 'sidecar', {
            restartPolicy: 'Always',
            volumeMounts: [{ name: 'shared', mountPath: '/shared' }],
            // The app starts only once the sidecar's startup probe passed.
            startupProbe: {
              exec: {
                command: [
                  'node',
                  '-e',
                  "process.exit(require('node:fs').existsSync('/shared/sidecar-ready') ? 0 : 1)",
                ],
              },
              periodSeconds: 1,
            },
          }),
        ],
        containers: [container('app', 'app', { volumeMounts: [{ name: 'shared', mountPath: '/shared' }] })],
      },
    });
    await kubectl(['wait', '--for=condition=Ready', 'pod/sidecar', '-n', ns, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const pod = await kubectlJson<Pod>(['get', 'pod', 'sidecar', '-n', ns]);
    const sidecarStarted = Date.parse(
      pod.status?.initContainerStatuses?.[0]?.state?.running?.startedAt ?? '',
    );
    const appStarted = Date.parse(pod.status?.containerStatuses?.[0]?.state?.running?.startedAt ?? '');
    expect(sidecarStarted).not.toBeNaN();
    expect(appStarted).not.toBeNaN();
    expect(sidecarStarted).toBeLessThanOrEqual(appStarted);
    const appLog = await until(
      'the app log',
      20_000,
      async () => (await kubectl(['logs', '-n', ns, 'sidecar', '-c', 'app'])).stdout,
    );
    expect(appLog).toContain('sidecar ready before app: true');

    // Delete it and watch every status update up to its removal: the app (which lingers 4 s after
    // its SIGTERM) must finish first; the sidecar, which exits at once, is signalled only after.
    const statuses = await watchPodUntilDeleted('sidecar', () =>
      kubectl(['delete', 'pod', 'sidecar', '-n', ns, '--wait=false']),
    );
    const final = statuses.at(-1);
    const appEnd = final?.containerStatuses?.[0]?.state?.terminated?.finishedAt;
    const sideEnd = final?.initContainerStatuses?.[0]?.state?.terminated?.finishedAt;
    expect(appEnd, JSON.stringify(final)).toBeTruthy();
    expect(sideEnd, JSON.stringify(final)).toBeTruthy();
    expect(Date.parse(sideEnd ?? '')).toBeGreaterThanOrEqual(Date.parse(appEnd ?? ''));
    // No status ever shows the sidecar gone while the app still ran.
    for (const st of statuses) {
      const sidecarDone = st.initContainerStatuses?.[0]?.state?.terminated;
      const appRunning = st.containerStatuses?.[0]?.state?.running;
      expect(Boolean(sidecarDone && appRunning)).toBe(false);
    }
  });

  it('keeps a PersistentVolumeClaim of the default StorageClass across pods', async () => {
    await apply({
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      metadata: { name: 'data' },
      spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
    });
    const podWithClaim = (name: string) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, labels: { app: 'storage' } },
      spec: {
        terminationGracePeriodSeconds: 1,
        volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }],
        containers: [container('store', 'idle', { volumeMounts: [{ name: 'data', mountPath: '/data' }] })],
      },
    });
    const node = (pod: string, script: string) =>
      kubectl(['exec', '-n', ns, pod, '--', 'node', '-e', script]);

    await apply(podWithClaim('writer'));
    await kubectl(['wait', '--for=condition=Ready', 'pod/writer', '-n', ns, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const claim = await kubectlJson<{ status: { phase: string }; spec: { storageClassName: string } }>([
      'get',
      'pvc',
      'data',
      '-n',
      ns,
    ]);
    expect(claim.status.phase).toBe('Bound');
    expect(claim.spec.storageClassName).toBe('standard');
    await node('writer', "require('node:fs').writeFileSync('/data/note', 'kept')");
    await kubectl(['delete', 'pod', 'writer', '-n', ns, '--wait=true']);

    await apply(podWithClaim('reader'));
    await kubectl(['wait', '--for=condition=Ready', 'pod/reader', '-n', ns, '--timeout=120s'], {
      timeoutMs: 130_000,
    });
    const read = await node('reader', "process.stdout.write(require('node:fs').readFileSync('/data/note'))");
    expect(read.stdout).toBe('kept');
  });

  it('recreates a deleted pod through its ReplicaSet', async () => {
    const before = await podsOf('web');
    const victim = before[0]!.metadata.name;
    await kubectl(['delete', 'pod', victim, '-n', ns, '--wait=false']);
    const names = await until('a replacement pod', 120_000, async () => {
      const pods = (await podsOf('web')).filter((p) => !p.metadata.deletionTimestamp && isReady(p));
      return pods.length === 2 && !pods.some((p) => p.metadata.name === victim)
        ? pods.map((p) => p.metadata.name)
        : undefined;
    });
    expect(names).not.toContain(victim);
    const replacement = (await podsOf('web')).find(
      (p) => !before.some((b) => b.metadata.name === p.metadata.name),
    );
    expect(replacement?.metadata.ownerReferences?.[0]?.kind).toBe('ReplicaSet');
  });
});
