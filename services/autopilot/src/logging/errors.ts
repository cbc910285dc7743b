// Expected, retried failures (Consul unreachable while it starts or restarts) get one line at warn;
// their stack trace only at debug, so a retry loop does not flood the log.
import type { Logger } from './logger.ts';

export function errorMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code =
    (error as NodeJS.ErrnoException).code ?? (error.cause as NodeJS.ErrnoException | undefined)?.code;
  return code && !error.message.includes(code) ? `${error.message} (${code})` : error.message;
}

export function warnRetriedFailure(
  logger: Logger,
  fields: Record<string, unknown>,
  error: unknown,
  message: string,
): void {
  logger.warn({ ...fields, error: errorMessage(error) }, message);
  logger.debug({ ...fields, err: error }, `${message} (details)`);
}
