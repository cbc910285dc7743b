// A typed facade over the npm `consul` client (2.x, CommonJS, `any` results). Everything autopilot asks
// of Consul goes through here, so the rest of the code sees plain typed values and one error type.
//
// The npm client covers blocking queries: passing a cancellable ctx with `includeResponse` returns the
// raw response, whose X-Consul-Index header we read, and emitting 'cancel' on the ctx aborts the request.
// Service registration is the one call that goes through the client's generic request method instead
// of `agent.service.register`, because that helper drops EnableTagOverride and cannot send
// `replace-existing-checks`. The token travels as a default header, so every call carries it, and it
// is never part of an error message or a log line.
import { EventEmitter } from 'node:events';
import { readdirSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import Consul from 'consul';
import type { ConsulConfig, Millis, TlsConfig } from '../config/types.ts';
import type { CheckStatus } from './types.ts';

/** Any Consul failure: HTTP status when the agent answered, absent when it could not be reached. */
export class ConsulError extends Error {
  readonly status: number | undefined;
  constructor(message: string, status?: number, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ConsulError';
    this.status = status;
  }
}

export interface ServiceDefinition {
  ID: string;
  Name: string;
  Address: string;
  Port: number;
  Tags: string[];
  Meta: Record<string, string>;
  EnableTagOverride: boolean;
  Check: {
    CheckID: string;
    Name: string;
    TTL: string;
    Status?: CheckStatus;
    Notes?: string;
    DeregisterCriticalServiceAfter?: string;
  };
}

export interface ServiceEntry {
  Node: { Node: string; Address: string };
  Service: {
    ID: string;
    Service: string;
    Address: string;
    Port: number;
    Tags: string[] | null;
    Meta: Record<string, string> | null;
  };
  Checks: Array<{ CheckID: string; Status: CheckStatus }>;
}

/** The agent's own view of a service: the catalog's fields plus its tag-override flag. */
export type AgentService = ServiceEntry['Service'] & { EnableTagOverride: boolean };

export interface BlockingOptions {
  /** X-Consul-Index of the previous answer; 0 (or absent) answers at once. */
  index?: bigint;
  wait?: Millis;
  signal?: AbortSignal;
}

export interface Blocking<T> {
  index: bigint;
  value: T;
}

export interface ConsulClient {
  /** host:port, for logs. */
  readonly address: string;
  registerService(definition: ServiceDefinition): Promise<void>;
  deregisterService(serviceId: string): Promise<void>;
  /** TTL check update; a ConsulError with status 404 means the agent does not know the check. */
  updateTtl(checkId: string, status: CheckStatus, note: string): Promise<void>;
  serviceMaintenance(serviceId: string, enable: boolean, reason: string): Promise<void>;
  agentService(serviceId: string): Promise<AgentService | undefined>;
  healthService(
    query: { service: string; passing: boolean; tag?: string; dc?: string },
    options?: BlockingOptions,
  ): Promise<Blocking<ServiceEntry[]>>;
  /** The decoded value of a key; undefined when the key does not exist. */
  kvGet(key: string, options?: BlockingOptions & { dc?: string }): Promise<Blocking<string | undefined>>;
  kvPut(key: string, value: string): Promise<void>;
  kvDelete(key: string): Promise<void>;
  close(): void;
}

const REQUEST_TIMEOUT: Millis = 10_000;
const DEFAULT_WAIT: Millis = 60_000;

/** What the npm client is used as; its own typings are loose. */
interface NpmConsul {
  agent: {
    service: Record<'deregister' | 'maintenance', (opts: object) => Promise<unknown>>;
    check: Record<'pass' | 'warn' | 'fail', (opts: object) => Promise<unknown>>;
  };
  health: { service(opts: object): Promise<unknown> };
  kv: Record<'get' | 'set' | 'del', (opts: object) => Promise<unknown>>;
  _get(req: object): Promise<unknown>;
  _put(req: object): Promise<unknown>;
  destroy(): void;
}

interface RawResponse {
  statusCode: number;
  headers: Record<string, string | string[] | undefined>;
  body?: unknown;
}

/** A papi request context: 'cancel' aborts the in-flight request, includeResponse exposes headers. */
class RequestContext extends EventEmitter {
  readonly includeResponse = true;
  canceled = false;
  constructor(signal: AbortSignal | undefined) {
    super();
    if (!signal) return;
    const cancel = () => {
      this.canceled = true;
      this.emit('cancel');
    };
    if (signal.aborted) this.canceled = true;
    else signal.addEventListener('abort', cancel, { once: true });
  }
}

const TTL_ACTION: Record<CheckStatus, 'pass' | 'warn' | 'fail'> = {
  passing: 'pass',
  warning: 'warn',
  critical: 'fail',
};

export function createConsulClient(config: ConsulConfig): ConsulClient {
  const secure = config.scheme === 'https';
  const agent = secure
    ? new https.Agent({ keepAlive: true, ...tlsOptions(config.tls) })
    : new http.Agent({ keepAlive: true });
  const npm = new (Consul as unknown as new (opts: object) => NpmConsul)({
    baseUrl: `${config.scheme}://${config.address}/v1`,
    agent,
    headers: config.token ? { 'x-consul-token': config.token } : {},
  });

  // Agent calls are idempotent, so one that died on a kept-alive socket the agent had just closed
  // (it restarted) is simply sent again, once.
  const call = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (error) {
      if (!isStaleSocket(error)) throw toConsulError(what, error);
      try {
        return await run();
      } catch (retryError) {
        throw toConsulError(what, retryError);
      }
    }
  };

  const blocking = async <T>(
    what: string,
    options: BlockingOptions | undefined,
    run: (opts: Record<string, unknown>) => Promise<unknown>,
    decode: (response: RawResponse, body: unknown) => T,
  ): Promise<Blocking<T>> => {
    const wait = options?.wait ?? DEFAULT_WAIT;
    const index = options?.index ?? 0n;
    const opts: Record<string, unknown> = {
      ctx: new RequestContext(options?.signal),
      // Consul adds up to wait/16 of jitter before answering.
      timeout: index > 0n ? wait + wait / 16 + REQUEST_TIMEOUT : REQUEST_TIMEOUT,
    };
    if (index > 0n) {
      opts.index = index.toString();
      opts.wait = `${Math.ceil(wait)}ms`;
    }
    const [response, body] = (await call(what, () => run(opts))) as [RawResponse, unknown];
    return { index: parseIndex(response.headers['x-consul-index']), value: decode(response, body) };
  };

  return {
    address: config.address,

    registerService: (definition) =>
      call(`register service ${definition.ID}`, async () => {
        await npm._put({
          name: 'agent.service.register',
          path: '/agent/service/register',
          query: { 'replace-existing-checks': 'true' },
          type: 'json',
          body: definition,
          timeout: REQUEST_TIMEOUT,
        });
      }),

    deregisterService: (serviceId) =>
      call(`deregister service ${serviceId}`, async () => {
        await npm.agent.service.deregister({ id: serviceId, timeout: REQUEST_TIMEOUT });
      }),

    updateTtl: (checkId, status, note) =>
      call(`${TTL_ACTION[status]} check ${checkId}`, async () => {
        await npm.agent.check[TTL_ACTION[status]]({ id: checkId, note, timeout: REQUEST_TIMEOUT });
      }),

    serviceMaintenance: (serviceId, enable, reason) =>
      call(`${enable ? 'enable' : 'disable'} maintenance of ${serviceId}`, async () => {
        await npm.agent.service.maintenance({ id: serviceId, enable, reason, timeout: REQUEST_TIMEOUT });
      }),

    agentService: async (serviceId) => {
      try {
        return (await npm
          ._get({
            name: 'agent.service',
            path: '/agent/service/{id}',
            params: { id: serviceId },
            timeout: REQUEST_TIMEOUT,
          })
          .then((res) => (res as RawResponse).body)) as AgentService;
      } catch (error) {
        const consulError = toConsulError(`read service ${serviceId}`, error);
        if (consulError.status === 404) return undefined;
        throw consulError;
      }
    },

    healthService: (query, options) =>
      blocking(
        `health of ${query.service}`,
        options,
        (opts) => npm.health.service({ ...opts, ...query }),
        (_response, body) => (Array.isArray(body) ? (body as ServiceEntry[]) : []),
      ),

    kvGet: (key, options) =>
      blocking(
        `read key ${key}`,
        options,
        (opts) => npm.kv.get({ ...opts, key, ...(options?.dc ? { dc: options.dc } : {}) }),
        (response, body) =>
          response.statusCode === 404
            ? undefined
            : (((body as { Value?: string | null } | undefined)?.Value ?? '') as string),
      ),

    kvPut: (key, value) =>
      call(`write key ${key}`, async () => {
        await npm.kv.set({ key, value, timeout: REQUEST_TIMEOUT });
      }),

    kvDelete: (key) =>
      call(`delete key ${key}`, async () => {
        await npm.kv.del({ key, timeout: REQUEST_TIMEOUT });
      }),

    close: () => npm.destroy(),
  };
}

