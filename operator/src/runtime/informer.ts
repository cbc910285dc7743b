// List + watch of one resource collection into a local cache, the way client-go's reflector does it:
// bookmarks keep the resourceVersion fresh, watches time out at a random 5–10 min so replicas don't
// reconnect in lockstep, 410 Gone relists, any other failure retries with jittered backoff (forever,
// until stop()), and a watchdog reconnects a watch that went silent — a dead connection otherwise
// looks exactly like a quiet resource. Cached objects are shared: treat them as read-only.
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { Backoff, randomBetween, type BackoffOptions } from './backoff.ts';
import { realClock, sleep } from './clock.ts';
import { KubeApiError, isExpired, kubeRequest, kubeStream, type Query } from './kube-http.ts';
import { ObjectCache, objectKey } from './object-cache.ts';

export interface InformerHandlers<T> {
  add: (obj: T) => void;
  /** `resync` is true for the periodic re-delivery of an unchanged object. */
  update: (oldObj: T, newObj: T, resync: boolean) => void;
  delete: (obj: T) => void;
}

export interface InformerOptions {
  kubeConfig: KubeConfig;
  /** The collection, e.g. /apis/apps/v1/deployments or /apis/apps/v1/namespaces/NS/deployments. */
  path: string;
  labelSelector?: string;
  fieldSelector?: string;
  logger: Logger;
  /** Re-deliver every cached object as an update this often; 0 (default) = never. */
  resyncPeriodMs?: number;
  /** Range the server-side watch timeout is drawn from (default 300–600 s, like client-go). */
  watchTimeoutSeconds?: [number, number];
  /**
   * Reconnect a watch that delivered nothing (not even a bookmark) for this long. The apiserver
   * (1.34, measured) sends a bookmark every ~60 s, the first one sometimes only after ~120 s; the
   * default of 300 s is twice that worst gap. TCP keepalive alone would take ~12 min.
   */
  inactivityTimeoutMs?: number;
  listPageSize?: number;
  backoff?: BackoffOptions;
}

interface ListResponse<T> {
  apiVersion?: string;
  kind?: string;
  metadata?: { resourceVersion?: string; continue?: string };
  items?: T[];
}

interface WatchEvent<T> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

/** A watch that ended this soon without a single event counts as a failure (no tight reconnect loop). */
const MIN_QUIET_WATCH_MS = 1000;

export class Informer<T extends KubernetesObject> {
  readonly synced: Promise<void>;
  private readonly options: InformerOptions;
  private readonly logger: Logger;
  private readonly cache = new ObjectCache<T>();
  private readonly handlers: { [E in keyof InformerHandlers<T>]: InformerHandlers<T>[E][] } = {
    add: [],
    update: [],
    delete: [],
  };
  private readonly backoff: Backoff;
  private resolveSynced!: () => void;
  private isSynced = false;
  private resourceVersion = '';
  private typeMeta: { apiVersion?: string; kind?: string } = {};
  private abort: AbortController | undefined;
  private loop: Promise<void> | undefined;
  private resyncTimer: ReturnType<typeof setInterval> | undefined;

  constructor(options: InformerOptions) {
    this.options = options;
    this.logger = options.logger.child({ informer: options.path, labelSelector: options.labelSelector });
    this.backoff = new Backoff(options.backoff);
    this.synced = new Promise((resolve) => (this.resolveSynced = resolve));
  }

  on<E extends keyof InformerHandlers<T>>(event: E, handler: InformerHandlers<T>[E]): this {
    this.handlers[event].push(handler);
    return this;
  }

  hasSynced(): boolean {
    return this.isSynced;
  }

  /** The resourceVersion the next watch resumes from. */
  get lastSyncResourceVersion(): string {
    return this.resourceVersion;
  }

  get(namespace: string | undefined, name: string): T | undefined {
    return this.cache.get(namespace, name);
  }

  getByKey(key: string): T | undefined {
    return this.cache.getByKey(key);
  }

  list(namespace?: string): T[] {
    return this.cache.list(namespace);
  }

  /** Cached objects whose controller ownerReference has this UID. */
  byOwner(uid: string): T[] {
    return this.cache.byOwner(uid);
  }

  start(): this {
    if (this.loop) return this;
    this.abort = new AbortController();
    this.loop = this.run(this.abort.signal);
    const period = this.options.resyncPeriodMs ?? 0;
    if (period > 0) {
      this.resyncTimer = setInterval(() => this.resync(), period);
      this.resyncTimer.unref();
    }
    return this;
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.abort?.abort();
    await this.loop;
  }

  private async run(signal: AbortSignal): Promise<void> {
    let needList = true;
    while (!signal.aborted) {
      try {
        if (needList) {
          await this.listAll(signal);
          needList = false;
        }
        const outcome = await this.watch(signal);
        if (outcome === 'expired') needList = true;
      } catch (error) {
        if (signal.aborted) break;
        const delayMs = Math.round(this.backoff.next());
        this.logger.warn({ err: error, delayMs, relist: needList }, 'list/watch failed; retrying');
        await sleep(realClock, delayMs, signal);
      }
    }
  }

  private baseQuery(): Query {
    return { labelSelector: this.options.labelSelector, fieldSelector: this.options.fieldSelector };
  }

