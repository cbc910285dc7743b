// A scripted stand-in for kube-apiserver in unit tests: plain HTTP on loopback, every request recorded,
// answers from a handler the test supplies. Integration tests use the real apiserver (envtest).
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export type FakeHandler = (req: FakeRequest, res: ServerResponse) => void | Promise<void>;

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
}

export function sendStatus(res: ServerResponse, code: number, reason: string, message = reason): void {
  sendJson(res, code, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message });
}

/** Starts a watch response; events are written as JSON lines until end() or the client goes away. */
export function openWatch(res: ServerResponse) {
  res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
  res.flushHeaders();
  return {
    send(type: string, object: unknown): void {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
    },
    end(): void {
      res.end();
    },
    get closed(): boolean {
      return res.writableEnded || res.destroyed;
    },
  };
}

export class FakeApiServer {
  readonly requests: FakeRequest[] = [];
  private handler: FakeHandler;
  private readonly server: Server;

  private constructor(server: Server, handler: FakeHandler) {
    this.server = server;
    this.handler = handler;
  }

  static async start(
    handler: FakeHandler = (_req, res) => sendStatus(res, 404, 'NotFound'),
  ): Promise<FakeApiServer> {
    const server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (chunk: string) => (text += chunk));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://fake');
        let body: unknown = text;
        try {
          body = text ? JSON.parse(text) : undefined;
        } catch {
          // not JSON: keep the text
        }
        const request = {
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body,
        };
        self.requests.push(request);
        Promise.resolve(self.handler(request, res)).catch((error: unknown) =>
          sendStatus(res, 500, 'InternalError', String(error)),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new FakeApiServer(server, handler);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  setHandler(handler: FakeHandler): void {
    this.handler = handler;
  }

  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser(
      { name: 'fake', server: this.url, skipTLSVerify: true },
      { name: 'tester', token: 'secret-token' },
    );
    return kc;
  }

  /** Requests matching `predicate` so far. */
  count(predicate: (req: FakeRequest) => boolean): number {
    return this.requests.filter(predicate).length;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
