// A watch on the passing instances of a Consul service. Publishes, as ContainerPilot does, `changed`
// then `healthy` (some instances) or `unhealthy` (none) from source `watch.<name>` whenever the set of
// (ID, address, port) changes; an empty first answer publishes nothing. Unlike ContainerPilot it
// blocks on Consul instead of polling, so routers learn about a change as soon as Consul knows it.
import type { WatchConfig } from '../config/types.ts';
import type { ConsulClient, ServiceEntry } from '../discovery/consul-client.ts';
import type { Instance } from '../discovery/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import { BlockingLoop } from './blocking-loop.ts';

export interface ServiceWatchDeps {
  client: ConsulClient;
  bus: EventBus;
  logger: Logger;
  /** Every answer's instance count (the containerpilot_watch_instances gauge). */
  onInstanceCount?: (name: string, count: number) => void;
}

export type InstancesListener = (instances: Instance[]) => void;

export function toInstance(entry: ServiceEntry): Instance {
  return {
    id: entry.Service.ID,
    service: entry.Service.Service,
    // An empty service address means "the node's address" to Consul.
    address: entry.Service.Address || entry.Node.Address,
    port: entry.Service.Port,
    tags: entry.Service.Tags ?? [],
    meta: entry.Service.Meta ?? {},
    node: entry.Node.Node,
  };
}

const byId = (a: Instance, b: Instance): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** ContainerPilot's comparison: the instances sorted by ID differ in count, ID, address or port. */
export function instancesDiffer(before: Instance[], after: Instance[]): boolean {
  if (before.length !== after.length) return true;
  return before.some((b, i) => {
    const a = after[i]!;
    return a.id !== b.id || a.address !== b.address || a.port !== b.port;
  });
}

export class ServiceWatch {
  readonly name: string;
  readonly source: string;
  private readonly deps: ServiceWatchDeps;
  private readonly loop: BlockingLoop<ServiceEntry[]>;
  private readonly listeners = new Set<InstancesListener>();
  private current: Instance[] = [];
  private answered = false;
  private markAnswered!: () => void;
  /** Resolves at Consul's first answer. */
  readonly firstAnswer = new Promise<void>((resolve) => (this.markAnswered = resolve));

  constructor(config: WatchConfig, deps: ServiceWatchDeps) {
    if (config.kind !== 'service') throw new Error(`watch ${config.name}: not a service watch`);
    this.deps = deps;
    this.name = config.name;
    this.source = `watch.${config.name}`;
    const logger = deps.logger.child({ watch: config.name });
    this.loop = new BlockingLoop({
      interval: config.interval,
      wait: config.wait,
      logger,
      query: (options) =>
        deps.client.healthService(
          {
            service: config.name,
            passing: true,
            ...(config.tag ? { tag: config.tag } : {}),
            ...(config.dc ? { dc: config.dc } : {}),
          },
          options,
        ),
      onAnswer: (entries) => this.update(entries.map(toInstance).sort(byId)),
    });
  }

  start(): void {
    this.loop.start();
  }

  /** Aborts the in-flight query at once. */
  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** The passing instances of the latest answer, sorted by ID. */
  instances(): Instance[] {
    return [...this.current];
  }

  /** Whether Consul has answered at least once. */
  get ready(): boolean {
    return this.answered;
  }

  /** Called after each change, before the events are handled. Returns an unsubscribe function. */
  onChange(listener: InstancesListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private update(next: Instance[]): void {
    this.answered = true;
    this.markAnswered();
    this.deps.onInstanceCount?.(this.name, next.length);
    const differs = instancesDiffer(this.current, next);
    this.current = next;
    // Starting from no instances, an empty first answer is no change: nothing published (as in CP).
    if (!differs) return;
    this.deps.logger.debug({ watch: this.name, instances: next.length }, 'watched service changed');
    for (const listener of this.listeners) {
      try {
        listener(this.instances());
      } catch (error) {
        this.deps.logger.error({ err: error, watch: this.name }, 'watch listener failed');
      }
    }
    this.deps.bus.publish({ code: 'changed', source: this.source });
    this.deps.bus.publish({ code: next.length > 0 ? 'healthy' : 'unhealthy', source: this.source });
  }
}
