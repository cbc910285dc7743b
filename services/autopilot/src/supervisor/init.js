// autopilot's init: what PID 1 becomes (through execve) once the full autopilot has loaded and
// validated a config that starts processes. Node cannot wait for any child by itself, so orphans
// the kernel re-parents to PID 1 would stay zombies (ContainerPilot #409, #439): this program
// spawns the real supervisor as its one child (the worker), forwards signals to it, reaps every
// child with waitpid(-1) through libc (koffi), and exits with the worker's status.
// Plain JavaScript with the fewest imports on purpose: it stays resident for the container's life
// (~10 MB instead of ~50 MB for the TypeScript supervisor loaded a second time).
//   node init.js <worker argv...>     env AUTOPILOT_WORKER=1 is set for the worker
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import koffi from 'koffi';

export const WORKER_ENV = 'AUTOPILOT_WORKER';
const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;
const REAP_INTERVAL_MS = 1000; // catches orphans whose SIGCHLD was coalesced with another one
const FORWARDED = ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1', 'SIGUSR2', 'SIGQUIT', 'SIGWINCH'];

/** Exit code, or 128 + signal number for a child killed by a signal (the shell's convention). */
export function exitCodeOf(waitStatus) {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
}

function libc() {
  let library;
  try {
    library = koffi.load('libc.so.6');
  } catch {
    library = koffi.load(null); // musl: the symbols linked into node itself
  }
  return {
    waitpid: library.func('int waitpid(int pid, _Out_ int *status, int options)'),
    prctl: library.func(
      'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
    ),
  };
}

/** One JSON line per event, in pino's shape, on stderr (the init keeps no log file open). */
function log(level, msg, fields = {}) {
  const levels = { debug: 20, info: 30, warn: 40, error: 50 };
  process.stderr.write(
    `${JSON.stringify({ level: levels[level], time: new Date().toISOString(), component: 'init', ...fields, msg })}\n`,
  );
}

function main(workerArgv) {
  const calls = libc();
  if (process.pid !== 1 && calls.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) !== 0) {
    log('warn', 'could not become a child subreaper; orphans will not be reaped');
  }
  const [command, ...args] = workerArgv;
  const worker = spawn(command, args, { stdio: 'inherit', env: { ...process.env, [WORKER_ENV]: '1' } });
  const exit = (code) => process.exit(code);
  for (const signal of FORWARDED) {
    process.on(signal, () => {
      if (worker.exitCode === null && worker.signalCode === null) worker.kill(signal);
    });
  }
  // Whichever sees the worker's end first: libuv, or our waitpid(-1) (libuv then gets ECHILD,
  // which it tolerates, and never reports the exit).
  worker.on('exit', (code, signal) => exit(code ?? (signal ? 128 + (constants.signals[signal] ?? 0) : 1)));
  worker.on('error', (error) => {
    log('error', `could not start the worker: ${error.message}`);
    exit(1);
  });
  const reap = () => {
    for (;;) {
      const status = [0];
      const pid = calls.waitpid(-1, status, WNOHANG);
      if (pid <= 0) return;
      if (pid === worker.pid) exit(exitCodeOf(status[0]));
    }
  };
  process.on('SIGCHLD', reap);
  setInterval(reap, REAP_INTERVAL_MS);
}

if (process.argv[1] === import.meta.filename) main(process.argv.slice(2));
