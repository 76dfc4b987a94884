// Exponential backoff with jitter and a reset after a quiet period, as client-go's
// wait.NewExponentialBackoffManager: the reflector waits 800 ms, 1.6 s, … up to 30 s between
// failed list/watch attempts, and starts again from 800 ms once things were healthy a while.
import { realClock, type Clock } from './token-bucket.js';

export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  /** After this long without a backoff, the next one starts again from `initialMs`. */
  resetAfterMs: number;
  factor?: number;
  /** Adds up to `jitter × delay` at random (client-go's reflector uses 1.0). */
  jitter?: number;
}

export class Backoff {
  private current: number;
  private lastBackoffAt: number | undefined;
  private readonly factor: number;
  private readonly jitter: number;

  constructor(
    private readonly opts: BackoffOptions,
    private readonly clock: Clock = realClock,
    private readonly random: () => number = Math.random,
  ) {
    this.current = opts.initialMs;
    this.factor = opts.factor ?? 2;
    this.jitter = opts.jitter ?? 0;
  }

  /** The next delay in ms; each call grows the following one. */
  next(): number {
    const now = this.clock.now();
    if (this.lastBackoffAt !== undefined && now - this.lastBackoffAt > this.opts.resetAfterMs) {
      this.current = this.opts.initialMs;
    }
    this.lastBackoffAt = now;
    const base = this.current;
    this.current = Math.min(this.opts.maxMs, this.current * this.factor);
    return base + (this.jitter > 0 ? this.random() * this.jitter * base : 0);
  }

  reset(): void {
    this.current = this.opts.initialMs;
    this.lastBackoffAt = undefined;
  }
}
