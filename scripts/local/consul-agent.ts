// A real Consul agent: `consul agent -dev` on 127.0.0.1, every port free and chosen here (DNS, WAN
// gossip and gRPC off), its own temporary data dir and node name. Used by the local runner
// (`npm run local`) and, through test/support/consul.ts, by the integration tests.
// `restartEmpty()` replaces it by a fresh agent with an empty state on the same HTTP port: what a
// sidecar sees when its agent crashes and comes back.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ConsulConfig } from '../../services/autopilot/src/config/types.ts';

export interface ConsulAgentOptions {
  /** Enable ACLs (default policy deny) with this initial management token. */
  aclToken?: string;
  /** HTTP port to use instead of a free one (the local runner prefers Consul's usual 8500). */
  httpPort?: number;
  /** The consul binary; default $CONSUL_BIN. */
  binary?: string;
  /** Also serve the API over HTTPS on a free port, with a CA and server certificate made by `consul tls`. */
  https?: boolean;
}

interface Ports {
  http: number;
  https?: number;
  serfLan: number;
  server: number;
}

const READY_TIMEOUT = 60_000;
const LOG_LIMIT = 32 * 1024;

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

function consulBinary(explicit: string | undefined): string {
  const bin = explicit ?? process.env.CONSUL_BIN;
  if (!bin)
    throw new Error('CONSUL_BIN is not set: scripts/build-consul.sh prints the path of a consul binary');
  return bin;
}

export class ConsulAgent {
  readonly options: ConsulAgentOptions;
  readonly node: string;
  private ports: Ports;
  private child: ChildProcess | undefined;
  private dataDir: string | undefined;
  private log = '';

  private constructor(options: ConsulAgentOptions, ports: Ports) {
    this.options = options;
    this.ports = ports;
    this.node = `autopilot-${process.pid}-${ports.http}`;
  }

  static async start(options: ConsulAgentOptions = {}): Promise<ConsulAgent> {
    const agent = new ConsulAgent(options, {
      http: options.httpPort ?? (await freePort()),
      ...(options.https ? { https: await freePort() } : {}),
      serfLan: await freePort(),
      server: await freePort(),
    });
    await agent.launch();
    return agent;
  }

  get httpPort(): number {
    return this.ports.http;
  }

  /** host:port of the HTTP API. */
  get address(): string {
    return `127.0.0.1:${this.ports.http}`;
  }

  /** host:port of the HTTPS API (with `https: true`). */
  get httpsAddress(): string {
    if (!this.ports.https) throw new Error('this agent was started without https');
    return `127.0.0.1:${this.ports.https}`;
  }

  /** The CA that signed the agent's certificate (with `https: true`). */
  get caFile(): string {
    if (!this.dataDir) throw new Error('not running');
    return path.join(this.dataDir, 'tls', 'consul-agent-ca.pem');
  }

  /** What autopilot's config would hold for this agent; the ACL token unless told otherwise. */
  config(token: string | undefined = this.options.aclToken): ConsulConfig {
    return { address: this.address, scheme: 'http', ...(token ? { token } : {}) };
  }

  /** A plain HTTP call to the agent (with the management token), for assertions. */
  async api<T = unknown>(
    method: string,
    apiPath: string,
    body?: unknown,
  ): Promise<{ status: number; body: T }> {
    const response = await fetch(`http://${this.address}${apiPath}`, {
      method,
      headers: this.options.aclToken ? { 'X-Consul-Token': this.options.aclToken } : {},
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
      signal: AbortSignal.timeout(10_000),
    });
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: keep the text
    }
    return { status: response.status, body: parsed as T };
  }

  /** Kills the agent and starts a new one with an empty state, on the same HTTP port. */
  async restartEmpty(): Promise<void> {
    await this.stop();
    this.ports = { ...this.ports, serfLan: await freePort(), server: await freePort() };
    await this.launch();
  }

  /** SIGTERM, then SIGKILL if it lingers; removes its data dir. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      const done = await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]);
      if (!done) {
        child.kill('SIGKILL');
        await exited;
      }
    }
    if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    this.dataDir = undefined;
  }

  private async launch(): Promise<void> {
    this.dataDir = mkdtempSync(path.join(os.tmpdir(), 'autopilot-consul-'));
    this.log = '';
    const hcl = this.options.aclToken
      ? [
          `acl { enabled = true default_policy = "deny" tokens { initial_management = "${this.options.aclToken}" } }`,
        ]
      : [];
    if (this.ports.https) hcl.push(...this.makeCertificates(this.ports.https));
    const args = [
      'agent',
      '-dev',
      '-bind=127.0.0.1',
      '-client=127.0.0.1',
      `-node=${this.node}`,
      `-data-dir=${this.dataDir}`,
      `-http-port=${this.ports.http}`,
      `-serf-lan-port=${this.ports.serfLan}`,
      `-server-port=${this.ports.server}`,
      '-serf-wan-port=-1',
      '-dns-port=-1',
      '-grpc-port=-1',
      '-grpc-tls-port=-1',
      '-disable-host-node-id',
      '-log-level=warn',
      ...hcl.map((h) => `-hcl=${h}`),
    ];
    const child = spawn(consulBinary(this.options.binary), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    const keep = (chunk: Buffer) => {
      this.log = (this.log + chunk.toString()).slice(-LOG_LIMIT);
    };
    child.stdout!.on('data', keep);
    child.stderr!.on('data', keep);
    const exited = new Promise<never>((_resolve, reject) =>
      child.once('exit', (code, signal) =>
        reject(new Error(`consul exited early (${code ?? signal}):\n${this.log}`)),
      ),
    );
    exited.catch(() => undefined);
    try {
      await Promise.race([this.waitUntilReady(), exited]);
    } catch (error) {
      // An agent that never became ready must not outlive the failed start.
      await this.stop();
      throw error;
    }
  }

  /** A CA and a server certificate for 127.0.0.1, made by `consul tls` in the data dir. */
  private makeCertificates(httpsPort: number): string[] {
    const dir = path.join(this.dataDir!, 'tls');
    mkdirSync(dir);
    const consul = consulBinary(this.options.binary);
    execFileSync(consul, ['tls', 'ca', 'create'], { cwd: dir, stdio: 'ignore' });
    execFileSync(consul, ['tls', 'cert', 'create', '-server', '-additional-ipaddress=127.0.0.1'], {
      cwd: dir,
      stdio: 'ignore',
    });
    const file = (name: string) => path.join(dir, name);
    return [
      `ports { https = ${httpsPort} }`,
      `tls { defaults { ca_file = "${file('consul-agent-ca.pem')}" cert_file = "${file('dc1-server-consul-0.pem')}" key_file = "${file('dc1-server-consul-0-key.pem')}" verify_incoming = false } }`,
    ];
  }

  /** Ready = the API answers, a leader is elected, and our node is in the catalog (ACLs bootstrapped). */
  private async waitUntilReady(): Promise<void> {
    const deadline = Date.now() + READY_TIMEOUT;
    while (Date.now() < deadline) {
      try {
        const leader = await this.api<string>('GET', '/v1/status/leader');
        if (leader.status === 200 && leader.body) {
          const node = await this.api('GET', `/v1/catalog/node/${this.node}`);
          if (node.status === 200 && node.body) return;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`consul not ready after ${READY_TIMEOUT} ms:\n${this.log}`);
  }
}
