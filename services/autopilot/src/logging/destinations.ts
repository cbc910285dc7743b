// Where log lines go: stdout, stderr or a file. Writes are synchronous so nothing is lost when the
// process exits right after logging (a crash, a fatal config error). File destinations are shared
// per path and can be reopened, so logrotate's rename + SIGUSR1 moves logging to a fresh file.
import pino from 'pino';

export type SyncDestination = ReturnType<typeof pino.destination>;

const fileDestinations = new Map<string, SyncDestination>();
let stdoutDestination: SyncDestination | undefined;
let stderrDestination: SyncDestination | undefined;

/** 'stdout' | 'stderr' | a file path (appended to, parent directories created). */
export function openDestination(output: string): SyncDestination {
  if (output === 'stdout') return (stdoutDestination ??= pino.destination({ fd: 1, sync: true }));
  if (output === 'stderr') return (stderrDestination ??= pino.destination({ fd: 2, sync: true }));
  let destination = fileDestinations.get(output);
  if (!destination) {
    destination = pino.destination({ dest: output, sync: true, append: true, mkdir: true });
    fileDestinations.set(output, destination);
  }
  return destination;
}

/** File descriptor of a standard stream output, or undefined for files. */
export const standardStreamFd = (output: string): 1 | 2 | undefined =>
  output === 'stdout' ? 1 : output === 'stderr' ? 2 : undefined;

/**
 * Reopen every log file at its configured path. Called on SIGUSR1 after logrotate renamed the file:
 * lines written from now on land in a new file at the original path.
 */
export function reopenLogs(): void {
  for (const destination of fileDestinations.values()) destination.reopen();
}

/** Close a file destination (tests, or a reload that moved logging elsewhere). */
export function closeFileDestination(path: string): void {
  const destination = fileDestinations.get(path);
  if (!destination) return;
  fileDestinations.delete(path);
  destination.end();
}
