// Everything the watches know, in one place: what templates read (`{{ range service "hello" }}`,
// `{{ key "config/x" }}`) and what /status reports. Watches are looked up by their configured name,
// which for service watches is the Consul service name.
import type { WatchConfig } from '../config/types.ts';
import type { ConsulClient } from '../discovery/consul-client.ts';
import type { Instance } from '../discovery/types.ts';
import type { EventBus } from '../events/bus.ts';
import type { Logger } from '../logging/logger.ts';
import type { WatchStatus } from '../supervisor/types.ts';
import { KeyWatch } from './key-watch.ts';
import { ServiceWatch } from './service-watch.ts';

export interface CatalogChange {
  kind: 'service' | 'key';
  /** The watch name. */
  name: string;
}

export type CatalogListener = (change: CatalogChange) => void;

export interface CatalogDeps {
  client: ConsulClient;
  bus: EventBus;
  logger: Logger;
  onInstanceCount?: (name: string, count: number) => void;
}

export class InstanceCatalog {
  private readonly services = new Map<string, ServiceWatch>();
  private readonly keys = new Map<string, KeyWatch>();
  private readonly listeners = new Set<CatalogListener>();

  /** One watch per config entry, not started yet. */
  static fromConfig(watches: WatchConfig[], deps: CatalogDeps): InstanceCatalog {
    const catalog = new InstanceCatalog();
    for (const config of watches) {
      if (config.kind === 'service') catalog.add(new ServiceWatch(config, deps));
      else catalog.add(new KeyWatch(config, deps));
    }
    return catalog;
  }

  add(watch: ServiceWatch | KeyWatch): void {
    if (this.services.has(watch.name) || this.keys.has(watch.name)) {
      throw new Error(`watch ${watch.name}: defined twice`);
    }
    if (watch instanceof ServiceWatch) {
      this.services.set(watch.name, watch);
      watch.onChange(() => this.notify({ kind: 'service', name: watch.name }));
    } else {
      this.keys.set(watch.name, watch);
      watch.onChange(() => this.notify({ kind: 'key', name: watch.name }));
    }
  }

  /** Passing instances of a watched service, sorted by ID; [] for an unknown or empty service. */
  get(service: string): Instance[] {
    return this.services.get(service)?.instances() ?? [];
  }

  has(service: string): boolean {
    return this.services.has(service);
  }

  /** The value of a key watch; undefined if the key is absent or no such watch exists. */
  keyValue(name: string): string | undefined {
    return this.keys.get(name)?.value();
  }

  serviceNames(): string[] {
    return [...this.services.keys()];
  }

  /** Called after any watch saw a change. Returns an unsubscribe function. */
  subscribe(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  start(): void {
    for (const watch of this.all()) watch.start();
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((watch) => watch.stop()));
  }

  /** Resolves once every watch has had Consul's first answer (e.g. before a first template render). */
  async ready(): Promise<void> {
    await Promise.all(this.all().map((watch) => watch.firstAnswer));
  }

  status(): WatchStatus[] {
    return [
      ...[...this.services.values()].map((w) => ({
        name: w.name,
        kind: 'service' as const,
        instances: w.instances().length,
      })),
      ...[...this.keys.values()].map((w) => ({
        name: w.name,
        kind: 'key' as const,
        instances: w.value() === undefined ? 0 : 1,
      })),
    ];
  }

  private all(): Array<ServiceWatch | KeyWatch> {
    return [...this.services.values(), ...this.keys.values()];
  }

  private notify(change: CatalogChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
