// cluster:up on a host that cannot run kind's privileged nodes: it stops with one line naming the
// reason and makes nothing. Real engines, real kernel limits; each run gets a cache directory of its
// own, so the project's cluster and caches are not touched.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { repoRoot } from '../support/cluster.ts';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'autopilot-engine-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function run(script: string, env: Record<string, string>) {
  const r = spawnSync('bash', [path.join(repoRoot, script)], {
    env: { ...process.env, KUBECONFIG: '', ...env },
    encoding: 'utf8',
    timeout: 120_000,
  });
  const lines = r.stderr.trim().split('\n');
  return {
    status: r.status,
    lastLine: lines.at(-1) ?? '',
    errors: lines.filter((l) => l.startsWith('error:')),
  };
}

describe('cluster:up where kind cannot run', () => {
  it('stops with one line when the chosen engine has no daemon, and leaves no cluster state', () => {
    const cache = tempDir();
    const r = run('scripts/cluster/up.sh', {
      AUTOPILOT_CACHE_DIR: cache,
      AUTOPILOT_ENGINE: 'docker',
      DOCKER_HOST: `unix://${path.join(cache, 'no-daemon.sock')}`,
    });
    expect(r.status).not.toBe(0);
    expect(r.errors).toHaveLength(1);
    expect(r.lastLine).toMatch(
      /^error: AUTOPILOT_ENGINE=docker, but (no Docker daemon answers|docker is not installed)/,
    );
    for (const f of ['kubeconfig', 'cluster.env', 'engine.env', 'kind-config.yaml'])
      expect(existsSync(path.join(cache, f)), f).toBe(false);
  });

  it('probes a privileged container for real: rlimits above the hard limit are refused where the kernel refuses them', () => {
    const cache = tempDir();
    // podman's config for this run alone: what it needs here (runc on cgroup v1) and one thing a
    // container cannot have without CAP_SYS_RESOURCE, an open-files limit above the host's hard one.
    const hard = Number(spawnSync('bash', ['-c', 'ulimit -Hn'], { encoding: 'utf8' }).stdout.trim());
    const conf = path.join(cache, 'containers.conf');
    const cgroupV1 = !existsSync('/sys/fs/cgroup/cgroup.controllers');
    writeFileSync(
      conf,
      `${cgroupV1 ? '[engine]\nruntime = "runc"\n' : ''}[containers]\ndefault_ulimits = ["nofile=${hard + 1}:${hard + 1}"]\n`,
    );
    // What the kernel says to the same request from a shell: raising a hard limit needs CAP_SYS_RESOURCE.
    const kernelRefuses =
      spawnSync('bash', ['-c', `ulimit -Hn ${hard + 1}`], { encoding: 'utf8' }).status !== 0;
    const r = run('scripts/cluster/engine.sh', {
      AUTOPILOT_CACHE_DIR: cache,
      AUTOPILOT_ENGINE: 'podman',
      CONTAINERS_CONF: conf,
    });
    if (kernelRefuses) {
      expect(r.status).not.toBe(0);
      expect(r.lastLine).toBe(
        "error: podman cannot run a privileged container here (kind's nodes are privileged): error setting rlimits for ready process",
      );
      expect(readdirSync(cache).sort()).toEqual(['bin', 'containers.conf']);
    } else {
      expect(r.status).toBe(0);
    }
  });
});
