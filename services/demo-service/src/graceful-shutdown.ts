// Graceful stop of an HTTP server: fail readiness, optionally keep serving while routers catch up,
// stop accepting, let in-flight requests finish, close keep-alive connections, and give up after a
// bound so a stuck client cannot hold a stopping pod forever.
import type { Server } from 'node:http';
import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Readiness } from './app.ts';
import type { Logger } from './logger.ts';

export interface GracefulShutdownOptions {
  readiness: Readiness;
  logger: Logger;
  /** How long in-flight requests may take once the listener is closed. */
  timeoutMs: number;
  /** Serve (with readiness failing) this long before closing the listener. */
  delayMs: number;
  /** Injected by tests to decide when the delay ends. */
  sleep?: (ms: number) => Promise<void>;
}

export interface ShutdownResult {
  /** True when the timeout expired and remaining connections were cut. */
  forced: boolean;
}

export interface GracefulShutdown {
  /** Idempotent: later calls return the first call's promise. */
  shutdown(): Promise<ShutdownResult>;
}

export function createGracefulShutdown(server: Server, options: GracefulShutdownOptions): GracefulShutdown {
  const sleep = options.sleep ?? ((ms: number) => sleepFor(ms));
  let closing = false;
  let result: Promise<ShutdownResult> | undefined;

  // A connection whose response started before the drain has no `Connection: close`; once its
  // last response ends it sits idle, and server.close() would wait for it until the client leaves.
  server.on('request', (_req, res) => {
    res.on('close', () => {
      if (closing) setImmediate(() => server.closeIdleConnections());
    });
  });

  async function run(): Promise<ShutdownResult> {
    options.readiness.draining = true;
    options.logger.info({ delayMs: options.delayMs, timeoutMs: options.timeoutMs }, 'draining');
    if (options.delayMs > 0) await sleep(options.delayMs);

    closing = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Node closes idle connections inside close(); connections that go idle later are closed above.
    server.closeIdleConnections();

    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<'expired'>((resolve) => {
      timer = setTimeout(() => resolve('expired'), options.timeoutMs);
    });
    const outcome = await Promise.race([closed.then(() => 'closed' as const), expired]);
    clearTimeout(timer);
    if (outcome === 'expired') {
      options.logger.warn(
        { timeoutMs: options.timeoutMs },
        'in-flight requests did not finish in time; closing',
      );
      server.closeAllConnections();
      await closed;
      return { forced: true };
    }
    options.logger.info('drained');
    return { forced: false };
  }

  return {
    shutdown() {
      result ??= run();
      return result;
    },
  };
}
