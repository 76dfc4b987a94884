// k8s' BoundedFrequencyRunner: syncs run when asked, but at most once per minInterval (a
// burst of endpoint changes becomes one sync), and at least once per maxInterval (the
// periodic full resync that repairs anything changed behind our back). Never two at once.
export interface SyncRunnerOptions {
  /** `--min-sync-period`. */
  minIntervalMs: number;
  /** `--sync-period`: a full sync at least this often. */
  maxIntervalMs: number;
  /** The sync; `full` on the first run and on the periodic one. Errors are retried after minInterval. */
  sync: (full: boolean) => Promise<void>;
  onError: (e: unknown) => void;
}

export class SyncRunner {
  private timer: NodeJS.Timeout | undefined;
  private periodic: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private pending = false;
  private pendingFull = true;
  private lastStart = 0;
  private stopped = false;
  private waiters: Array<() => void> = [];

  constructor(private readonly opts: SyncRunnerOptions) {}

  /** Starts the periodic full sync (the first sync is the caller's: `syncNow(true)`). */
  start(): void {
    this.periodic = setInterval(() => this.request(true), this.opts.maxIntervalMs);
  }

  /** Asks for a sync (full: rewrite everything). Cheap; call on every event. */
  request(full = false): void {
    if (this.stopped) return;
    this.pending = true;
    if (full) this.pendingFull = true;
    this.schedule();
  }

  /** Resolves after a sync that started after this call has finished. */
  syncNow(full = false): Promise<void> {
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.request(full);
    });
  }

  private schedule(): void {
    if (this.timer || this.running || this.stopped || !this.pending) return;
    const wait = Math.max(0, this.lastStart + this.opts.minIntervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.runOnce();
    }, wait);
  }

  private async runOnce(): Promise<void> {
    const full = this.pendingFull;
    this.pending = false;
    this.pendingFull = false;
    this.lastStart = Date.now();
    const waiters = this.waiters;
    this.waiters = [];
    this.running = this.opts.sync(full).catch((e: unknown) => {
      this.opts.onError(e);
      // Retry (as full: what the kernel holds is unknown now).
      this.pending = true;
      this.pendingFull = true;
    });
    await this.running;
    this.running = undefined;
    for (const w of waiters) w();
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.periodic);
    await this.running;
    for (const w of this.waiters) w();
    this.waiters = [];
  }
}
