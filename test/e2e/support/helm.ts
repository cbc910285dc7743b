// The project's Helm (built from its Go module by scripts/cluster/build-tools.sh, cached) against the
// project's cluster.
import { execFile, execFileSync } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { kubeconfigPath, repoRoot } from '../../support/cluster.ts';

const execFileAsync = promisify(execFile);
let cached: string | undefined;

export function helmPath(): string {
  cached ??= execFileSync('bash', [path.join(repoRoot, 'scripts/cluster/build-tools.sh'), 'helm'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  })
    .trim()
    .split('\n')
    .at(-1)!;
  return cached;
}

export async function helm(args: string[], timeoutMs = 300_000): Promise<string> {
  try {
    const { stdout } = await execFileAsync(helmPath(), ['--kubeconfig', kubeconfigPath(), ...args], {
      encoding: 'utf8',
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const e = error as { stderr?: string; stdout?: string; message: string };
    throw new Error(`helm ${args.join(' ')} failed: ${e.stderr || e.message}\n${e.stdout ?? ''}`, {
      cause: error,
    });
  }
}
