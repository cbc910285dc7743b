// The telemetry HTTP server: GET /metrics (Prometheus text format) and GET /status (JSON).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import type { Logger } from '../logging/logger.ts';

export interface TelemetryHttpHandlers {
  /** Prometheus text exposition format. */
  metrics: () => Promise<string>;
  status: () => unknown;
  logger: Logger;
}

export async function listenTelemetry(
  host: string,
  port: number,
  handlers: TelemetryHttpHandlers,
): Promise<Server> {
  const server = createServer((req, res) => {
    void answer(req, res, handlers);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return server;
}

export const boundPort = (server: Server): number => (server.address() as AddressInfo).port;

async function answer(
  req: IncomingMessage,
  res: ServerResponse,
  handlers: TelemetryHttpHandlers,
): Promise<void> {
  const urlPath = new URL(req.url ?? '/', 'http://telemetry').pathname;
  if (urlPath !== '/metrics' && urlPath !== '/status') {
    return json(res, 404, { error: `no such endpoint: ${urlPath} (try /metrics or /status)` });
  }
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return json(res, 405, { error: `${urlPath} requires GET, not ${req.method}` });
  }
  try {
    if (urlPath === '/status') return json(res, 200, handlers.status());
    const text = await handlers.metrics();
    res.writeHead(200, { 'Content-Type': Registry.PROMETHEUS_CONTENT_TYPE }).end(text);
  } catch (error) {
    handlers.logger.error({ err: error, path: urlPath }, 'telemetry: request failed');
    json(res, 500, { error: error instanceof Error ? error.message : String(error) });
  }
}

function json(res: ServerResponse, code: number, body: unknown): void {
  res.writeHead(code, { 'Content-Type': 'application/json' }).end(`${JSON.stringify(body)}\n`);
}
