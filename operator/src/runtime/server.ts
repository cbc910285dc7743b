// Probes and metrics on one port, as controller-runtime's manager serves them: /healthz answers while
// the process can serve HTTP at all (liveness), /readyz only when every readiness check passes
// (e.g. informers synced), /metrics is the Prometheus text of the given Registry. Like kube's own
// health endpoints, ?verbose lists each check as [+] or [-].
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';

/** A named check; it passes when it returns true (or resolves to true) and fails otherwise. */
export type Check = () => boolean | Promise<boolean>;

export interface ProbeServerOptions {
  registry: Registry;
  logger: Logger;
}

export class ProbeServer {
  private readonly registry: Registry;
  private readonly logger: Logger;
  private readonly readyChecks = new Map<string, Check>();
  private readonly healthChecks = new Map<string, Check>();
  private server: Server | undefined;

  constructor(options: ProbeServerOptions) {
    this.registry = options.registry;
    this.logger = options.logger;
  }

  addReadyCheck(name: string, check: Check): this {
    this.readyChecks.set(name, check);
    return this;
  }

  addHealthCheck(name: string, check: Check): this {
    this.healthChecks.set(name, check);
    return this;
  }

  /** Listens on `port` (default 8080; 0 = any free port) and resolves to the bound port. */
  async listen(port = 8080, host = '0.0.0.0'): Promise<number> {
    const server = createServer((req, res) => void this.answer(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const bound = (server.address() as AddressInfo).port;
    this.logger.info({ port: bound }, 'serving /healthz, /readyz and /metrics');
    return bound;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  private async answer(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://probe');
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
      } else if (url.pathname === '/healthz' || url.pathname === '/livez') {
        await this.probe(res, this.healthChecks, url.searchParams.has('verbose'));
      } else if (url.pathname === '/readyz') {
        await this.probe(res, this.readyChecks, url.searchParams.has('verbose'));
      } else if (url.pathname === '/metrics') {
        const text = await this.registry.metrics();
        res.writeHead(200, { 'Content-Type': this.registry.contentType }).end(text);
      } else {
        res
          .writeHead(404, { 'Content-Type': 'text/plain' })
          .end('not found: try /healthz, /readyz or /metrics\n');
      }
    } catch (error) {
      this.logger.error({ err: error, path: url.pathname }, 'probe server request failed');
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end('internal error\n');
    }
  }

  private async probe(res: ServerResponse, checks: Map<string, Check>, verbose: boolean): Promise<void> {
    const results = await Promise.all(
      [...checks].map(async ([name, check]) => {
        try {
          return { name, ok: (await check()) === true };
        } catch {
          return { name, ok: false };
        }
      }),
    );
    const failed = results.filter((r) => !r.ok);
    const status = failed.length === 0 ? 200 : 503;
    const lines = results.map((r) => `[${r.ok ? '+' : '-'}]${r.name} ${r.ok ? 'ok' : 'failed'}`);
    const summary = status === 200 ? 'ok' : `${failed.length} check(s) failed`;
    const body = verbose || status !== 200 ? [...lines, summary].join('\n') : summary;
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`${body}\n`);
  }
}
