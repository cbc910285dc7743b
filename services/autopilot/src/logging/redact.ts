// Fields never written to the log, wherever a config or request object is logged whole.
// pino's redact matches exact paths (one `*` per level), so the usual depths are listed.
const SECRET_KEYS = ['token', 'password', 'secret', 'authorization', 'CONSUL_HTTP_TOKEN'];

export const REDACT_PATHS: string[] = SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`]).concat([
  'headers["x-consul-token"]',
  '*.headers["x-consul-token"]',
  '*.headers.authorization',
]);

export const REDACT_CENSOR = '[redacted]';
