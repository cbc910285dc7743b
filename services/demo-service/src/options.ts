// Reads a demo service's settings from the environment. Bad values fail loudly at startup:
// a typo in PORT should stop the container, not make it listen somewhere unexpected.
import { readFileSync } from 'node:fs';
import os from 'node:os';

export type Word = 'Hello' | 'World';
export type LogFormat = 'json' | 'pretty';
export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal' | 'silent';

export interface DemoOptions {
  word: Word;
  port: number;
  host: string;
  /** Absent means `${service}-${hostname}`: the Consul service ID autopilot registers. */
  instanceId?: string;
  version: string;
  hostname: string;
  logFormat: LogFormat;
  logLevel: LogLevel;
  /** Upper bound for finishing in-flight requests after SIGTERM; then connections are cut. */
  shutdownTimeoutMs: number;
  /** Keep serving (readiness 503) this long before closing the listener, for routers that lag. */
  shutdownDelayMs: number;
}

export interface ServiceDefaults {
  word: Word;
  port: number;
}

const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'];

export function readDemoOptions(env: NodeJS.ProcessEnv, defaults: ServiceDefaults): DemoOptions {
  const logFormat = env.LOG_FORMAT ?? 'json';
  if (logFormat !== 'json' && logFormat !== 'pretty') {
    throw new Error(`LOG_FORMAT must be "json" or "pretty", got "${logFormat}"`);
  }
  const logLevel = (env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new Error(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${env.LOG_LEVEL}"`);
  }
  const options: DemoOptions = {
    word: defaults.word,
    port: readInteger(env, 'PORT', defaults.port, 0, 65535),
    host: nonEmpty(env.HOST) ?? '0.0.0.0',
    version: nonEmpty(env.APP_VERSION) ?? packageVersion(),
    hostname: os.hostname(),
    logFormat,
    logLevel: logLevel as LogLevel,
    shutdownTimeoutMs: readInteger(env, 'SHUTDOWN_TIMEOUT_MS', 4000, 0, 600_000),
    shutdownDelayMs: readInteger(env, 'SHUTDOWN_DELAY_MS', 0, 0, 600_000),
  };
  const instanceId = nonEmpty(env.INSTANCE_ID);
  if (instanceId !== undefined) options.instanceId = instanceId;
  return options;
}

function readInteger(
  env: NodeJS.ProcessEnv,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const raw = nonEmpty(env[name]);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new Error(`${name} must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function nonEmpty(value: string | undefined): string | undefined {
  const trimmed = value?.trim();
  return trimmed ? trimmed : undefined;
}

// The project's version, so a rolling update is visible in the JSON answer without extra config.
function packageVersion(): string {
  try {
    const file = new URL('../../../package.json', import.meta.url);
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    const version = (parsed as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
