// Running as PID 1 (a container's init). Node cannot wait for any child by itself, so orphans that
// the kernel re-parents to PID 1 would stay zombies forever (ContainerPilot #409, #439). As PID 1,
// autopilot therefore execs into init.js, a tiny init that re-spawns autopilot as its worker,
// forwards signals, reaps every child with waitpid(-1) and exits with the worker's status.
import { fileURLToPath } from 'node:url';
import type { Config } from '../config/types.ts';

/** Set in the worker's environment by init.js: it must supervise, not act as init again. */
export const WORKER_ENV = 'AUTOPILOT_WORKER';
/** Act as init without being PID 1 (as a child subreaper): tests, or under another init. */
export const SUBREAPER_ENV = 'AUTOPILOT_SUBREAPER';

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

/**
 * Becomes the init: PID 1 execs the small init program (init.js, same PID), which runs this same
 * command line again as its worker. The full supervisor loaded here is thrown away by the exec.
 */
export function runAsPid1(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): never {
  const init = fileURLToPath(new URL('./init.js', import.meta.url));
  // process.execve is Node >= 23.11 (still typed optional): the project pins Node 24.
  process.execve!(
    process.execPath,
    [process.execPath, init, process.execPath, ...process.execArgv, ...argv.slice(1)],
    env as Record<string, string>,
  );
  throw new Error('execve returned');
}
