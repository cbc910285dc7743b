// A plain-HTTP proxy in front of a real apiserver for integration tests: it adds the admin client
// credentials, counts list and watch requests, and can break the connection the way networks do —
// cut the open watches, or refuse every request for a while — so tests see how a client recovers.
import { createServer, request as httpRequest, type Server, type ServerResponse } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';

export class ApiServerProxy {
  lists = 0;
  watches = 0;
  /** resourceVersion query of every watch request, in order. */
  readonly watchResourceVersions: string[] = [];
  private blocked = false;
  private readonly openWatches = new Set<ServerResponse>();
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;

  private constructor(server: Server) {
    this.server = server;
  }

  /** Proxies to the current cluster of `upstream` with its credentials. */
  static async start(upstream: KubeConfig): Promise<ApiServerProxy> {
    const target = new URL(upstream.getCurrentCluster()!.server);
    const server = createServer(async (req, res) => {
      const proxy = self;
      const url = new URL(req.url ?? '/', target);
      const isWatch = url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1';
      if (req.method === 'GET' && isWatch) {
        proxy.watches++;
        proxy.watchResourceVersions.push(url.searchParams.get('resourceVersion') ?? '');
      } else if (req.method === 'GET') proxy.lists++;
      if (proxy.blocked) return void res.writeHead(503).end('blocked by test proxy');

      const options: RequestOptions = { method: req.method, headers: { ...req.headers, host: target.host } };
      await upstream.applyToHTTPSOptions(options);
      const send = target.protocol === 'http:' ? httpRequest : httpsRequest;
      const upstreamReq = send(url, options, (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        res.flushHeaders();
        if (isWatch) {
          proxy.openWatches.add(res);
          res.on('close', () => proxy.openWatches.delete(res));
        }
        upstreamRes.pipe(res);
      });
      upstreamReq.on('error', () => res.destroy());
      res.on('close', () => upstreamReq.destroy());
      req.pipe(upstreamReq);
    });
    server.on('connection', (socket) => {
      self.sockets.add(socket);
      socket.on('close', () => self.sockets.delete(socket));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const self = new ApiServerProxy(server);
    return self;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** A kubeconfig that reaches the apiserver through this proxy. */
  kubeConfig(): KubeConfig {
    const kc = new KubeConfig();
    kc.loadFromClusterAndUser({ name: 'proxy', server: this.url, skipTLSVerify: true }, { name: 'proxied' });
    return kc;
  }

  /** Breaks every open watch mid-stream, as a dropped connection would. */
  cutWatches(): number {
    const count = this.openWatches.size;
    for (const res of this.openWatches) res.socket?.destroy();
    return count;
  }

  /** While blocked, open watches are cut and every request is answered 503. */
  block(): void {
    this.blocked = true;
    this.cutWatches();
  }

  unblock(): void {
    this.blocked = false;
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
