// The demo without Kubernetes: a Consul dev agent, nginx, and hello/world instances, every piece
// under autopilot, on loopback. `scale` starts or stops instances; stop() takes everything down
// gracefully so every instance deregisters and no process is left behind.
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConsulAgent, freePort } from './consul-agent.ts';
import { Instance, type ExitInfo } from './instance.ts';

export const SCALABLE_SERVICES = ['hello', 'world'] as const;
export type ScalableService = (typeof SCALABLE_SERVICES)[number];

export interface LocalAppOptions {
  root: string;
  stateDir: string;
  consulBinary: string;
  /** nginx's port: where the page is served. */
  port: number;
  /** Consul's HTTP port; default 8500 when free, else any free port. */
  consulPort?: number;
  /** Replace a service's autopilot config (e.g. to try a broken one). */
  configs?: Partial<Record<ScalableService | 'nginx', string>>;
  initial?: Partial<Record<ScalableService, number>>;
  /** Extra environment for every autopilot (e.g. AUTOPILOT_LOG_LEVEL). */
  env?: NodeJS.ProcessEnv;
  /** Told when an instance ends by itself (a crash, a bad config): the others run on. */
  onUnexpectedExit?: (instance: Instance, exit: ExitInfo) => void;
}

export interface ServiceStatus {
  service: string;
  instances: Array<{ id: string; port: number; pid: number | undefined; running: boolean; exit?: string }>;
}

export class LocalApp {
  readonly options: LocalAppOptions;
  private consul: ConsulAgent | undefined;
  private nginx: Instance | undefined;
  private readonly instances = new Map<ScalableService, Instance[]>(SCALABLE_SERVICES.map((s) => [s, []]));
  private nextOrdinal = new Map<ScalableService, number>(SCALABLE_SERVICES.map((s) => [s, 1]));
  private scaling: Promise<unknown> = Promise.resolve();

  constructor(options: LocalAppOptions) {
    this.options = options;
  }

  get url(): string {
    return `http://127.0.0.1:${this.options.port}/`;
  }

  get consulAddress(): string {
    if (!this.consul) throw new Error('not started');
    return this.consul.address;
  }

  get consulAgent(): ConsulAgent {
    if (!this.consul) throw new Error('not started');
    return this.consul;
  }

  async start(): Promise<void> {
    const { stateDir } = this.options;
    mkdirSync(path.join(stateDir, 'logs'), { recursive: true });
    mkdirSync(path.join(stateDir, 'sockets'), { recursive: true });
    const consulPort = this.options.consulPort ?? ((await isFree(8500)) ? 8500 : undefined);
    this.consul = await ConsulAgent.start({
      binary: this.options.consulBinary,
      ...(consulPort ? { httpPort: consulPort } : {}),
    });
    const nginxRunDir = path.join(stateDir, 'nginx');
    mkdirSync(nginxRunDir, { recursive: true });
    this.nginx = this.instance('nginx', 1, this.options.port, {
      NGINX_PORT: String(this.options.port),
      NGINX_RUN_DIR: nginxRunDir,
      NGINX_SITE_DIR: path.join(this.options.root, 'services/nginx/site'),
      NGINX_HOST: '127.0.0.1',
    });
    this.nginx.start(this.options.onUnexpectedExit);
    await this.scale({ hello: this.options.initial?.hello ?? 1, world: this.options.initial?.world ?? 1 });
    await this.waitForPage();
  }

  /** Starts or stops instances until each named service has the wanted count. */
  scale(wanted: Partial<Record<ScalableService, number>>): Promise<void> {
    const run = this.scaling.then(() =>
      Promise.all(
        Object.entries(wanted).map(([service, count]) => this.scaleOne(service as ScalableService, count)),
      ),
    );
    this.scaling = run.catch(() => undefined);
    return run.then(() => undefined);
  }

  status(): ServiceStatus[] {
    return SCALABLE_SERVICES.map((service) => ({
      service,
      instances: this.instances.get(service)!.map((i) => ({
        id: i.id,
        port: i.spec.port,
        pid: i.pid,
        running: i.running,
        ...(i.exit ? { exit: `${i.exit.code ?? i.exit.signal}` } : {}),
      })),
    }));
  }

  running(service: ScalableService): Instance[] {
    return this.instances.get(service)!.filter((i) => i.running);
  }

  /** Everything down, instances first (they deregister), then nginx, then Consul. */
  async stop(): Promise<void> {
    await this.scaling;
    await Promise.all(SCALABLE_SERVICES.map((s) => this.scaleOne(s, 0)));
    await this.nginx?.stop();
    await this.consul?.stop();
  }

  private async scaleOne(service: ScalableService, count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0 || count > 50) {
      throw new Error(`${service}: replicas must be an integer between 0 and 50, got ${count}`);
    }
    const list = this.instances.get(service)!.filter((i) => i.running);
    this.instances.set(service, list);
    while (list.length < count) {
      const ordinal = this.nextOrdinal.get(service)!;
      this.nextOrdinal.set(service, ordinal + 1);
      const instance = this.instance(service, ordinal, await freePort(), {});
      instance.start(this.options.onUnexpectedExit);
      list.push(instance);
    }
    const surplus = list.splice(count);
    await Promise.all(surplus.map((i) => i.stop()));
  }

  private instance(service: string, ordinal: number, port: number, extra: NodeJS.ProcessEnv): Instance {
    const { root, stateDir } = this.options;
    const id = `${service}-local-${ordinal}`;
    const configPath =
      this.options.configs?.[service as ScalableService | 'nginx'] ??
      path.join(root, `services/${service}/containerpilot.json5`);
    return new Instance({
      service,
      ordinal,
      port,
      configPath,
      root,
      logDir: path.join(stateDir, 'logs'),
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        ...this.options.env,
        CONSUL: this.consulAddress,
        POD_IP: '127.0.0.1',
        PORT: String(port),
        APP_ROOT: root,
        NODE_BIN: path.join(root, 'node_modules/.bin/node'),
        INSTANCE_ID: id,
        // Service ID is name-hostname: a per-instance hostname keeps IDs apart on one machine.
        AUTOPILOT_HOSTNAME: `local-${ordinal}`,
        CONTAINERPILOT_SOCKET: path.join(stateDir, 'sockets', `${id}.sock`),
        AUTOPILOT_LOG_FORMAT: 'json',
        ...extra,
      },
    });
  }

  private async waitForPage(): Promise<void> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      if (this.nginx && !this.nginx.running) {
        throw new Error(`nginx's autopilot exited (${this.nginx.exit?.code}):\n${this.nginx.lastError}`);
      }
      try {
        const response = await fetch(this.url, { signal: AbortSignal.timeout(1000) });
        if (response.ok) return;
      } catch {
        // not up yet
      }
      await sleep(200);
    }
    throw new Error(`the page did not come up at ${this.url}; logs in ${this.options.stateDir}/logs`);
  }
}

async function isFree(port: number): Promise<boolean> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const server = net.createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}
