// A rate-limited work queue as client-go's util/workqueue: keys are de-duplicated while they
// wait (dirty set), and a key being processed is never handed to a second worker — if it is
// added again meanwhile, it is queued once more when the first worker calls done().
import { TokenBucket, realClock, type Clock } from './token-bucket.js';
import { defaultLogger, type Logger } from './log.js';

/** How long a key waits before its next retry (client-go's RateLimiter). */
export interface RateLimiter<T> {
  when(item: T): number;
  forget(item: T): void;
  numRequeues(item: T): number;
}

/** Per-item exponential backoff: base·2^failures, capped (5 ms → 1000 s by default). */
export class ItemExponentialRateLimiter<T> implements RateLimiter<T> {
  private readonly failures = new Map<T, number>();
  constructor(
    private readonly baseMs = 5,
    private readonly maxMs = 1_000_000,
  ) {}
  when(item: T): number {
    const n = this.failures.get(item) ?? 0;
    this.failures.set(item, n + 1);
    return Math.min(this.maxMs, this.baseMs * 2 ** n);
  }
  forget(item: T): void {
    this.failures.delete(item);
  }
  numRequeues(item: T): number {
    return this.failures.get(item) ?? 0;
  }
}

/** An overall token bucket shared by all items (10 qps, burst 100 by default). */
export class BucketRateLimiter<T> implements RateLimiter<T> {
  private readonly bucket: TokenBucket;
  constructor(qps = 10, burst = 100, clock: Clock = realClock) {
    this.bucket = new TokenBucket(qps, burst, clock);
  }
  when(): number {
    return this.bucket.reserve();
  }
  forget(): void {}
  numRequeues(): number {
    return 0;
  }
}

/** The longest delay of several limiters (client-go's MaxOfRateLimiter). */
export class MaxOfRateLimiter<T> implements RateLimiter<T> {
  private readonly limiters: RateLimiter<T>[];
  constructor(...limiters: RateLimiter<T>[]) {
    this.limiters = limiters;
  }
  when(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.when(item)));
  }
  forget(item: T): void {
    for (const l of this.limiters) l.forget(item);
  }
  numRequeues(item: T): number {
    return Math.max(0, ...this.limiters.map((l) => l.numRequeues(item)));
  }
}

/** client-go's DefaultControllerRateLimiter: per-item 5 ms → 1000 s, overall 10 qps / 100 burst. */
export function defaultControllerRateLimiter<T>(): RateLimiter<T> {
  return new MaxOfRateLimiter<T>(new ItemExponentialRateLimiter<T>(5, 1_000_000), new BucketRateLimiter<T>(10, 100));
}

export interface WorkQueueOptions<T> {
  name?: string;
  rateLimiter?: RateLimiter<T>;
  clock?: Clock;
}

export class WorkQueue<T = string> {
  readonly name: string;
  private queue: T[] = [];
  private readonly dirty = new Set<T>();
  private readonly processing = new Set<T>();
  /** Delayed adds: item → when it becomes ready, and its timer (earliest wins). */
  private readonly waiting = new Map<T, { readyAt: number; timer: NodeJS.Timeout }>();
  private readonly getters: Array<(item: T | undefined) => void> = [];
  private readonly drainWaiters: Array<() => void> = [];
  private shuttingDown = false;
  private readonly rateLimiter: RateLimiter<T>;
  private readonly clock: Clock;

  constructor(opts: WorkQueueOptions<T> = {}) {
    this.name = opts.name ?? 'workqueue';
    this.rateLimiter = opts.rateLimiter ?? defaultControllerRateLimiter<T>();
    this.clock = opts.clock ?? realClock;
  }

  /** Queues the item unless it is already waiting; a busy item is queued again after done(). */
  add(item: T): void {
    if (this.shuttingDown || this.dirty.has(item)) return;
    this.dirty.add(item);
    if (this.processing.has(item)) return;
    const getter = this.getters.shift();
    if (getter) {
      this.dirty.delete(item);
      this.processing.add(item);
      getter(item);
    } else {
      this.queue.push(item);
    }
  }

