// Per-key exponential backoff with expiry, as client-go's util/flowcontrol.Backoff that the
// kubelet uses for CrashLoopBackOff and ImagePullBackOff: the first failure is retried at
// once, each later one waits twice as long (up to a maximum), and an entry that has not been
// touched for twice the maximum starts over (a container that ran for 10 min is healthy again).

export interface BackoffClock {
  now(): number;
}

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

export class KeyedBackoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    readonly initialMs: number,
    readonly maxMs: number,
    private readonly clock: BackoffClock = { now: () => Date.now() },
  ) {}

  /** Records a retry at `eventTime`: starts at the initial duration or doubles it. */
  next(key: string, eventTime = this.clock.now()): number {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(e, eventTime)) {
      this.entries.set(key, { backoffMs: this.initialMs, lastUpdate: this.clock.now() });
      return this.initialMs;
    }
    e.backoffMs = Math.min(e.backoffMs * 2, this.maxMs);
    e.lastUpdate = this.clock.now();
    return e.backoffMs;
  }

  /** The current backoff of `key` (0 when none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /**
   * Whether a retry must still wait, given the failure happened at `eventTime`; returns the
   * milliseconds left (0 = go ahead).
   */
  remainingSince(key: string, eventTime: number): number {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(e, eventTime)) return 0;
    return Math.max(0, eventTime + e.backoffMs - this.clock.now());
  }

  /** Milliseconds until the backoff that started at the last next() ends (0 = go ahead). */
  remainingSinceUpdate(key: string): number {
    const e = this.entries.get(key);
    if (!e) return 0;
    return Math.max(0, e.lastUpdate + e.backoffMs - this.clock.now());
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  /** Drops every entry with this prefix (a pod's containers when the pod goes away). */
  resetPrefix(prefix: string): void {
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) this.entries.delete(k);
  }

  /** Forgets entries idle for twice the maximum. */
  gc(): void {
    const now = this.clock.now();
    for (const [k, e] of this.entries) if (now - e.lastUpdate > 2 * this.maxMs) this.entries.delete(k);
  }

  private hasExpired(e: Entry, eventTime: number): boolean {
    return eventTime - e.lastUpdate > 2 * this.maxMs;
  }
}

/** How the kubelet prints a backoff in messages ("back-off 10s", "back-off 2m40s"), as Go's Duration. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms}ms`;
  let s = ms / 1000;
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  const sec = Number.isInteger(s) ? String(s) : String(Number(s.toFixed(3)));
  return `${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${sec}s`;
}
