// The event bus. Every subscriber has its own queue and sees every event in publish order;
// publish() only enqueues, so a slow subscriber delays nobody but itself (ContainerPilot #548, #590).
import type { Event } from './events.ts';

export type EventHandler = (event: Event) => void | Promise<void>;

export interface Subscription {
  readonly name: string;
  unsubscribe(): void;
}

class SubscriberQueue implements Subscription {
  private readonly pending: Event[] = [];
  private draining: Promise<void> | undefined;
  active = true;
  readonly name: string;
  private readonly handler: EventHandler;
  private readonly onError: (name: string, error: unknown) => void;
  private readonly detach: (queue: SubscriberQueue) => void;

  constructor(
    name: string,
    handler: EventHandler,
    onError: (name: string, error: unknown) => void,
    detach: (queue: SubscriberQueue) => void,
  ) {
    this.name = name;
    this.handler = handler;
    this.onError = onError;
    this.detach = detach;
  }

  enqueue(event: Event): void {
    if (!this.active) return;
    this.pending.push(event);
    this.draining ??= this.drain();
  }

  private async drain(): Promise<void> {
    // Yield once so publish() returns before any handler runs, even a synchronous one.
    await Promise.resolve();
    while (this.active && this.pending.length > 0) {
      const event = this.pending.shift()!;
      try {
        await this.handler(event);
      } catch (error) {
        this.onError(this.name, error);
      }
    }
    this.draining = undefined;
  }

  idle(): Promise<void> {
    return this.draining ?? Promise.resolve();
  }

  get backlog(): number {
    return this.pending.length;
  }

  unsubscribe(): void {
    this.active = false;
    this.pending.length = 0;
    this.detach(this);
  }
}

export class EventBus {
  private readonly queues = new Set<SubscriberQueue>();
  private readonly taps = new Set<(event: Event) => void>();

  private readonly onHandlerError: (name: string, error: unknown) => void;

  constructor(onHandlerError: (name: string, error: unknown) => void = () => {}) {
    this.onHandlerError = onHandlerError;
  }

  subscribe(name: string, handler: EventHandler): Subscription {
    const queue = new SubscriberQueue(name, handler, this.onHandlerError, (q) => this.queues.delete(q));
    this.queues.add(queue);
    return queue;
  }

  /** Synchronous observers (metrics, debug logging): called inline, must not throw or block. */
  tap(observer: (event: Event) => void): () => void {
    this.taps.add(observer);
    return () => this.taps.delete(observer);
  }

  publish(event: Event): void {
    for (const observer of this.taps) observer(event);
    for (const queue of this.queues) queue.enqueue(event);
  }

  /** Resolves once every subscriber has handled everything published so far (tests, shutdown). */
  async settled(): Promise<void> {
    while ([...this.queues].some((q) => q.backlog > 0)) {
      await Promise.all([...this.queues].map((q) => q.idle()));
    }
    await Promise.all([...this.queues].map((q) => q.idle()));
  }

  get subscriberCount(): number {
    return this.queues.size;
  }
}
