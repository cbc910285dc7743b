// Jittered exponential backoff for reconnect loops (informer list/watch, lease renewal). Jitter keeps
// many replicas (or many informers of one replica) from hammering a recovering apiserver in lockstep,
// as client-go's reflector does with its backoff manager.

export interface BackoffOptions {
  /** First delay. */
  initialMs?: number;
  /** Upper bound on any delay, before jitter. */
  maxMs?: number;
  factor?: number;
  /** Each delay is stretched by up to this fraction at random (client-go: 1.0 = up to double). */
  jitter?: number;
  random?: () => number;
}

export class Backoff {
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly jitter: number;
  private readonly random: () => number;
  private attempts = 0;

  constructor(options: BackoffOptions = {}) {
    this.initialMs = options.initialMs ?? 800;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
    this.jitter = options.jitter ?? 1;
    this.random = options.random ?? Math.random;
  }

  /** The delay before the next attempt; each call grows the following one. */
  next(): number {
    const base = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempts);
    this.attempts++;
    return base * (1 + this.jitter * this.random());
  }

  /** Call after a success so the next failure waits the initial delay again. */
  reset(): void {
    this.attempts = 0;
  }

  get failures(): number {
    return this.attempts;
  }
}

/** A random integer in [min, max], e.g. watch timeoutSeconds spread over 5–10 minutes. */
export function randomBetween(min: number, max: number, random: () => number = Math.random): number {
  return Math.floor(min + random() * (max - min + 1));
}
