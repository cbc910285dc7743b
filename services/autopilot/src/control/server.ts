// The control plane: HTTP over a unix socket (ContainerPilot's /v3 API), driving ControlActions.
// Unlike ContainerPilot, bad input gets the 400 its docs promise (its code answered 422 or 200),
// wrong methods get 405 and unknown paths 404, each with a JSON `{error}` body saying why.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { chmod, lstat, mkdir, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import path from 'node:path';
import type { Logger } from '../logging/logger.ts';
import { ControlInputError } from './errors.ts';
import { ROUTES, type Reply } from './routes.ts';
import type { ControlActions } from './types.ts';

/** Label for requests to unknown paths, so stray clients cannot blow up metric cardinality. */
export const UNKNOWN_PATH_LABEL = 'other';

export interface ControlServerOptions {
  socket: string;
  actions: ControlActions;
  logger: Logger;
  /** Called once per answered request (telemetry's containerpilot_control_http_requests). */
  onRequest?: (path: string, code: number) => void;
  /** Lets maintenance requests answer `{"updated": true|false}` as ContainerPilot's docs show. */
  inMaintenance?: () => boolean;
  /** Socket file mode; default 0600 (only autopilot's user may drive it). */
  mode?: number;
}

export interface ControlServer {
  readonly socket: string;
  /** Stops listening and removes the socket file. Requests in flight still get their answer. */
  close(): Promise<void>;
}

export async function startControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { socket, logger } = options;
  const log = logger.child({ component: 'control' });
  await mkdir(path.dirname(socket), { recursive: true });
  await removeStaleSocket(socket);

  const server = createServer((req, res) => {
    void answer(req, res);
  });

  async function answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const urlPath = new URL(req.url ?? '/', 'http://control').pathname;
    const route = ROUTES.get(urlPath);
    let reply: Reply;
    if (!route) {
      reply = { code: 404, body: { error: `no such endpoint: ${urlPath}` } };
    } else if (req.method !== route.method) {
      res.setHeader('Allow', route.method);
      reply = { code: 405, body: { error: `${urlPath} requires ${route.method}, not ${req.method}` } };
    } else {
      try {
        reply = await route.handle(req, { actions: options.actions, inMaintenance: options.inMaintenance });
      } catch (error) {
        if (error instanceof ControlInputError) {
          reply = { code: 400, body: { error: error.message } };
        } else {
          log.error({ err: error, path: urlPath }, 'control request failed');
          reply = { code: 500, body: { error: error instanceof Error ? error.message : String(error) } };
        }
      }
    }
    send(res, reply);
    log.debug({ method: req.method, path: urlPath, code: reply.code }, 'control request');
    options.onRequest?.(route ? urlPath : UNKNOWN_PATH_LABEL, reply.code);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(socket, () => {
      server.off('error', reject);
      resolve();
    });
  });
  await chmod(socket, options.mode ?? 0o600);
  log.info({ socket }, 'control: serving');

  let closed = false;
  return {
    socket,
    async close(): Promise<void> {
      if (closed) return;
      closed = true;
      // Not awaiting server.close's callback: it waits for in-flight requests, and a /v3/reload in
      // flight may itself be waiting for this close.
      server.close();
      server.closeIdleConnections();
      await rm(socket, { force: true });
      log.debug({ socket }, 'control: stopped serving');
    },
  };
}

function send(res: ServerResponse, reply: Reply): void {
  // The request may have been cut short (body too large): answer without reading the rest.
  res.setHeader('Connection', 'close');
  if (reply.body === undefined) {
    res.writeHead(reply.code, { 'Content-Length': 0 }).end();
  } else if (typeof reply.body === 'string') {
    res.writeHead(reply.code, { 'Content-Type': 'text/plain; charset=utf-8' }).end(reply.body);
  } else {
    res.writeHead(reply.code, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(reply.body)}\n`);
  }
}

/**
 * A socket file left by a process that died is removed; a socket something still answers on, or a
 * path that is not a socket at all, is an error rather than something to delete.
 */
async function removeStaleSocket(socket: string): Promise<void> {
  const stats = await lstat(socket).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (!stats) return;
  if (!stats.isSocket()) throw new Error(`control socket path ${socket} exists and is not a socket`);
  if (await socketAnswers(socket)) throw new Error(`control socket ${socket} is in use by a running process`);
  await rm(socket, { force: true });
}

function socketAnswers(socket: string): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = connect(socket);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
}
