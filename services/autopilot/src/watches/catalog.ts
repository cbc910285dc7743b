// Everything the templates' watches know, in one place: what templates read
// (`{{ range service "hello" }}`, `{{ key "config/x" }}`). Watches are looked up by their name,
// which for service watches is the Consul service name.
import type { Instance } from '../discovery/types.ts';
import type { KeyWatch } from './key-watch.ts';
import { ServiceWatch } from './service-watch.ts';

export interface CatalogChange {
  kind: 'service' | 'key';
  /** The watch name. */
  name: string;
}

export type CatalogListener = (change: CatalogChange) => void;

export class InstanceCatalog {
  private readonly services = new Map<string, ServiceWatch>();
  private readonly keys = new Map<string, KeyWatch>();
  private readonly listeners = new Set<CatalogListener>();

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

  /** Called after any watch saw a change. Returns an unsubscribe function. */
  subscribe(listener: CatalogListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((watch) => watch.stop()));
  }

  private all(): Array<ServiceWatch | KeyWatch> {
    return [...this.services.values(), ...this.keys.values()];
  }

  private notify(change: CatalogChange): void {
    for (const listener of this.listeners) listener(change);
  }
}
