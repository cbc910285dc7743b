// The two libc calls Node does not offer: waitpid(-1) to reap any child (zombie orphans that were
// re-parented to us), and prctl(PR_SET_CHILD_SUBREAPER) so a process that is not PID 1 still
// inherits orphans (tests, or an init that is not ours). Through koffi (FFI), loaded on first use.
import { constants } from 'node:os';
import koffi, { type LibraryHandle } from 'koffi';

const WNOHANG = 1;
const PR_SET_CHILD_SUBREAPER = 36;

interface Calls {
  waitpid(pid: number, status: number[], options: number): number;
  prctl(option: number, arg2: number, arg3: number, arg4: number, arg5: number): number;
}

let calls: Calls | undefined;

function libc(): Calls {
  if (calls) return calls;
  // glibc by name; otherwise (musl) the symbols already linked into node itself.
  let library: LibraryHandle;
  try {
    library = koffi.load('libc.so.6');
  } catch {
    library = koffi.load(null);
  }
  calls = {
    waitpid: library.func('int waitpid(int pid, _Out_ int *status, int options)') as Calls['waitpid'],
    prctl: library.func(
      'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
    ) as Calls['prctl'],
  };
  return calls;
}

export interface Reaped {
  pid: number;
  /** Exit code, or 128 + signal number for a child killed by a signal (the shell's convention). */
  exitCode: number;
}

/** Reaps one exited child, any child, without blocking; undefined when none is waiting. */
export function reapAnyChild(): Reaped | undefined {
  const status = [0];
  const pid = libc().waitpid(-1, status, WNOHANG);
  if (pid <= 0) return undefined;
  return { pid, exitCode: exitCodeOf(status[0]!) };
}

export function exitCodeOf(waitStatus: number): number {
  const signal = waitStatus & 0x7f;
  return signal === 0 ? (waitStatus >> 8) & 0xff : 128 + signal;
}

/** Makes orphaned descendants re-parent to this process instead of PID 1. */
export function becomeChildSubreaper(): boolean {
  return libc().prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) === 0;
}

/** 128 + the signal's number, for a child Node saw die of `signal`. */
export const exitCodeOfSignal = (signal: NodeJS.Signals): number => 128 + (constants.signals[signal] ?? 0);
