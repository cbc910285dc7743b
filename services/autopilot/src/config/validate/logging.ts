// `logging`: ContainerPilot's logrus levels mapped onto pino; format and output as in config/logger.
import { resolve } from 'node:path';
import type { LoggingConfig, LogLevel } from '../types.ts';
import type { Checker } from './checker.ts';

const LEVELS: Record<string, LogLevel> = {
  TRACE: 'trace',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warn',
  WARNING: 'warn',
  ERROR: 'error',
  FATAL: 'fatal',
  PANIC: 'fatal', // pino has no panic level
};

export const DEFAULT_LOGGING: LoggingConfig = { level: 'info', format: 'default', output: 'stdout' };

export function validateLogging(ck: Checker, raw: unknown): LoggingConfig {
  if (raw === undefined || raw === null) return { ...DEFAULT_LOGGING };
  const o = ck.object(['logging'], raw, ['level', 'format', 'output']);
  if (!o) return { ...DEFAULT_LOGGING };
  const out = { ...DEFAULT_LOGGING };
  if (o.level !== undefined) {
    const level = ck.oneOf(
      ['logging', 'level'],
      o.level,
      ['DEBUG', 'INFO', 'WARN', 'ERROR', 'FATAL', 'PANIC', 'TRACE', 'WARNING'],
      'log-level',
      {
        caseInsensitive: true,
      },
    );
    if (level) out.level = LEVELS[level]!;
  }
  if (o.format !== undefined) {
    const format = ck.oneOf(['logging', 'format'], o.format, ['default', 'text', 'json'], 'log-format', {
      caseInsensitive: true,
    });
    if (format) out.format = format;
  }
  if (o.output !== undefined) {
    const output = ck.string(['logging', 'output'], o.output);
    if (output !== undefined) {
      const lower = output.toLowerCase();
      out.output = lower === 'stdout' || lower === 'stderr' ? lower : resolve(output);
    }
  }
  return out;
}
