// Spawning job and health-check commands the way ContainerPilot does: no shell, each run in its own
// process group (signals reach the whole tree), output wrapped into the log or passed through raw.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Logger } from '../logging/logger.ts';
import type { Millis } from '../config/types.ts';

export interface RunOptions {
  /** Job (or `<job>.health`) name, used in logs. */
  name: string;
  argv: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  logger: Logger;
  /** Pass output through unwrapped instead of one log record per line. */
  raw?: boolean;
  /** Kill the process group after this long. */
  timeout?: Millis;
  /** Keep (up to 4 KiB of) the combined output, e.g. as a health check's note. */
  captureOutput?: boolean;
}

export interface RunResult {
  /** Exit code, or null when a signal ended it (or it could not start). */
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  /** Set when the command could not be started (ENOENT, EACCES...). */
  spawnError?: Error;
  output: string;
}

export interface RunningProcess {
  readonly pid: number | undefined;
  readonly done: Promise<RunResult>;
  /** Signal the whole process group; falls back to the child alone if the group is gone. */
  signal(signal: NodeJS.Signals): void;
}

const OUTPUT_LIMIT = 4096;

export function startProcess(options: RunOptions): RunningProcess {
  const [command, ...args] = options.argv;
  if (!command) throw new Error(`${options.name}: empty command`);
  const child: ChildProcess = spawn(command, args, {
    cwd: options.cwd,
    env: options.env ?? process.env,
    detached: true, // own process group, like ContainerPilot's Setpgid
    stdio: ['ignore', options.raw ? 'inherit' : 'pipe', options.raw ? 'inherit' : 'pipe'],
  });
  let output = '';
  let timedOut = false;
  const log = options.logger.child({ job: options.name });

  const collect = (stream: NodeJS.ReadableStream | null, level: 'info' | 'warn') => {
    if (!stream) return;
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', (line) => {
      if (options.captureOutput && output.length < OUTPUT_LIMIT)
        output += `${line}\n`.slice(0, OUTPUT_LIMIT - output.length);
      log[level](line);
    });
  };
  collect(child.stdout, 'info');
  collect(child.stderr, 'warn');

  const signalGroup = (signal: NodeJS.Signals) => {
    // The group may outlive its leader (a daemonised grandchild), so signal it even after exit.
    if (child.pid === undefined) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    }
  };

  const timer =
    options.timeout !== undefined && options.timeout > 0
      ? setTimeout(() => {
          timedOut = true;
          log.warn({ timeoutMs: options.timeout }, 'timeout exceeded, killing process group');
          signalGroup('SIGKILL');
        }, options.timeout)
      : undefined;

  const done = new Promise<RunResult>((resolve) => {
    child.once('error', (error) => {
      if (timer) clearTimeout(timer);
      resolve({ code: null, signal: null, timedOut, spawnError: error, output });
    });
    // Prefer 'close' so all piped output is logged before the result is reported, but a daemonised
    // grandchild may hold the pipes open forever: then settle shortly after 'exit'.
    const settle = (code: number | null, signal: NodeJS.Signals | null) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, timedOut, output });
    };
    child.once('exit', (code, signal) => setTimeout(() => settle(code, signal), 200).unref());
    child.once('close', settle);
  });

  return { pid: child.pid, done, signal: signalGroup };
}

/** Runs a command to completion: health checks, hooks. */
export function runToCompletion(options: RunOptions): Promise<RunResult> {
  return startProcess(options).done;
}

export const describeExit = (result: RunResult): string =>
  result.spawnError
    ? `failed to start: ${result.spawnError.message}`
    : result.timedOut
      ? 'timed out'
      : result.signal
        ? `killed by ${result.signal}`
        : `exit code ${result.code}`;

export const succeeded = (result: RunResult): boolean => result.code === 0 && !result.timedOut;
