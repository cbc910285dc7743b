// Raw requests to the apiserver with the credentials of a KubeConfig. The runtime talks HTTP itself
// rather than through @kubernetes/client-node's Watch and generated clients: their watch gives no
// control over the inactivity timeout or the error body (a 410's reason), and patches need a
// content type set per call (else 415). applyToHTTPSOptions supplies the TLS material, auth
// headers (refreshed per request, e.g. exec or service-account tokens) and a cached agent.
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export type Query = Record<string, string | number | boolean | undefined>;

export interface KubeRequest {
  method?: string;
  /** Path below the server URL, e.g. /api/v1/namespaces/default/configmaps. */
  path: string;
  query?: Query;
  /** Sent as JSON unless a string. */
  body?: unknown;
  contentType?: string;
  signal?: AbortSignal;
  /** Gives up when the server stays silent this long (not for watches). */
  timeoutMs?: number;
}

/** A non-2xx answer, with the apiserver's Status fields when it sent one. */
export class KubeApiError extends Error {
  readonly status: number;
  readonly reason: string | undefined;
  readonly body: unknown;

  constructor(status: number, body: unknown, what: string) {
    const statusObject = (typeof body === 'object' && body !== null ? body : {}) as {
      message?: string;
      reason?: string;
    };
    super(`${what}: HTTP ${status}${statusObject.message ? `: ${statusObject.message}` : ''}`);
    this.name = 'KubeApiError';
    this.status = status;
    this.reason = statusObject.reason;
    this.body = body;
  }
}

export const isNotFound = (error: unknown): boolean => error instanceof KubeApiError && error.status === 404;
export const isConflict = (error: unknown): boolean => error instanceof KubeApiError && error.status === 409;
/** 410 Gone / reason Expired: a resourceVersion too old to resume from; relist. */
export const isExpired = (error: unknown): boolean =>
  error instanceof KubeApiError &&
  (error.status === 410 || error.reason === 'Expired' || error.reason === 'Gone');

const DEFAULT_TIMEOUT_MS = 30_000;

async function open(kc: KubeConfig, request: KubeRequest): Promise<IncomingMessage> {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(cluster.server.replace(/\/+$/, '') + request.path);
  for (const [name, value] of Object.entries(request.query ?? {})) {
    if (value !== undefined) url.searchParams.set(name, String(value));
  }
  const options: https.RequestOptions = { method: request.method ?? 'GET', headers: {} };
  await kc.applyToHTTPSOptions(options);
  const payload =
    request.body === undefined
      ? undefined
      : typeof request.body === 'string'
        ? request.body
        : JSON.stringify(request.body);
  options.headers = {
    ...options.headers,
    Accept: 'application/json',
    ...(payload !== undefined && { 'Content-Type': request.contentType ?? 'application/json' }),
  };
  const client = url.protocol === 'http:' ? http : https;
  return new Promise((resolve, reject) => {
    const req = client.request(url, { ...options, signal: request.signal }, resolve);
    req.on('error', reject);
    // Half-open connections (a vanished apiserver or NAT entry) surface through TCP keepalive.
    req.on('socket', (socket) => socket.setKeepAlive(true, 30_000));
    if (request.timeoutMs !== 0) {
      const ms = request.timeoutMs ?? DEFAULT_TIMEOUT_MS;
      req.setTimeout(ms, () => req.destroy(new Error(`${describe(request)}: no answer within ${ms} ms`)));
    }
    req.end(payload);
  });
}

function describe(request: KubeRequest): string {
  return `${request.method ?? 'GET'} ${request.path}`;
}

async function readBody(res: IncomingMessage): Promise<unknown> {
  let text = '';
  res.setEncoding('utf8');
  for await (const chunk of res) text += chunk;
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}

/** Sends one request and returns its JSON answer; throws KubeApiError on a non-2xx status. */
export async function kubeRequest<T = unknown>(kc: KubeConfig, request: KubeRequest): Promise<T> {
  const res = await open(kc, request);
  const body = await readBody(res);
  const status = res.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new KubeApiError(status, body, describe(request));
  return body as T;
}

/**
 * Opens a streaming GET (a watch) and hands each line to `onLine` until the server ends the stream
 * (resolves) or it breaks or `signal` aborts (rejects). A non-200 answer rejects with KubeApiError.
 */
export async function kubeStream(
  kc: KubeConfig,
  request: Omit<KubeRequest, 'method' | 'body' | 'timeoutMs'>,
  onLine: (line: string) => void,
): Promise<void> {
  const res = await open(kc, { ...request, timeoutMs: 0 });
  const status = res.statusCode ?? 0;
  if (status !== 200) throw new KubeApiError(status, await readBody(res), describe(request));
  res.setEncoding('utf8');
  let buffered = '';
  await new Promise<void>((resolve, reject) => {
    let ended = false;
    res.on('data', (chunk: string) => {
      buffered += chunk;
      let newline: number;
      try {
        while ((newline = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, newline).trim();
          buffered = buffered.slice(newline + 1);
          if (line) onLine(line);
        }
      } catch (error) {
        res.destroy(error as Error);
      }
    });
    res.on('end', () => {
      ended = true;
      // A throw here would escape the listener as an uncaught exception and leave this promise
      // pending: a last line cut off mid-JSON must reject like any other bad line.
      try {
        if (buffered.trim()) onLine(buffered.trim());
        resolve();
      } catch (error) {
        reject(error as Error);
      }
    });
    res.on('error', reject);
    res.on('close', () => {
      if (!ended) reject(request.signal?.reason ?? new Error(`${describe(request)}: stream broke off`));
    });
  });
}