const isStaleSocket = (error: unknown): boolean => {
  const e = error as { code?: string; response?: unknown; message?: string };
  return (
    e.response === undefined &&
    (e.code === 'ECONNRESET' || e.code === 'EPIPE' || /socket hang up/.test(e.message ?? ''))
  );
};

function parseIndex(header: string | string[] | undefined): bigint {
  const raw = Array.isArray(header) ? header[0] : header;
  if (!raw || !/^\d+$/.test(raw)) return 0n;
  return BigInt(raw);
}

function toConsulError(what: string, error: unknown): ConsulError {
  if (error instanceof ConsulError) return error;
  const e = error as { statusCode?: number; response?: RawResponse; message?: string; isAbort?: boolean };
  const status = e.response ? e.response.statusCode : undefined;
  const body = e.response?.body;
  const detail =
    typeof body === 'string' && body.trim() !== ''
      ? body.trim()
      : Buffer.isBuffer(body)
        ? body.toString('utf8').trim()
        : (e.message ?? String(error)).replace(/^consul: [\w.]+: /, '');
  return new ConsulError(
    `consul: ${what}: ${status !== undefined ? `HTTP ${status}: ` : ''}${detail}`,
    status,
    {
      cause: error,
    },
  );
}

/** TLS settings from the config (and the CONSUL_* environment it already merged in). */
function tlsOptions(tls: TlsConfig | undefined): https.AgentOptions {
  if (!tls) return {};
  const ca: Buffer[] = [];
  if (tls.caFile) ca.push(readFileSync(tls.caFile));
  if (tls.caPath) {
    for (const name of readdirSync(tls.caPath).sort()) {
      if (/\.(pem|crt|cer)$/i.test(name)) ca.push(readFileSync(path.join(tls.caPath, name)));
    }
  }
  return {
    ...(ca.length > 0 ? { ca } : {}),
    ...(tls.clientCert ? { cert: readFileSync(tls.clientCert) } : {}),
    ...(tls.clientKey ? { key: readFileSync(tls.clientKey) } : {}),
    ...(tls.serverName ? { servername: tls.serverName } : {}),
    rejectUnauthorized: tls.verify,
  };
}
