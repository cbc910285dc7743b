// The throughput baseline: the same nginx binary with the demo front end's relevant settings (one
// worker, no client keep-alive, a JSON access log line per request, keep-alive to the upstream),
// answering a fixed "Hello" itself (/static) or from a static upstream: a second nginx whose only
// job is `return 200` (/proxied), i.e. the demo's topology with the Node service taken out.
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { freePort } from '../../scripts/local/consul-agent.ts';
import { findNginx } from '../../services/nginx/testing/nginx-harness.ts';

export interface StaticNginx {
  /** nginx answers itself. */
  staticUrl: string;
  /** nginx proxies to an upstream that answers a fixed body. */
  proxiedUrl: string;
  stop(): Promise<void>;
}

function conf(dir: string, name: string, body: string): string {
  const run = path.join(dir, name);
  return `daemon off;
worker_processes 1;
pid ${run}.pid;
error_log stderr warn;
events { worker_connections 1024; }
http {
  client_body_temp_path ${run}-client_body;
  proxy_temp_path ${run}-proxy;
  fastcgi_temp_path ${run}-fastcgi;
  uwsgi_temp_path ${run}-uwsgi;
  scgi_temp_path ${run}-scgi;
  ${body}
}
`;
}

export async function startStaticNginx(): Promise<StaticNginx> {
  const nginx = findNginx();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-static-nginx-'));
  chmodSync(dir, 0o755);
  const [frontPort, upstreamPort] = [await freePort(), await freePort()];
  const upstreamConf = path.join(dir, 'upstream.conf');
  writeFileSync(
    upstreamConf,
    conf(
      dir,
      'upstream',
      `access_log off;
  keepalive_timeout 65;
  server {
    listen 127.0.0.1:${upstreamPort};
    location / { default_type text/plain; return 200 "Hello"; }
  }`,
    ),
  );
  const frontConf = path.join(dir, 'front.conf');
  writeFileSync(
    frontConf,
    conf(
      dir,
      'front',
      `log_format json escape=json '{"time":"$time_iso8601","uri":"$request_uri","status":$status,'
    '"seconds":$request_time,"upstream":"$upstream_addr"}';
  access_log ${path.join(dir, 'access.log')} json;
  keepalive_timeout 0;
  upstream static_upstream { server 127.0.0.1:${upstreamPort}; keepalive 16; }
  server {
    listen 127.0.0.1:${frontPort};
    location = /static { default_type text/plain; return 200 "Hello"; }
    location = /proxied {
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_pass http://static_upstream/;
    }
  }`,
    ),
  );
  const children: ChildProcess[] = [upstreamConf, frontConf].map((file) =>
    spawn(nginx, ['-e', 'stderr', '-c', file], { stdio: ['ignore', 'ignore', 'inherit'] }),
  );
  const stop = async () => {
    await Promise.all(
      children.map(async (child) => {
        if (child.exitCode !== null || child.signalCode !== null) return;
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGQUIT');
        await exited;
      }),
    );
    rmSync(dir, { recursive: true, force: true });
  };
  const base = `http://127.0.0.1:${frontPort}`;
  const deadline = Date.now() + 10_000;
  for (;;) {
    try {
      if ((await fetch(`${base}/proxied`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error('the baseline nginx did not come up');
    }
    await sleep(100);
  }
  return { staticUrl: `${base}/static`, proxiedUrl: `${base}/proxied`, stop };
}