  /** Adds the item after `delayMs`; if it is already waiting, the earlier time wins. */
  addAfter(item: T, delayMs: number): void {
    if (this.shuttingDown) return;
    if (delayMs <= 0) return this.add(item);
    const readyAt = this.clock.now() + delayMs;
    const existing = this.waiting.get(item);
    if (existing && existing.readyAt <= readyAt) return;
    if (existing) clearTimeout(existing.timer);
    const timer = setTimeout(() => {
      this.waiting.delete(item);
      this.add(item);
    }, delayMs);
    this.waiting.set(item, { readyAt, timer });
  }

  /** Adds the item after the rate limiter's delay: the retry path after a failure. */
  addRateLimited(item: T): void {
    this.addAfter(item, this.rateLimiter.when(item));
  }

  /** Clears the item's failure history (call after it was processed successfully). */
  forget(item: T): void {
    this.rateLimiter.forget(item);
  }

  numRequeues(item: T): number {
    return this.rateLimiter.numRequeues(item);
  }

  /**
   * The next item, waiting for one if the queue is empty; `undefined` once the queue is shut
   * down. The caller owns the item until it calls done(item).
   */
  get(): Promise<T | undefined> {
    if (this.queue.length > 0) {
      const item = this.queue.shift() as T;
      this.dirty.delete(item);
      this.processing.add(item);
      return Promise.resolve(item);
    }
    if (this.shuttingDown) return Promise.resolve(undefined);
    return new Promise((resolve) => this.getters.push(resolve));
  }

  /** Marks the item processed; if it was added meanwhile, it goes back on the queue. */
  done(item: T): void {
    this.processing.delete(item);
    if (this.dirty.has(item)) {
      this.dirty.delete(item);
      this.add(item);
    }
    if (this.processing.size === 0) for (const wake of this.drainWaiters.splice(0)) wake();
  }

  /** Items waiting to be handed out (not counting delayed or in-process ones). */
  len(): number {
    return this.queue.length;
  }

  isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Stops accepting items; waiting get() calls resolve undefined once the queue is empty. */
  shutDown(): void {
    this.shuttingDown = true;
    for (const w of this.waiting.values()) clearTimeout(w.timer);
    this.waiting.clear();
    for (const getter of this.getters.splice(0)) getter(undefined);
  }

  /** shutDown(), then resolves when every item handed out has been marked done. */
  async shutDownWithDrain(): Promise<void> {
    this.shutDown();
    if (this.processing.size === 0) return;
    await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
  }
}

/** What reconcile may ask for on success: come back later even if nothing changes. */
export interface ReconcileResult {
  requeueAfterMs?: number;
}

export interface RunWorkersOptions {
  logger?: Logger;
  /** Drop a key (and log) after this many consecutive failures; default: retry forever. */
  maxRetries?: number;
}

/**
 * Runs `workers` loops of get → reconcile → forget (success) or addRateLimited (failure) →
 * done, until the queue shuts down. Resolves when all loops have exited.
 */
export async function runWorkers<T>(
  queue: WorkQueue<T>,
  workers: number,
  reconcile: (item: T) => Promise<ReconcileResult | void> | ReconcileResult | void,
  opts: RunWorkersOptions = {},
): Promise<void> {
  const log = opts.logger ?? defaultLogger();
  const worker = async (): Promise<void> => {
    for (;;) {
      const item = await queue.get();
      if (item === undefined) return;
      try {
        const result = await reconcile(item);
        queue.forget(item);
        if (result && result.requeueAfterMs !== undefined) queue.addAfter(item, result.requeueAfterMs);
      } catch (e) {
        const retries = queue.numRequeues(item);
        if (opts.maxRetries !== undefined && retries >= opts.maxRetries) {
          log.error({ queue: queue.name, key: String(item), retries, err: e }, 'dropping key after too many retries');
          queue.forget(item);
        } else {
          log.warn({ queue: queue.name, key: String(item), retries, err: e }, 'reconcile failed, requeueing');
          queue.addRateLimited(item);
        }
      } finally {
        queue.done(item);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, workers) }, worker));
}
