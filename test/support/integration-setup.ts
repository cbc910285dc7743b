// Makes sure the real tools the integration tests need exist before any test runs
// (Consul from scripts/build-consul.sh). Tests read their paths from the environment.
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
}
