// pino loggers for autopilot. 'json' is pino's JSON; 'default'/'text' are human lines via pino-pretty
// (colored only on a TTY). Output goes to stdout, stderr or a file that reopenLogs() reopens on
// SIGUSR1 (logrotate). Secret fields (tokens) are redacted. Writes are synchronous: nothing is lost
// on exit.
import { isatty } from 'node:tty';
import pino, { type Logger } from 'pino';
import type { LoggingConfig } from '../config/types.ts';
import { openDestination, standardStreamFd } from './destinations.ts';
import { prettyStream } from './pretty.ts';
import { REDACT_CENSOR, REDACT_PATHS } from './redact.ts';

export type { Logger };
export { reopenLogs } from './destinations.ts';

export const DEFAULT_LOGGING: LoggingConfig = { level: 'info', format: 'default', output: 'stdout' };

export function createLogger(config: LoggingConfig = DEFAULT_LOGGING): Logger {
  const destination = openDestination(config.output);
  const options: pino.LoggerOptions = {
    level: config.level,
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT_PATHS, censor: REDACT_CENSOR },
  };
  if (config.format === 'json') return pino(options, destination);
  return pino(options, prettyStream(destination, { colorize: wantsColor(config.output) }));
}

/** A logger that discards everything: for unit tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });

function wantsColor(output: string): boolean {
  const fd = standardStreamFd(output);
  if (fd === undefined || process.env.NO_COLOR) return false;
  return isatty(fd);
}
