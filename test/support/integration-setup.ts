// Makes sure the real tools the integration tests need exist before any test runs (Consul from
// scripts/build-consul.sh; etcd + kube-apiserver for envtest from scripts/cluster/build-k8s.sh;
// helm from scripts/cluster/build-tools.sh; minutes the first time). Tests read their paths from the
// environment.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function setup(): void {
  const root = path.resolve(import.meta.dirname, '../..');
  if (!process.env.CONSUL_BIN) {
    process.env.CONSUL_BIN = execFileSync('bash', [path.join(root, 'scripts/build-consul.sh')], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  }
  if (!process.env.HELM_BIN) {
    process.env.HELM_BIN = execFileSync('bash', [path.join(root, 'scripts/cluster/build-tools.sh'), 'helm'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }).trim();
  }
  if (!process.env.KUBEBUILDER_ASSETS) {
    process.env.KUBEBUILDER_ASSETS = execFileSync(
      'bash',
      [path.join(root, 'scripts/cluster/build-k8s.sh'), '--envtest'],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    )
      .trim()
      .split('\n')
      .at(-1)!;
  }
}
