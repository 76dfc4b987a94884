// Whether etcd has a quorum for us (k8s' etcd health and readiness checks, storagebackend/
// factory): a linearizable one-key read with a short deadline (--etcd-readycheck-timeout, 2 s
// as upstream), so /readyz answers quickly instead of hanging on a member without a leader.
// A background probe also tells the logs when etcd is lost and back: meanwhile the watch caches
// keep serving what they had (their etcd watch may sit on a member without a leader, silently).
import type { Logger } from 'pino';
import type { Storage } from './storage.js';

export interface EtcdHealthOptions {
  storage: Storage;
  log: Logger;
  /** Deadline of one check (default 2 s). */
  timeoutMs?: number;
  /** Between background probes (default 5 s; 0 = none). */
  intervalMs?: number;
}

export class EtcdHealth {
  private timer: NodeJS.Timeout | undefined;
  private lostSince: number | undefined;
  private inflight: Promise<string | undefined> | undefined;
  private readonly timeoutMs: number;

  constructor(private readonly o: EtcdHealthOptions) {
    this.timeoutMs = o.timeoutMs ?? 2000;
    const interval = o.intervalMs ?? 5000;
    if (interval > 0) {
      this.timer = setInterval(() => void this.check(), interval);
      this.timer.unref();
    }
  }

  /** undefined when a quorum answered within the deadline, else why not. Concurrent callers share one read. */
  check(): Promise<string | undefined> {
    this.inflight ??= this.probe().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async probe(): Promise<string | undefined> {
    try {
      await this.o.storage.currentRevision(this.timeoutMs);
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      if (this.lostSince === undefined) {
        this.lostSince = Date.now();
        this.o.log.warn({ err: why }, 'etcd has no quorum or is unreachable: writes fail, reads from the watch caches may be stale');
      }
      return why;
    }
    if (this.lostSince !== undefined) {
      this.o.log.info({ downMs: Date.now() - this.lostSince }, 'etcd reachable again');
      this.lostSince = undefined;
    }
    return undefined;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
