// A watch on one Consul KV key (ContainerPilot #506, requested and never built). Publishes `changed`
// from source `watch.<name>` when the decoded value changes, including the key appearing or being
// deleted; a key absent at the first answer publishes nothing, like an empty service watch.
import type { WatchConfig } from '../config/types.ts';
import type { ConsulClient } from '../discovery/consul-client.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import { BlockingLoop } from './blocking-loop.ts';

export interface KeyWatchDeps {
  client: ConsulClient;
  bus: EventBus;
  logger: Logger;
}

export type ValueListener = (value: string | undefined) => void;

export class KeyWatch {
  readonly name: string;
  readonly key: string;
  readonly source: string;
  private readonly deps: KeyWatchDeps;
  private readonly loop: BlockingLoop<string | undefined>;
  private readonly listeners = new Set<ValueListener>();
  private current: string | undefined;
  private answered = false;
  private markAnswered!: () => void;
  /** Resolves at Consul's first answer. */
  readonly firstAnswer = new Promise<void>((resolve) => (this.markAnswered = resolve));

  constructor(config: WatchConfig, deps: KeyWatchDeps) {
    if (config.kind !== 'key' || !config.key)
      throw new Error(`watch ${config.name}: a key watch needs a key`);
    this.deps = deps;
    this.name = config.name;
    this.key = config.key;
    this.source = `watch.${config.name}`;
    const key = config.key;
    this.loop = new BlockingLoop({
      interval: config.interval,
      wait: config.wait,
      logger: deps.logger.child({ watch: config.name, key }),
      query: (options) => deps.client.kvGet(key, { ...options, ...(config.dc ? { dc: config.dc } : {}) }),
      onAnswer: (value) => this.update(value),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Aborts the in-flight query at once. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The latest value; undefined while the key does not exist (or before the first answer). */
  value(): string | undefined {
    return this.current;
  }

  get ready(): boolean {
    return this.answered;
  }

  onChange(listener: ValueListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(next: string | undefined): void {
    this.answered = true;
    this.markAnswered();
    if (next === this.current) return;
    this.current = next;
    for (const listener of this.listeners) {
      try {
        listener(next);
      } catch (error) {
        this.deps.logger.error({ err: error, watch: this.name }, 'watch listener failed');
      }
    }
    this.deps.bus.publish({ code: 'changed', source: this.source });
  }
}
