// Exponential backoff between restarts (ContainerPilot #396 asked for it; 3.8 restarts at once and
// can spin a crashing process hot). A run that lasted long enough counts as healthy and resets it.
import type { Millis } from '../config/types.ts';

export interface BackoffPolicy {
  /** Delay before the first restart. */
  initial: Millis;
  factor: number;
  max: Millis;
  /** A run at least this long resets the delay to `initial`. */
  resetAfter: Millis;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initial: 100, factor: 2, max: 30_000, resetAfter: 10_000 };

export class RestartBackoff {
  private attempt = 0;
  private readonly policy: BackoffPolicy;

  constructor(policy: BackoffPolicy = DEFAULT_BACKOFF) {
    this.policy = policy;
  }

  /** The delay before restarting, given how long the run that just ended lasted. */
  next(runDuration: Millis): Millis {
    if (runDuration >= this.policy.resetAfter) this.attempt = 0;
    const delay = Math.min(this.policy.max, this.policy.initial * this.policy.factor ** this.attempt);
    this.attempt += 1;
    return delay;
  }
}
