// The operator end to end, the way a user meets it: `helm install` the chart, `kubectl apply -f
// helloworld.yaml`, open the page, scale. Then what an operator owes its users: a bad object is refused
// with the field named, a deleted child comes back, deleting the app removes all it made.
// Builds and loads the images first (AUTOPILOT_E2E_BUILD_IMAGES=0 skips it); on a failure prints the
// app's objects, events and logs, and the operator's logs.
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.ts';
import { kubectl, kubectlJson, portForward, repoRoot } from '../support/cluster.ts';
import { DemoInCluster, buildImages, dumpDiagnostics, serviceIdsOf, until } from './support/demo.ts';
import { helm } from './support/helm.ts';

const OPERATOR_NS = 'autopilot-system';
const RELEASE = 'autopilot-operator';
const app = 'helloworld';
const demo = new DemoInCluster('helloworld-e2e', app);
const ns = demo.namespace;
const example = path.join(repoRoot, 'helloworld.yaml');

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}
interface AppObject {
  metadata: { uid: string; generation: number };
  status?: {
    observedGeneration?: number;
    conditions?: Condition[];
    url?: string;
    hello?: { replicas: number; readyReplicas: number };
    world?: { replicas: number; readyReplicas: number };
  };
}

const getApp = () => kubectlJson<AppObject>(['get', 'helloworldapp', app, '-n', ns]);
const condition = (a: AppObject, type: string) => a.status?.conditions?.find((c) => c.type === type);

async function waitReady(): Promise<AppObject> {
  return until('the HelloWorldApp to be Ready', 240_000, async () => {
    const a = await getApp();
    return (
      a.status?.observedGeneration === a.metadata.generation && condition(a, 'Ready')?.status === 'True' && a
    );
  });
}

const pageText = (testId: string) => `[data-testid="${testId}"]`;
// page.waitForFunction's callback runs in the page, where this global exists.
declare const document: { querySelector(selector: string): { textContent: string | null } | null };

