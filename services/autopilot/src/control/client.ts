// The control-socket client behind the CLI's -ping, -reload, -maintenance, -putenv and -putmetric.
import { request } from 'node:http';

export class ControlClientError extends Error {
  /** HTTP status when the server answered; absent when it could not be reached. */
  readonly status: number | undefined;

  constructor(message: string, status?: number) {
    super(message);
    this.name = 'ControlClientError';
    this.status = status;
  }
}

export interface ControlClient {
  readonly socket: string;
  ping(): Promise<void>;
  reload(): Promise<void>;
  /** Resolves to whether the state changed, when the server says so. */
  setMaintenance(enabled: boolean): Promise<boolean | undefined>;
  putEnv(values: Record<string, string>): Promise<void>;
  putMetric(values: Record<string, number>): Promise<void>;
}

export interface ControlClientOptions {
  /** Give up after this long. A reload waits for every job to stop and start again. Default 120 s. */
  timeoutMs?: number;
}

interface Answer {
  status: number;
  text: string;
}

export function createControlClient(socket: string, options: ControlClientOptions = {}): ControlClient {
  const timeoutMs = options.timeoutMs ?? 120_000;

  async function call(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Answer> {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = request(
        {
          socketPath: socket,
          method,
          path,
          headers: payload === undefined ? {} : { 'Content-Type': 'application/json' },
          timeout: timeoutMs,
        },
        (res) => {
          res.setEncoding('utf8');
          let text = '';
          res.on('data', (chunk: string) => (text += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
      req.on('error', (error) => reject(new ControlClientError(unreachable(socket, error))));
      req.end(payload);
    });
    if (answer.status < 200 || answer.status > 299) {
      throw new ControlClientError(
        `${method} ${path} failed (${answer.status}): ${errorText(answer.text)}`,
        answer.status,
      );
    }
    return answer;
  }

  return {
    socket,
    async ping() {
      await call('GET', '/v3/ping');
    },
    async reload() {
      await call('POST', '/v3/reload');
    },
    async setMaintenance(enabled) {
      const answer = await call('POST', `/v3/maintenance/${enabled ? 'enable' : 'disable'}`);
      const parsed = tryJson(answer.text) as { updated?: unknown } | undefined;
      return typeof parsed?.updated === 'boolean' ? parsed.updated : undefined;
    },
    async putEnv(values) {
      await call('POST', '/v3/environ', values);
    },
    async putMetric(values) {
      await call('POST', '/v3/metric', values);
    },
  };
}

function unreachable(socket: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `no control socket at ${socket}: is autopilot running, with control.socket at this path?`;
    case 'ECONNREFUSED':
      return `nothing is listening on control socket ${socket}: autopilot is not running`;
    case 'EACCES':
      return `permission denied on control socket ${socket}: run as the user autopilot runs as`;
    default:
      return `control socket ${socket}: ${error.message}`;
  }
}

function errorText(text: string): string {
  const parsed = tryJson(text) as { error?: unknown } | undefined;
  return typeof parsed?.error === 'string' ? parsed.error : text.trim() || '(no message)';
}

function tryJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
