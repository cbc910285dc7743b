// One `jobs[]` entry → JobConfig, with ContainerPilot's rules (jobs/config.go) and our additions
// (stopSignal, drainDelay, meta, http/tcp health).
import { constants } from 'node:os';
import type { JobConfig, RestartPolicy, ServiceConfig } from '../types.ts';
import type { Path } from '../parse.ts';
import { describePath, type Checker, type Obj } from './checker.ts';
import { parseGoDuration } from './duration.ts';
import { validateHealth } from './health.ts';
import { validateInterfaces } from './interfaces.ts';
import { didYouMean } from './suggest.ts';
import { validateWhen } from './when.ts';

const KEYS = [
  'name', 'exec', 'port', 'interfaces', 'tags', 'consul', 'health', 'initial_status', 'when', 'timeout',
  'restarts', 'stopTimeout', 'logging', 'stopSignal', 'drainDelay', 'meta',
] as const; // prettier-ignore

/** Consul's service name rule, enforced by ContainerPilot for advertised jobs and watches. */
export const SERVICE_NAME = /^[a-z][a-zA-Z0-9-]+$/;
const META_KEY = /^[A-Za-z0-9_-]{1,128}$/;
const SIGNALS = Object.keys(constants.signals);
export const DEFAULT_STOP_TIMEOUT_MS = 5000;

export interface JobResult {
  /** Present when the whole job is valid. */
  job?: JobConfig;
  /** The name as written, for duplicate and `when.source` checks even when other fields fail. */
  name?: string;
}

const present = (v: unknown): boolean => v !== undefined && v !== null;

export function validateJob(ck: Checker, index: number, raw: unknown, hostname: string): JobResult {
  const path: Path = ['jobs', index];
  const before = ck.issues.length;
  const o = ck.object(path, raw, KEYS);
  if (!o) return {};
  const name = present(o.name)
    ? ck.string([...path, 'name'], o.name)
    : ck.fail(path, 'job-name', `${describePath(path)} needs a "name"`);

  const port = present(o.port)
    ? ck.integer([...path, 'port'], o.port, { min: 0, max: 65535, rule: 'port' })
    : 0;
  const hasPort = port !== undefined && port > 0;
  if (hasPort && name !== undefined && !SERVICE_NAME.test(name)) {
    ck.fail(
      [...path, 'name'],
      'service-name',
      `job name "${name}" is advertised to Consul (it has a port), so it must match ${SERVICE_NAME.source}`,
    );
  }
  const exec = present(o.exec) ? ck.argv([...path, 'exec'], o.exec) : undefined;
  if (!present(o.exec) && !present(o.port))
    ck.fail(
      path,
      'job-empty',
      `${describePath(path)} needs "exec" (a process to run) or "port" (a service to register)`,
    );

  const health = present(o.health) ? validateHealth(ck, [...path, 'health'], o.health, hasPort) : undefined;
  if (hasPort && !present(o.health))
    ck.fail(
      path,
      'health-required',
      `job "${name ?? index}" has a port, so it needs "health" (its check decides its Consul status)`,
    );

  const when = validateWhen(ck, [...path, 'when'], o.when);
  const timeout = present(o.timeout)
    ? ck.duration([...path, 'timeout'], o.timeout, { min: 1, rule: 'job-timeout' })
    : when?.kind === 'interval'
      ? when.interval
      : undefined;
  const restarts = restartPolicy(ck, [...path, 'restarts'], o.restarts, when);
  const stopTimeout = present(o.stopTimeout)
    ? ck.duration([...path, 'stopTimeout'], o.stopTimeout, { rule: 'stop-timeout' })
    : DEFAULT_STOP_TIMEOUT_MS;
  const drainDelay = present(o.drainDelay)
    ? ck.duration([...path, 'drainDelay'], o.drainDelay, { rule: 'drain-delay' })
    : 0;
  const stopSignal = present(o.stopSignal)
    ? signalName(ck, [...path, 'stopSignal'], o.stopSignal)
    : 'SIGTERM';
  const raw_ = present(o.logging) ? rawLogging(ck, [...path, 'logging'], o.logging) : false;
  const service =
    hasPort && name !== undefined ? serviceConfig(ck, path, o, name, port!, hostname) : undefined;
  if (!hasPort) {
    const stray = (['initial_status'] as const).find((k) => present(o[k]));
    if (stray)
      ck.fail(
        [...path, stray],
        'service-field',
        `${describePath(path)}.${stray} needs a "port": only advertised jobs have a Consul status`,
        'key',
      );
  }

  if (ck.issues.length > before || name === undefined || when === undefined || restarts === undefined)
    return { name };
  const job: JobConfig = {
    name,
    ...(exec ? { exec } : {}),
    ...(service ? { service } : {}),
    ...(health ? { health } : {}),
    when,
    ...(timeout !== undefined ? { timeout } : {}),
    restarts,
    stopTimeout: stopTimeout!,
    stopSignal: stopSignal!,
    drainDelay: drainDelay!,
    logging: { raw: raw_ ?? false },
  };
  return { job, name };
}