describe('the operator, installed with Helm, running the hello-world app', () => {
  let browser: Browser | undefined;

  beforeAll(async () => {
    buildImages(['autopilot', 'consul', 'hello', 'world', 'nginx', 'operator']);
    await demo.deleteNamespace(true);
    await helm(['uninstall', RELEASE, '-n', OPERATOR_NS, '--wait', '--ignore-not-found']);
    await helm([
      'upgrade',
      '--install',
      RELEASE,
      path.join(repoRoot, 'charts/autopilot-operator'),
      '-n',
      OPERATOR_NS,
      '--create-namespace',
      '--wait',
      '--timeout',
      '180s',
    ]);
    await demo.createRestrictedNamespace();
  });

  afterEach(async ({ task }) => {
    if (task.result?.state !== 'fail') return;
    await dumpDiagnostics(ns, 'app.kubernetes.io/part-of=helloworld', [
      ['the app', ['get', 'helloworldapp', '-n', ns, '-o', 'yaml']],
      [
        'operator logs',
        ['logs', '-n', OPERATOR_NS, '-l', 'app.kubernetes.io/name=autopilot-operator', '--tail=200'],
      ],
    ]);
  });

  afterAll(async () => {
    await browser?.close();
    await demo.deleteNamespace(false);
    await helm(['uninstall', RELEASE, '-n', OPERATOR_NS, '--wait', '--ignore-not-found']).catch(
      () => undefined,
    );
  });

  it('passes its own `helm test`: the operator is up and ready', async () => {
    const out = await helm(['test', RELEASE, '-n', OPERATOR_NS, '--timeout', '120s']);
    expect(out).toMatch(/Phase:\s+Succeeded/);
  });

  it('turns `kubectl apply -f helloworld.yaml` into a page that says Hello World', async () => {
    await kubectl(['apply', '-n', ns, '-f', example]);
    const ready = await waitReady();
    expect(ready.status?.url).toBe(`http://${app}-nginx.${ns}.svc`);

    const forward = await portForward(ns, `svc/${app}-nginx`, 80);
    try {
      browser = await launchChromium();
      const page = await browser.newPage();
      await page.goto(forward.url);
      await page.waitForFunction(
        (selectors) =>
          selectors.map((sel) => document.querySelector(sel)?.textContent).join(' ') === 'Hello World',
        [pageText('hello-word'), pageText('world-word')],
        { timeout: 60_000 },
      );
      // The counts come from /instances.json, a request of their own that may land after the words.
      await page.waitForFunction(
        (sel) => document.querySelector(sel)?.textContent !== '–',
        pageText('hello-count'),
        {
          timeout: 30_000,
        },
      );
      expect(await page.textContent(pageText('hello-count'))).toBe('1');
    } finally {
      forward.close();
    }
  });

  it('lets `kubectl scale` set the hello count, and nginx routes to every new instance', async () => {
    await kubectl(['scale', 'deployment', `${app}-hello`, '-n', ns, '--replicas=3']);
    const listed = await until('nginx to list 3 hello instances', 120_000, async () => {
      const { hello } = await demo.instances();
      return hello.length === 3 && hello;
    });
    const pods = await demo.readyPods(demo.selector('hello'));
    expect(listed.map((i) => i.id).sort()).toEqual(serviceIdsOf('hello', pods));
    const ready = await until('the app to report 3 ready hello pods', 60_000, async () => {
      const a = await getApp();
      return a.status?.hello?.readyReplicas === 3 && a;
    });
    // The operator saw the change and kept it: hello.replicas is not in the app's spec.
    expect(ready.status?.hello).toEqual({ replicas: 3, readyReplicas: 3 });
  });

  it('runs the seed’s `docker-compose scale hello=10 world=6` as a spec change, and nginx routes to all 16', async () => {
    await kubectl([
      ...['patch', 'helloworldapp', app, '-n', ns, '--type=merge'],
      ...['-p', '{"spec":{"hello":{"replicas":10},"world":{"replicas":6}}}'],
    ]);
    const listed = await until('nginx to list 10 hello and 6 world instances', 240_000, async () => {
      const instances = await demo.instances();
      return instances.hello.length === 10 && instances.world.length === 6 && instances;
    });
    const pods = (name: 'hello' | 'world') => demo.readyPods(demo.selector(name));
    expect(listed.hello.map((i) => i.id).sort()).toEqual(serviceIdsOf('hello', await pods('hello')));
    expect(listed.world.map((i) => i.id).sort()).toEqual(serviceIdsOf('world', await pods('world')));
    const ready = await waitReady();
    expect(ready.status?.hello).toEqual({ replicas: 10, readyReplicas: 10 });
    expect(ready.status?.world).toEqual({ replicas: 6, readyReplicas: 6 });
  });

  it('refuses an invalid app, naming the field, and keeps the running one as it was', async () => {
    const bad = await kubectl(
      ['patch', 'helloworldapp', app, '-n', ns, '--type=merge', '-p', '{"spec":{"hello":{"replicas":-1}}}'],
      {
        allowFailure: true,
      },
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('spec.hello.replicas');
    const badName = await kubectl(['apply', '-n', ns, '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'autopilot-k8s.dev/v1alpha1',
        kind: 'HelloWorldApp',
        metadata: { name: '9lives' },
        spec: {},
      }),
      allowFailure: true,
    });
    expect(badName.code).not.toBe(0);
    expect(badName.stderr).toContain('DNS-1035');
    expect((await getApp()).status?.hello?.replicas).toBe(10);
  });

  it('scales back to one hello and one world under load without failing a request', async () => {
    // Each leaving instance goes into maintenance (out of Consul, so out of nginx) in its preStop
    // hook, before its app is signalled: nothing routed to it is cut.
    const load = await demo.underLoad('/hello', 25, async () => {
      await kubectl([
        ...['patch', 'helloworldapp', app, '-n', ns, '--type=merge'],
        ...['-p', '{"spec":{"hello":{"replicas":1},"world":{"replicas":1}}}'],
      ]);
    });
    expect(load.failures).toEqual([]);
    expect(load.failed).toBe(0);
    expect(load.ok).toBeGreaterThan(0);
    const remaining = await until('one hello pod left', 120_000, async () => {
      const pods = await demo.pods(demo.selector('hello'));
      return pods.length === 1 && pods;
    });
    const { hello } = await until('nginx to list one hello', 60_000, async () => {
      const instances = await demo.instances();
      return instances.hello.length === 1 && instances;
    });
    expect(hello.map((i) => i.id)).toEqual(serviceIdsOf('hello', remaining));
  });

  it('puts back a child that someone deleted', async () => {
    const before = await kubectlJson<{ metadata: { uid: string } }>([
      'get',
      'deployment',
      `${app}-nginx`,
      '-n',
      ns,
    ]);
    await kubectl(['delete', 'deployment', `${app}-nginx`, '-n', ns, '--wait=true']);
    const after = await until('the nginx Deployment to come back', 60_000, async () => {
      const r = await kubectl(['get', 'deployment', `${app}-nginx`, '-n', ns, '-o', 'json'], {
        allowFailure: true,
      });
      return r.code === 0 && (JSON.parse(r.stdout) as { metadata: { uid: string } });
    });
    expect(after.metadata.uid).not.toBe(before.metadata.uid);
    await waitReady();
    // Ready counts the new pods; the Service routes to them once kube-proxy has their endpoints, a
    // moment later (until then a connection is refused). A user reloads the page: so does the test.
    const hello = await until('the nginx Service to route to the new pods', 60_000, async () => {
      const [answer] = await demo.get(['/hello']).catch(() => [undefined]);
      return answer?.status === 200 && answer;
    });
    expect(hello).toEqual({ status: 200, body: 'Hello' });
  });

  it('removes everything it made when the app is deleted', async () => {
    await kubectl(['delete', 'helloworldapp', app, '-n', ns, '--wait=true', '--timeout=120s'], {
      timeoutMs: 150_000,
    });
    await until("the app's Deployments and Services to be garbage-collected", 120_000, async () => {
      const { items } = await kubectlJson<{ items: unknown[] }>([
        'get',
        'deployments,services',
        '-n',
        ns,
        '-l',
        `app.kubernetes.io/instance=${app}`,
      ]);
      return items.length === 0;
    });
  });
});
