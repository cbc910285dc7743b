// A bounded HTTP load loop against the local demo, for its integration tests and bench/demo.ts:
// a few keep-alive clients send GETs back to back until a request count, a duration or stop() ends
// them, whichever comes first. Every answer that is not a 200 and every network error is a failure.
import http from 'node:http';

export interface LoadOptions {
  url: string;
  /** Clients sending one request after another, each on its own keep-alive connection. */
  concurrency: number;
  /** Stop once this many requests have been sent in total… */
  maxRequests: number;
  /** …or once this long has passed. */
  maxDurationMs: number;
  /** A request taking longer than this counts as failed. */
  requestTimeoutMs?: number;
  /** Told about every successful answer (e.g. to see which instance answered). */
  onAnswer?: (body: string, at: number) => void;
}

export interface LoadResult {
  total: number;
  ok: number;
  failed: number;
  /** The first few failures, e.g. "502 Bad Gateway" or "ECONNRESET". */
  failures: string[];
  durationMs: number;
  perSecond: number;
}

export interface LoadRun {
  /** Ends the loop early; in-flight requests still finish and are counted. */
  stop(): void;
  readonly done: Promise<LoadResult>;
}

const KEPT_FAILURES = 20;

export function startLoad(options: LoadOptions): LoadRun {
  const agent = new http.Agent({ keepAlive: true, maxSockets: options.concurrency });
  const started = Date.now();
  const deadline = started + options.maxDurationMs;
  const result = { total: 0, ok: 0, failed: 0, failures: [] as string[] };
  let stopped = false;

  const fail = (reason: string) => {
    result.failed++;
    if (result.failures.length < KEPT_FAILURES) result.failures.push(reason);
  };

  async function client(): Promise<void> {
    while (!stopped && result.total < options.maxRequests && Date.now() < deadline) {
      result.total++;
      try {
        const { status, body } = await get(options.url, agent, options.requestTimeoutMs ?? 10_000);
        if (status === 200) {
          result.ok++;
          options.onAnswer?.(body, Date.now());
        } else {
          fail(`${status} ${body.slice(0, 100).trim()}`);
        }
      } catch (error) {
        const { code, message } = error as NodeJS.ErrnoException;
        fail(code ?? message);
      }
    }
  }

  const done = Promise.all(Array.from({ length: options.concurrency }, client)).then(() => {
    agent.destroy();
    const durationMs = Date.now() - started;
    return { ...result, durationMs, perSecond: (result.total * 1000) / Math.max(durationMs, 1) };
  });
  return {
    stop: () => {
      stopped = true;
    },
    done,
  };
}

function get(url: string, agent: http.Agent, timeoutMs: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = http.get(url, { agent, timeout: timeoutMs }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.on('timeout', () => request.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    request.on('error', reject);
  });
}
