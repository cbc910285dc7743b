// Runs the real autopilot (`node main.ts -config FILE`) as a separate process for integration tests,
// with a ContainerPilot-style config file, and collects its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '../../../../..');
/** The project's Node 24 (type stripping), whatever node runs the tests. */
export const NODE = path.join(ROOT, 'node_modules/.bin/node');
const MAIN = path.resolve(import.meta.dirname, '../../main.ts');

export function tempDir(): string {
  return mkdtempSync(path.join(os.tmpdir(), 'autopilot-it-'));
}

export interface RunningAutopilot {
  child: ChildProcess;
  /** Parsed JSON log lines so far (stderr chunks as `{stderr}`). */
  logs: Array<Record<string, unknown>>;
  exited: Promise<number | null>;
}

/** A config as a user writes it (JSON5 is a superset of JSON), with JSON logs and a private socket. */
export function startAutopilot(
  config: Record<string, unknown>,
  dir: string,
  env: NodeJS.ProcessEnv = {},
): RunningAutopilot {
  const file = path.join(dir, 'containerpilot.json5');
  const full = {
    logging: { level: 'DEBUG', format: 'json' },
    control: { socket: path.join(dir, 'control.socket') },
    ...config,
  };
  writeFileSync(file, JSON.stringify(full, null, 2));
  const child = spawn(NODE, [MAIN, '-config', file], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const logs: Array<Record<string, unknown>> = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    for (const line of lines) {
      try {
        logs.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        logs.push({ msg: line });
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => logs.push({ stderr: chunk.toString() }));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, logs, exited };
}
