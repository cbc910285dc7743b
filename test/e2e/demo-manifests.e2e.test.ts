// Proves the demo runs on plain manifests, with no operator: the manifests the operator would create
// for helloworld.yaml (operator/src/render.ts, the same code the operator applies through), applied
// with kubectl into a namespace that enforces the "restricted" Pod Security Standard. Consul; hello
// and world whose autopilot is a native sidecar registering them; nginx with autopilot as PID 1
// routing to whatever Consul says is healthy. Scaling hello changes what nginx routes to, both ways.
// Builds and loads the images first (scripts/images.sh: cached, and only changed images are loaded;
// AUTOPILOT_E2E_BUILD_IMAGES=0 skips it). Deletes the namespace afterwards; on a failure it prints
// the pods' state, events and logs.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { renderObjects, renderYaml } from '../../operator/src/render.ts';
import { kubectl, repoRoot } from '../support/cluster.ts';
import { DemoInCluster, buildImages, dumpDiagnostics, serviceIdsOf, until } from './support/demo.ts';

const demo = new DemoInCluster('autopilot-demo');
const ns = demo.namespace;
const example = load(readFileSync(path.join(repoRoot, 'helloworld.yaml'), 'utf8'));
const DEPLOYMENTS = ['consul', 'hello', 'world', 'nginx'].map((c) => `helloworld-${c}`);

describe('the demo on plain manifests, without the operator (render.ts of helloworld.yaml)', () => {
  beforeAll(async () => {
    buildImages(['autopilot', 'consul', 'hello', 'world', 'nginx']);
    // A run that was cut short may have left the namespace behind (or still terminating).
    await demo.deleteNamespace(true);
    await kubectl(['apply', '-f', '-'], {
      input: renderYaml(renderObjects(example, { namespace: ns, withNamespace: true })),
    });
  });

  afterEach(async ({ task }) => {
    if (task.result?.state === 'fail') await dumpDiagnostics(ns, 'app.kubernetes.io/part-of=helloworld');
  });

  afterAll(async () => {
    await demo.deleteNamespace(false);
  });

  it('rolls out Consul, hello, world and nginx as non-root pods admitted under the restricted policy', async () => {
    for (const name of DEPLOYMENTS) {
      await kubectl(['rollout', 'status', `deployment/${name}`, '-n', ns, '--timeout=180s'], {
        timeoutMs: 200_000,
      });
    }
    const hello = await demo.readyPods(demo.selector('hello'));
    expect(hello).toHaveLength(1);
    // autopilot is a native sidecar: an init container that started and keeps running beside the app.
    const sidecar = hello[0]!.status?.initContainerStatuses?.find((c) => c.name === 'autopilot');
    expect(sidecar?.started).toBe(true);
    expect(sidecar?.state?.running).toBeTruthy();
    expect(hello[0]!.status?.containerStatuses?.find((c) => c.name === 'hello')?.ready).toBe(true);

    const uid = await kubectl([
      'exec',
      '-n',
      ns,
      'deploy/helloworld-hello',
      '-c',
      'autopilot',
      '--',
      'id',
      '-u',
    ]);
    expect(uid.stdout.trim()).toBe('1000');
    // The root filesystem is read-only even for what the image owns.
    const write = await kubectl(['exec', '-n', ns, 'deploy/helloworld-nginx', '--', 'touch', '/app/x'], {
      allowFailure: true,
    });
    expect(write.code).not.toBe(0);
    expect(write.stderr).toMatch(/Read-only file system/);
  });

  it('serves /hello and /world through nginx, from the instances its sidecars registered in Consul', async () => {
    const [hello, world] = await until('both services answering through nginx', 60_000, async () => {
      const answers = await demo.get(['/hello', '/world']);
      return answers.every((a) => a.status === 200) && answers;
    });
    expect(hello?.body).toBe('Hello');
    expect(world?.body).toBe('World');

    const listed = await demo.instances();
    const helloPod = (await demo.readyPods(demo.selector('hello')))[0]!;
    expect(listed.hello).toEqual([
      { id: `hello-${helloPod.metadata.name}`, address: helloPod.status?.podIP, port: 3001 },
    ]);
    expect(listed.world).toHaveLength(1);
  });

  it('routes to three hello instances once hello is scaled to 3', async () => {
    await kubectl(['scale', 'deployment', 'helloworld-hello', '-n', ns, '--replicas=3']);
    await kubectl(['rollout', 'status', 'deployment/helloworld-hello', '-n', ns, '--timeout=180s'], {
      timeoutMs: 200_000,
    });
    const pods = await demo.readyPods(demo.selector('hello'));
    expect(pods).toHaveLength(3);

    const listed = await until('nginx to list 3 hello instances', 90_000, async () => {
      const { hello } = await demo.instances();
      return hello.length === 3 && hello;
    });
    expect(listed.map((i) => i.id).sort()).toEqual(serviceIdsOf('hello', pods));

    // least_conn spreads sequential requests over every upstream.
    const answerers = await until('answers from 3 distinct hello instances', 60_000, async () => {
      const seen = await demo.answerers('hello', 30);
      return seen.size === 3 && seen;
    });
    expect([...answerers].sort()).toEqual(serviceIdsOf('hello', pods));
  });

  it('stops routing to the removed instances once hello is scaled back to 1', async () => {
    await kubectl(['scale', 'deployment', 'helloworld-hello', '-n', ns, '--replicas=1']);
    const listed = await until('nginx to list 1 hello instance', 90_000, async () => {
      const { hello } = await demo.instances();
      return hello.length === 1 && hello;
    });
    const remaining = await until('one hello pod left', 90_000, async () => {
      const pods = await demo.pods(demo.selector('hello'));
      return pods.length === 1 && pods;
    });
    expect(listed.map((i) => i.id)).toEqual(serviceIdsOf('hello', remaining));
    expect(await demo.answerers('hello', 10)).toEqual(new Set(serviceIdsOf('hello', remaining)));
  });
});
