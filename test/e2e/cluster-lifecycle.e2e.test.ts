// The kind backend's own story, on a second kind cluster beside the project's (so the other e2e files
// keep theirs): a create interrupted half-way is found and made again by the next up, and down
// leaves no container, network or volume of it behind.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cacheDir, containerEngine, kubectlPath, repoRoot } from '../support/cluster.ts';
import { eventually } from '../support/eventually.ts';

const name = 'autopilot-lifecycle';
const node = `${name}-control-plane`;
const work = mkdtempSync(path.join(os.tmpdir(), 'autopilot-lifecycle-'));
const kubeconfig = path.join(work, 'kubeconfig');
const marker = path.join(cacheDir(), `kind-creating-${name}`);

// kind.sh's functions for this cluster, with a kubeconfig and cluster.env of its own.
const snippet = (fn: string) =>
  `source scripts/cluster/common.sh; KUBECONFIG_OUT=${kubeconfig}; CLUSTER_ENV=${path.join(work, 'cluster.env')}; source scripts/cluster/kind.sh; ${fn}`;
const env = { ...process.env, AUTOPILOT_KIND_CLUSTER: name };
const kindFn = (fn: string) =>
  spawnSync('bash', ['-c', snippet(fn)], { cwd: repoRoot, env, encoding: 'utf8', timeout: 600_000 });

const engine = containerEngine();
const containers = () =>
  spawnSync(engine, ['ps', '-a', '--filter', `name=^${node}$`, '--format', '{{.Names}}'], {
    encoding: 'utf8',
  }).stdout.trim();
const volumesOf = (container: string) =>
  spawnSync(engine, ['inspect', container, '--format', '{{range .Mounts}}{{.Name}} {{end}}'], {
    encoding: 'utf8',
  })
    .stdout.trim()
    .split(/\s+/)
    .filter(Boolean);
const volumeExists = (volume: string) =>
  spawnSync(engine, ['volume', 'inspect', volume], { stdio: 'ignore' }).status === 0;

describe('a kind cluster made by cluster:up', () => {
  afterAll(() => {
    kindFn('kind_down');
    rmSync(work, { recursive: true, force: true });
  });

  it('makes a half-created cluster again at the next up', async () => {
    kindFn('kind_down');
    // An up killed once its node container exists: kind has started, and is far from done.
    const up = spawn('bash', ['-c', snippet('kind_up')], {
      cwd: repoRoot,
      env,
      stdio: 'ignore',
      detached: true,
    });
    await eventually(() => containers() === node, 'the node container of the interrupted up', 300_000, 250);
    process.kill(-up.pid!, 'SIGKILL');
    await new Promise((resolve) => up.once('exit', resolve));
    expect(existsSync(marker)).toBe(true);

    const again = kindFn('kind_up');
    expect(again.status, again.stderr).toBe(0);
    expect(again.stderr).toContain(`deleting the half-made kind cluster ${name}`);
    expect(existsSync(marker)).toBe(false);
    const nodes = spawnSync(kubectlPath(), ['--kubeconfig', kubeconfig, 'get', 'nodes', '-o', 'json'], {
      encoding: 'utf8',
    });
    const items = (
      JSON.parse(nodes.stdout) as {
        items: { metadata: { name: string }; status: { conditions: { type: string; status: string }[] } }[];
      }
    ).items;
    expect(items.map((n) => n.metadata.name)).toEqual([node]);
    expect(items[0]!.status.conditions.find((c) => c.type === 'Ready')?.status).toBe('True');
  });

  it('leaves no container, volume or kubeconfig entry behind when it goes down', () => {
    const volumes = volumesOf(node);
    expect(volumes.length).toBeGreaterThan(0);
    const down = kindFn('kind_down');
    expect(down.status, down.stderr).toBe(0);
    expect(containers()).toBe('');
    for (const v of volumes) expect(volumeExists(v), v).toBe(false);
    expect(existsSync(kubeconfig)).toBe(false);
  });
});
