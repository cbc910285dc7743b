// JSON logs by default (what Kubernetes and autopilot collect); LOG_FORMAT=pretty for a person at a
// terminal. pino-pretty runs in-process and synchronously so the last lines before exit are not lost.
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';
import type { LogFormat, LogLevel } from './options.ts';

export type { Logger };

export function createDemoLogger(options: { format: LogFormat; level: LogLevel; name: string }): Logger {
  const settings = { level: options.level, name: options.name, timestamp: pino.stdTimeFunctions.isoTime };
  if (options.format === 'pretty') {
    return pino(
      settings,
      pretty({ sync: true, colorize: process.stdout.isTTY, translateTime: 'SYS:HH:MM:ss' }),
    );
  }
  return pino(settings, pino.destination({ fd: 1, sync: true }));
}

/** Discards everything: for tests. */
export const silentLogger = (): Logger => pino({ level: 'silent' });