function restartPolicy(
  ck: Checker,
  path: Path,
  raw: unknown,
  when: JobConfig['when'] | undefined,
): RestartPolicy | undefined {
  if (!present(raw)) return when?.kind === 'interval' ? { kind: 'unlimited' } : { kind: 'never' };
  if (raw === 'never') return { kind: 'never' };
  if (raw === 'unlimited') {
    if (when?.kind === 'each') {
      return ck.fail(
        path,
        'restarts-unlimited-each',
        `${describePath(path)} "unlimited" may not be used with when.each: every event would add a process that restarts forever`,
      );
    }
    return { kind: 'unlimited' };
  }
  const count =
    typeof raw === 'number' || (typeof raw === 'string' && /^\s*\d+\s*$/.test(raw)) ? Number(raw) : NaN;
  if (!Number.isInteger(count) || count < 0) {
    return ck.fail(
      path,
      'restarts',
      `${describePath(path)} accepts a whole number >= 0, "unlimited" or "never", got ${JSON.stringify(raw)}`,
    );
  }
  return { kind: 'count', count };
}

function signalName(ck: Checker, path: Path, raw: unknown): NodeJS.Signals | undefined {
  const text = ck.string(path, raw);
  if (text === undefined) return undefined;
  const upper = text.trim().toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (SIGNALS.includes(name)) return name as NodeJS.Signals;
  return ck.fail(
    path,
    'stop-signal',
    `${describePath(path)} "${text}" is not a signal name${didYouMean(name, SIGNALS)}`,
  );
}

function rawLogging(ck: Checker, path: Path, raw: unknown): boolean | undefined {
  const o = ck.object(path, raw, ['raw']);
  return o && present(o.raw) ? ck.boolean([...path, 'raw'], o.raw) : false;
}

function serviceConfig(
  ck: Checker,
  path: Path,
  o: Obj,
  name: string,
  port: number,
  hostname: string,
): ServiceConfig | undefined {
  const interfaces = validateInterfaces(ck, [...path, 'interfaces'], o.interfaces);
  const tags = present(o.tags) ? ck.stringList([...path, 'tags'], o.tags) : [];
  const initialStatus = present(o.initial_status)
    ? ck.oneOf(
        [...path, 'initial_status'],
        o.initial_status,
        ['passing', 'warning', 'critical'],
        'initial-status',
      )
    : undefined;
  const meta = present(o.meta) ? metaMap(ck, [...path, 'meta'], o.meta) : {};
  let enableTagOverride = false;
  let deregister: string | undefined;
  if (present(o.consul)) {
    const extras = ck.object([...path, 'consul'], o.consul, [
      'enableTagOverride',
      'deregisterCriticalServiceAfter',
    ]);
    if (extras && present(extras.enableTagOverride))
      enableTagOverride =
        ck.boolean([...path, 'consul', 'enableTagOverride'], extras.enableTagOverride) ?? false;
    if (extras && present(extras.deregisterCriticalServiceAfter)) {
      const at = [...path, 'consul', 'deregisterCriticalServiceAfter'];
      deregister = ck.string(at, extras.deregisterCriticalServiceAfter);
      try {
        if (deregister !== undefined) parseGoDuration(deregister);
      } catch (err) {
        deregister = ck.fail(at, 'duration', `${describePath(at)}: ${(err as Error).message}`);
      }
    }
  }
  if (!hostname)
    return ck.fail(
      path,
      'hostname',
      `job "${name}" has a port but the hostname is empty, so no service ID can be made`,
    );
  if (!interfaces || !tags || !meta) return undefined;
  return {
    id: `${name}-${hostname}`,
    name,
    port,
    interfaces,
    tags,
    meta,
    ...(initialStatus ? { initialStatus } : {}),
    enableTagOverride,
    ...(deregister ? { deregisterCriticalServiceAfter: deregister } : {}),
  };
}

function metaMap(ck: Checker, path: Path, raw: unknown): Record<string, string> | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    return ck.fail(path, 'type', `${describePath(path)} must be an object of strings`);
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (!META_KEY.test(key) || key.startsWith('consul-')) {
      ck.fail(
        [...path, key],
        'meta-key',
        `${describePath(path)} key "${key}" must be 1-128 letters, digits, _ or - and not start with "consul-"`,
        'key',
      );
    }
    const s = ck.string([...path, key], value, { nonEmpty: false });
    if (s !== undefined) out[key] = s;
  }
  return out;
}
