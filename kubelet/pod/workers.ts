// One worker per pod (the kubelet's pod_workers.go): a sync of a pod never overlaps another
// sync of the same pod, and updates that arrive while it runs are merged into one more run
// with the newest state (the sync reads the pod when it starts), not queued one by one.
// Syncs of different pods run concurrently, at most `maxConcurrent` at a time.

export interface SyncResult {
  /** Run again after this long (a backoff expires, a probe is due…). */
  requeueAfterMs?: number;
}

export type PodSyncFn = (uid: string) => Promise<SyncResult | void>;

export interface PodWorkersOptions {
  maxConcurrent: number;
  /**
   * Syncs that do not count against maxConcurrent: terminating pods, which mostly wait out
   * a grace period and must not hold up the start of new pods.
   */
  unlimited?(uid: string): boolean;
  /** Wait after a failed sync before trying again. */
  errorBackoffMs: number;
  onError?(uid: string, err: unknown): void;
}

interface Worker {
  running: boolean;
  /** Another sync was asked for while one ran (or waited for a slot). */
  pending: boolean;
  queued: boolean;
  timer?: NodeJS.Timeout;
  timerAt?: number;
}

export class PodWorkers {
  private readonly workers = new Map<string, Worker>();
  private readonly waiting: string[] = [];
  private active = 0;
  /** Syncs counted against maxConcurrent. */
  private limited = 0;
  private stopped = false;
  private idleWaiters: Array<() => void> = [];

  constructor(
    private readonly sync: PodSyncFn,
    private readonly opts: PodWorkersOptions,
  ) {}

  /** Asks for a sync of the pod as soon as possible. */
  update(uid: string): void {
    if (this.stopped) return;
    const w = this.worker(uid);
    if (w.running) {
      w.pending = true;
      return;
    }
    if (w.queued) return;
    w.queued = true;
    this.waiting.push(uid);
    this.pump();
  }

  /** Asks for a sync after `ms` (an earlier request wins). */
  updateAfter(uid: string, ms: number): void {
    if (this.stopped) return;
    const w = this.worker(uid);
    const at = Date.now() + ms;
    if (w.timer && w.timerAt !== undefined && w.timerAt <= at) return;
    clearTimeout(w.timer);
    w.timerAt = at;
    w.timer = setTimeout(() => {
      w.timer = undefined;
      w.timerAt = undefined;
      this.update(uid);
    }, Math.max(0, ms));
  }

  /** Forgets a pod whose last sync is done (timers cleared; a running sync finishes). */
  forget(uid: string): void {
    const w = this.workers.get(uid);
    if (!w) return;
    clearTimeout(w.timer);
    if (!w.running && !w.queued) this.workers.delete(uid);
  }

  /** A sync of this pod is running right now. */
  isRunning(uid: string): boolean {
    return this.workers.get(uid)?.running ?? false;
  }

  has(uid: string): boolean {
    return this.workers.has(uid);
  }

  /** Number of syncs running now. */
  get busy(): number {
    return this.active;
  }

  /** Stops taking work; resolves when running syncs are done. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const w of this.workers.values()) clearTimeout(w.timer);
    this.waiting.length = 0;
    if (this.active === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  private worker(uid: string): Worker {
    let w = this.workers.get(uid);
    if (!w) {
      w = { running: false, pending: false, queued: false };
      this.workers.set(uid, w);
    }
    return w;
  }

  private pump(): void {
    for (let i = 0; !this.stopped && i < this.waiting.length; ) {
      const uid = this.waiting[i];
      const free = this.opts.unlimited?.(uid) ?? false;
      if (!free && this.limited >= this.opts.maxConcurrent) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      const w = this.worker(uid);
      w.queued = false;
      w.running = true;
      w.pending = false;
      this.active++;
      if (!free) this.limited++;
      void this.runOne(uid, w, free);
    }
  }

  private async runOne(uid: string, w: Worker, free: boolean): Promise<void> {
    let result: SyncResult | void = undefined;
    try {
      result = await this.sync(uid);
    } catch (err) {
      this.opts.onError?.(uid, err);
      result = { requeueAfterMs: this.opts.errorBackoffMs };
    } finally {
      w.running = false;
      this.active--;
      if (!free) this.limited--;
    }
    if (!this.stopped) {
      if (w.pending) this.update(uid);
      else if (result?.requeueAfterMs !== undefined) this.updateAfter(uid, result.requeueAfterMs);
    }
    if (this.active === 0 && (this.stopped || this.waiting.length === 0)) for (const wake of this.idleWaiters.splice(0)) wake();
    this.pump();
  }
}
