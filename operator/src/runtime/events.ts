// Kubernetes Events (events.k8s.io/v1) about the objects the operator manages, as `kubectl describe`
// and `kubectl events` show them. A repeat of the same event (same object, type, reason and note)
// within the dedup window becomes one Event with a growing series count instead of a new object each
// time, and a per-object token bucket caps the write rate, so a hot failure loop cannot flood etcd.
// Recording never throws into the caller: an event is worth a log line, never a failed reconcile.
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { KubeConfig, KubernetesObject } from '@kubernetes/client-node';
import type { Logger } from 'pino';
import { microTime, realClock, type Clock } from './clock.ts';
import { isNotFound, kubeRequest } from './kube-http.ts';
import { TokenBucket } from './rate-limiter.ts';

export type EventType = 'Normal' | 'Warning';

export interface EventInput {
  type: EventType;
  /** Why, in UpperCamelCase (e.g. ReconcileFailed). */
  reason: string;
  /** What the controller did or failed to do (e.g. Apply). */
  action: string;
  /** Human-readable detail (at most 1 kB). */
  note: string;
}

export interface EventRecorderOptions {
  kubeConfig: KubeConfig;
  logger: Logger;
  reportingController?: string;
  /** Default: $POD_NAME, else the host name. */
  reportingInstance?: string;
  dedupWindowMs?: number;
  /** Events per object at once, then `refillPerMinute`. */
  burst?: number;
  refillPerMinute?: number;
  clock?: Clock;
}

interface ObjectReference {
  apiVersion?: string;
  kind?: string;
  namespace?: string;
  name?: string;
  uid?: string;
  resourceVersion?: string;
}

interface Series {
  namespace: string;
  name: string;
  count: number;
  lastSeen: number;
}

const MAX_TRACKED = 4096;

/** At most `max` UTF-8 bytes: a cut inside a character would decode to U+FFFD (3 bytes) and overshoot. */
function truncate(text: string, max: number): string {
  if (Buffer.byteLength(text) <= max) return text;
  const head = new TextDecoder().decode(Buffer.from(text).subarray(0, max - 3), { stream: true });
  return `${head}...`;
}

/** Keeps a Map bounded by dropping its oldest entries. */
function bound<K, V>(map: Map<K, V>): void {
  for (const key of map.keys()) {
    if (map.size <= MAX_TRACKED) return;
    map.delete(key);
  }
}

export class EventRecorder {
  private readonly kc: KubeConfig;
  private readonly logger: Logger;
  private readonly reportingController: string;
  private readonly reportingInstance: string;
  private readonly dedupWindowMs: number;
  private readonly burst: number;
  private readonly refillPerMinute: number;
  private readonly clock: Clock;
  private readonly series = new Map<string, Series>();
  private readonly limiters = new Map<string, TokenBucket>();
  private readonly pending = new Map<string, Promise<void>>();

  constructor(options: EventRecorderOptions) {
    this.kc = options.kubeConfig;
    this.logger = options.logger;
    this.reportingController = options.reportingController ?? 'autopilot-k8s.dev/operator';
    this.reportingInstance = options.reportingInstance ?? process.env.POD_NAME ?? hostname();
    this.dedupWindowMs = options.dedupWindowMs ?? 10 * 60_000;
    this.burst = options.burst ?? 25;
    this.refillPerMinute = options.refillPerMinute ?? 12;
    this.clock = options.clock ?? realClock;
  }

  normal(regarding: KubernetesObject, reason: string, action: string, note: string): Promise<void> {
    return this.record(regarding, { type: 'Normal', reason, action, note });
  }

  warning(regarding: KubernetesObject, reason: string, action: string, note: string): Promise<void> {
    return this.record(regarding, { type: 'Warning', reason, action, note });
  }

  /** Records an event about `regarding`; resolves once written (or dropped), never rejects. */
  async record(regarding: KubernetesObject, event: EventInput): Promise<void> {
    const ref: ObjectReference = {
      apiVersion: regarding.apiVersion,
      kind: regarding.kind,
      namespace: regarding.metadata?.namespace,
      name: regarding.metadata?.name,
      uid: regarding.metadata?.uid,
      resourceVersion: regarding.metadata?.resourceVersion,
    };
    const objectId = `${ref.kind}/${ref.namespace ?? ''}/${ref.name}/${ref.uid ?? ''}`;
    const key = JSON.stringify([objectId, event.type, event.reason, event.note]);
    // One write at a time per series, so a burst of repeats patches one Event instead of racing to create several.
    const previous = this.pending.get(key) ?? Promise.resolve();
    const current = previous.then(() => this.write(key, objectId, ref, event));
    this.pending.set(key, current);
    await current;
    if (this.pending.get(key) === current) this.pending.delete(key);
  }

  private async write(key: string, objectId: string, ref: ObjectReference, event: EventInput): Promise<void> {
    try {
      if (!this.limiter(objectId).tryTake()) {
        this.logger.debug({ regarding: objectId, reason: event.reason }, 'event dropped: rate limit');
        return;
      }
      const now = this.clock.now();
      const series = this.series.get(key);
      if (series && now - series.lastSeen < this.dedupWindowMs) {
        series.count++;
        series.lastSeen = now;
        if (await this.patchSeries(series)) return;
      }
      await this.create(key, ref, event, now);
    } catch (error) {
      this.logger.warn({ err: error, regarding: objectId, reason: event.reason }, 'failed to record event');
    }
  }

  private limiter(objectId: string): TokenBucket {
    let bucket = this.limiters.get(objectId);
    if (!bucket) {
      this.limiters.set(
        objectId,
        (bucket = new TokenBucket(this.refillPerMinute / 60, this.burst, this.clock)),
      );
      bound(this.limiters);
    }
    return bucket;
  }

  /** False when the Event is gone (expired by the apiserver's event TTL): start a new one. */
  private async patchSeries(series: Series): Promise<boolean> {
    try {
      await kubeRequest(this.kc, {
        method: 'PATCH',
        path: `/apis/events.k8s.io/v1/namespaces/${series.namespace}/events/${series.name}`,
        body: { series: { count: series.count, lastObservedTime: microTime(this.clock.date()) } },
        contentType: 'application/merge-patch+json',
      });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  }

  private async create(key: string, ref: ObjectReference, event: EventInput, now: number): Promise<void> {
    const date = this.clock.date();
    const namespace = ref.namespace || 'default';
    const name = `${ref.name ?? 'unknown'}.${(date.getTime() * 1e6).toString(16)}${randomBytes(2).toString('hex')}`;
    await kubeRequest(this.kc, {
      method: 'POST',
      path: `/apis/events.k8s.io/v1/namespaces/${namespace}/events`,
      body: {
        apiVersion: 'events.k8s.io/v1',
        kind: 'Event',
        metadata: { name, namespace },
        eventTime: microTime(date),
        reportingController: this.reportingController,
        reportingInstance: truncate(this.reportingInstance, 128),
        action: truncate(event.action, 128),
        reason: truncate(event.reason, 128),
        note: truncate(event.note, 1024),
        type: event.type,
        regarding: ref,
      },
    });
    this.series.delete(key);
    this.series.set(key, { namespace, name, count: 1, lastSeen: now });
    bound(this.series);
  }
}
