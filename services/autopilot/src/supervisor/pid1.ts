// Running as PID 1 (a container's init). Node cannot wait for any child by itself, so orphans that
// the kernel re-parents to PID 1 would stay zombies forever (ContainerPilot #409, #439). As PID 1,
// autopilot therefore stays a tiny init: it re-spawns itself as its only child (the worker, which
// is the real supervisor), forwards every signal to it, reaps every child with waitpid(-1) on
// SIGCHLD and on a slow timer, and exits with the worker's status.
import { spawn } from 'node:child_process';
import type { Config } from '../config/types.ts';
import { createLogger, reopenLogs, type Logger } from '../logging/logger.ts';
import { becomeChildSubreaper, exitCodeOfSignal, reapAnyChild } from './libc.ts';

/** Set in the worker's environment: it must supervise, not act as init again. */
export const WORKER_ENV = 'AUTOPILOT_WORKER';
/** Act as init without being PID 1 (as a child subreaper): tests, or under another init. */
export const SUBREAPER_ENV = 'AUTOPILOT_SUBREAPER';

const FORWARDED_SIGNALS: NodeJS.Signals[] = [
  'SIGTERM',
  'SIGINT',
  'SIGHUP',
  'SIGUSR1',
  'SIGUSR2',
  'SIGQUIT',
  'SIGWINCH',
];
/** Catches orphans whose SIGCHLD was coalesced with another one. */
const REAP_INTERVAL = 1000;

export function shouldActAsPid1(env: NodeJS.ProcessEnv = process.env, pid: number = process.pid): boolean {
  if (env[WORKER_ENV] === '1') return false;
  return pid === 1 || env[SUBREAPER_ENV] === '1';
}

/**
 * Whether PID 1 needs the init at all: only a config that starts processes (jobs with exec, exec
 * health checks, template onChange commands) can leave orphans behind. A sidecar that registers and
 * http-checks an app in another container starts none, and then saves the init's ~50 MB.
 */
export function configStartsProcesses(config: Config): boolean {
  return (
    config.jobs.some((job) => job.exec !== undefined || job.health?.kind === 'exec') ||
    config.templates.some((template) => template.onChange !== undefined)
  );
}

export interface Pid1Options {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

/** Becomes the init process around a worker running the same command line; exits with its status. */
export function runAsPid1(argv: readonly string[] = process.argv, options: Pid1Options = {}): Promise<never> {
  const log = (options.logger ?? createLogger({ level: 'info', format: 'default', output: 'stderr' })).child({
    component: 'init',
  });
  if (process.pid !== 1 && !becomeChildSubreaper())
    log.warn('could not become a child subreaper; orphans will not be reaped');

  const worker = spawn(process.execPath, [...process.execArgv, ...argv.slice(1)], {
    stdio: 'inherit',
    env: { ...(options.env ?? process.env), [WORKER_ENV]: '1' },
  });
  log.debug({ pid: worker.pid }, 'worker started');

  return new Promise<never>(() => {
    const exit = (code: number) => {
      log.debug({ code }, 'worker exited');
      process.exit(code);
    };
    for (const signal of FORWARDED_SIGNALS) {
      process.on(signal, () => {
        if (signal === 'SIGUSR1') reopenLogs(); // our own log file too, when logging to one
        if (worker.exitCode === null && worker.signalCode === null) worker.kill(signal);
      });
    }
    // Whichever sees the worker's end first: libuv, or our waitpid(-1) (then libuv gets ECHILD,
    // which it tolerates, and never reports the exit).
    worker.on('exit', (code, signal) => exit(code ?? (signal ? exitCodeOfSignal(signal) : 1)));
    worker.on('error', (error) => {
      log.error({ err: error }, 'could not start the worker');
      exit(1);
    });
    const reap = () => {
      for (let reaped = reapAnyChild(); reaped; reaped = reapAnyChild()) {
        if (reaped.pid === worker.pid) exit(reaped.exitCode);
        else log.debug({ pid: reaped.pid, exitCode: reaped.exitCode }, 'reaped an orphan');
      }
    };
    process.on('SIGCHLD', reap);
    setInterval(reap, REAP_INTERVAL);
  });
}
