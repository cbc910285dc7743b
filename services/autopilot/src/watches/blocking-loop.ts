// The loop behind every watch: Consul blocking queries, one after the other, instead of ContainerPilot's
// fixed-interval polling (#461), so a change is seen as soon as Consul commits it.
//
// `interval` is not a spacing between queries (that would only add latency). It is the first retry
// delay after an error (then doubling, jittered, up to 30 s), and the pause taken when Consul answers
// at once without a new index, which would otherwise be a hot loop (an index of 0 never blocks).
// Errors are logged once at warn, then at debug while they persist, and recovery at info.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Millis } from '../config/types.ts';
import type { Logger } from '../logging/logger.ts';
import type { Blocking, BlockingOptions } from '../discovery/consul-client.ts';

export const MAX_RETRY_DELAY: Millis = 30_000;

export interface BlockingLoopOptions<T> {
  interval: Millis;
  wait: Millis;
  logger: Logger;
  query: (options: BlockingOptions) => Promise<Blocking<T>>;
  onAnswer: (value: T) => void;
  /** For tests: replaces Math.random in the retry jitter. */
  random?: () => number;
}

/** Retry delay after `failures` consecutive errors: interval·2^(n-1), capped, with ±25% jitter. */
export function retryDelay(interval: Millis, failures: number, random: () => number = Math.random): Millis {
  const base = Math.min(MAX_RETRY_DELAY, Math.max(interval, 100) * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (0.75 + random() * 0.5));
}

/**
 * The index to send next (Consul's "blocking queries" guidance): keep a growing index, and reset to 0
 * (an immediate, non-blocking answer) when it goes backwards (the agent was replaced or its state
 * restored) or when Consul answered 0.
 */
export function nextIndex(previous: bigint, answered: bigint): bigint {
  if (answered <= 0n) return 0n;
  if (answered < previous) return 0n;
  return answered;
}

export class BlockingLoop<T> {
  private readonly options: BlockingLoopOptions<T>;
  private controller: AbortController | undefined;
  private running: Promise<void> | undefined;

  constructor(options: BlockingLoopOptions<T>) {
    this.options = options;
  }

  start(): void {
    if (this.running) return;
    const controller = new AbortController();
    this.controller = controller;
    this.running = this.loop(controller.signal).catch((error: unknown) => {
      if (!controller.signal.aborted)
        this.options.logger.error({ err: error }, 'watch loop stopped unexpectedly');
    });
  }

  /** Aborts the in-flight query at once; resolves when the loop has ended. */
  async stop(): Promise<void> {
    this.controller?.abort();
    await this.running;
    this.running = undefined;
    this.controller = undefined;
  }

  private async loop(signal: AbortSignal): Promise<void> {
    const { interval, wait, logger, query, onAnswer } = this.options;
    let index = 0n;
    let failures = 0;
    while (!signal.aborted) {
      const sent = index;
      const started = performance.now();
      let answer: Blocking<T>;
      try {
        answer = await query({ index: sent, wait, signal });
      } catch (error) {
        if (signal.aborted) return;
        // The agent may have been replaced meanwhile: start over rather than block on a stale index.
        index = 0n;
        failures += 1;
        const delay = retryDelay(interval, failures, this.options.random);
        const details = { err: error instanceof Error ? error.message : String(error), retryInMs: delay };
        if (failures === 1) logger.warn(details, 'Consul query failed');
        else logger.debug({ ...details, failures }, 'Consul query still failing');
        await sleep(delay, undefined, { signal }).catch(() => undefined);
        continue;
      }
      if (failures > 0) logger.info({ failures }, 'Consul query recovered');
      failures = 0;
      index = nextIndex(sent, answer.index);
      onAnswer(answer.value);
      // Without a usable index, or with the same index answered without blocking, the next query would
      // return at once too: pause instead of spinning.
      const spinning =
        answer.index <= 0n || (sent > 0n && answer.index === sent && performance.now() - started < wait / 2);
      if (spinning) await sleep(interval, undefined, { signal }).catch(() => undefined);
    }
  }
}
