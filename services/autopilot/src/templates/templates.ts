// All of a configuration's templates, and the Consul data they read. Templates subscribe to what they
// use, as consul-template does: a service or key named in a template gets its own blocking watch
// on first use. Those watches publish on a private bus, so the jobs only see the `watch.<name>`
// events of the watches the config declares, never duplicates.
import type { TemplateConfig } from '../config/types.ts';
import type { ConsulClient } from '../discovery/consul-client.ts';
import { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import { InstanceCatalog } from '../watches/catalog.ts';
import { KeyWatch } from '../watches/key-watch.ts';
import { ServiceWatch } from '../watches/service-watch.ts';
import { TemplateRenderer } from './renderer.ts';

export interface TemplatesOptions {
  bus: EventBus;
  logger: Logger;
  client: ConsulClient;
  /** Read at each render and each onChange run, so values set with putEnv apply. */
  env: () => NodeJS.ProcessEnv;
  /** How long the first render waits for Consul's first answer before rendering what it has. */
  firstAnswerTimeout?: number;
}

/** Retry base after a Consul error; the watches themselves block, they do not poll. */
const RETRY_INTERVAL = 1_000;
const BLOCKING_WAIT = 60_000;

export class Templates {
  private readonly options: TemplatesOptions;
  private readonly catalog = new InstanceCatalog();
  private readonly privateBus = new EventBus();
  private readonly renderers: TemplateRenderer[];
  /** The watches templates asked for, by catalog name (`key:<key>` for keys). */
  private readonly started = new Map<string, ServiceWatch | KeyWatch>();
  private unsubscribe: (() => void) | undefined;

  constructor(configs: TemplateConfig[], options: TemplatesOptions) {
    this.options = options;
    const data = {
      instances: (service: string) => (this.catalog.has(service) ? this.catalog.get(service) : undefined),
      keyValue: (key: string) => this.catalog.keyValue(`key:${key}`),
    };
    this.renderers = configs.map(
      (config) =>
        new TemplateRenderer(config, {
          bus: options.bus,
          logger: options.logger,
          data,
          env: options.env,
          watchService: (service) =>
            this.watch(service, () => new ServiceWatch(this.watchConfig(service), this.watchDeps())),
          watchKey: (key) =>
            this.watch(
              `key:${key}`,
              () => new KeyWatch({ ...this.watchConfig(`key:${key}`), kind: 'key', key }, this.watchDeps()),
            ),
        }),
    );
  }

  async start(): Promise<void> {
    this.unsubscribe = this.catalog.subscribe((change) => {
      const kind = change.kind;
      const name = kind === 'key' ? change.name.slice('key:'.length) : change.name;
      for (const renderer of this.renderers) if (renderer.dependsOn(kind, name)) renderer.invalidate();
    });
    await Promise.all(this.renderers.map((renderer) => renderer.start()));
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await Promise.all(this.renderers.map((renderer) => renderer.stop()));
    await this.catalog.stop();
  }

  private watchConfig(name: string) {
    return { name, kind: 'service' as const, interval: RETRY_INTERVAL, wait: BLOCKING_WAIT };
  }

  private watchDeps() {
    return { client: this.options.client, bus: this.privateBus, logger: this.options.logger };
  }

  /**
   * Starts a watch unless one exists, then waits (bounded) for its first answer. Called on every
   * render: once the watch has answered, this costs a map lookup.
   */
  private async watch(name: string, create: () => ServiceWatch | KeyWatch): Promise<void> {
    let existing = this.started.get(name);
    if (!existing) {
      existing = create();
      this.started.set(name, existing);
      this.catalog.add(existing);
      existing.start();
    }
    if (existing.ready) return;
    const timeout = this.options.firstAnswerTimeout ?? 10_000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>(
      (resolve) => (timer = setTimeout(() => resolve('timeout'), timeout)),
    );
    const outcome = await Promise.race([existing.firstAnswer.then(() => 'answered' as const), timedOut]);
    clearTimeout(timer);
    if (outcome === 'timeout') {
      this.options.logger.warn(
        { watch: name, timeoutMs: timeout },
        'no answer from Consul yet; rendering without it',
      );
    }
  }
}
