// pino loggers for autopilot. JSON by default; 'default'/'text' formats are human lines via pino-pretty.
// logging/ is being extended (file output reopened on SIGUSR1, child output wrapping); keep this API.
import pino, { type Logger } from 'pino';
import type { LoggingConfig } from '../config/types.ts';

export type { Logger };

export const DEFAULT_LOGGING: LoggingConfig = { level: 'info', format: 'default', output: 'stdout' };

export function createLogger(config: LoggingConfig = DEFAULT_LOGGING): Logger {
  const fd = config.output === 'stderr' ? 2 : 1;
  const destination = pino.destination({ fd, sync: true });
  return pino({ level: config.level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime }, destination);
}

/** A logger that discards everything: for unit tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