  private async listAll(signal: AbortSignal): Promise<void> {
    const items: T[] = [];
    let page: ListResponse<T> | undefined;
    do {
      page = await kubeRequest<ListResponse<T>>(this.options.kubeConfig, {
        path: this.options.path,
        query: {
          ...this.baseQuery(),
          limit: this.options.listPageSize ?? 500,
          continue: page?.metadata?.continue,
        },
        signal,
        timeoutMs: 60_000,
      });
      this.typeMeta = { apiVersion: page.apiVersion, kind: page.kind?.replace(/List$/, '') };
      for (const item of page.items ?? []) items.push(this.withTypeMeta(item));
    } while (page.metadata?.continue);
    this.replace(items, page.metadata?.resourceVersion ?? '');
    this.backoff.reset();
    this.logger.debug({ count: items.length, resourceVersion: this.resourceVersion }, 'listed');
  }

  /** Swaps the cache for a fresh list, emitting the differences (deletes for what vanished). */
  private replace(items: T[], resourceVersion: string): void {
    const listed = new Set<string>();
    for (const obj of items) {
      listed.add(objectKey(obj));
      this.store(obj);
    }
    for (const key of this.cache.keys()) {
      if (listed.has(key)) continue;
      const gone = this.cache.delete(key);
      if (gone) this.emit('delete', gone);
    }
    this.resourceVersion = resourceVersion;
    if (!this.isSynced) {
      this.isSynced = true;
      this.resolveSynced();
    }
  }

  private store(obj: T): void {
    const previous = this.cache.set(obj);
    if (!previous) this.emit('add', obj);
    else if (previous.metadata?.resourceVersion !== obj.metadata?.resourceVersion)
      this.emit('update', previous, obj, false);
  }

  /** One watch request: 'closed' when the server ended it, 'expired' when we must relist. */
  private async watch(signal: AbortSignal): Promise<'closed' | 'expired'> {
    const ours = new AbortController();
    const inactivityMs = this.options.inactivityTimeoutMs ?? 300_000;
    let silent = false;
    let expired = false;
    let events = 0;
    // One timer, pushed back by every line (refresh) rather than replaced.
    const watchdog = setTimeout(() => {
      silent = true;
      ours.abort();
    }, inactivityMs).unref();
    const feedWatchdog = () => void watchdog.refresh();
    const [minTimeout, maxTimeout] = this.options.watchTimeoutSeconds ?? [300, 600];
    const startedAt = Date.now();
    try {
      await kubeStream(
        this.options.kubeConfig,
        {
          path: this.options.path,
          query: {
            ...this.baseQuery(),
            watch: true,
            allowWatchBookmarks: true,
            resourceVersion: this.resourceVersion,
            timeoutSeconds: randomBetween(minTimeout, maxTimeout),
          },
          signal: AbortSignal.any([signal, ours.signal]),
        },
        (line) => {
          feedWatchdog();
          events++;
          if (this.handleEvent(JSON.parse(line) as WatchEvent<T>) === 'expired') {
            expired = true;
            ours.abort();
          }
        },
      );
    } catch (error) {
      if (expired || isExpired(error)) return this.expired();
      if (signal.aborted) return 'closed';
      if (silent)
        throw new Error(`watch delivered nothing for ${inactivityMs} ms; reconnecting`, { cause: error });
      throw error;
    } finally {
      clearTimeout(watchdog);
    }
    if (expired) return this.expired();
    if (events === 0 && Date.now() - startedAt < MIN_QUIET_WATCH_MS) throw new Error('watch closed at once');
    if (events > 0) this.backoff.reset();
    return 'closed';
  }

  private expired(): 'expired' {
    this.logger.info({ resourceVersion: this.resourceVersion }, 'resourceVersion expired (410); relisting');
    return 'expired';
  }

  private handleEvent(event: WatchEvent<T>): 'expired' | undefined {
    if (event.type === 'ERROR') {
      const status = event.object as { code?: number; reason?: string };
      const error = new KubeApiError(status.code ?? 500, status, `watch ${this.options.path}`);
      if (isExpired(error)) return 'expired';
      throw error;
    }
    const obj = this.withTypeMeta(event.object);
    const resourceVersion = obj.metadata?.resourceVersion;
    if (event.type === 'ADDED' || event.type === 'MODIFIED') this.store(obj);
    else if (event.type === 'DELETED') {
      this.cache.delete(objectKey(obj));
      this.emit('delete', obj);
    }
    if (resourceVersion) this.resourceVersion = resourceVersion;
    return undefined;
  }

  private withTypeMeta(obj: T): T {
    if (obj.apiVersion && obj.kind) return obj;
    return {
      ...obj,
      apiVersion: obj.apiVersion ?? this.typeMeta.apiVersion,
      kind: obj.kind ?? this.typeMeta.kind,
    };
  }

  private resync(): void {
    if (!this.isSynced) return;
    for (const obj of this.cache.list()) this.emit('update', obj, obj, true);
  }

  private emit<E extends keyof InformerHandlers<T>>(
    event: E,
    ...args: Parameters<InformerHandlers<T>[E]>
  ): void {
    for (const handler of this.handlers[event]) {
      try {
        (handler as (...a: unknown[]) => void)(...args);
      } catch (error) {
        this.logger.error({ err: error, event }, 'informer handler threw');
      }
    }
  }
}
