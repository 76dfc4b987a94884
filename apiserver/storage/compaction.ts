// Periodic etcd compaction, as the kube-apiserver does (--etcd-compaction-interval): every
// interval, compact to the revision seen one interval ago, so watchers and continue tokens
// keep one interval of history while etcd stays fast (uncompacted etcd here is 4× slower).
import type { Logger } from 'pino';
import type { Storage } from './storage.js';

export class Compactor {
  private timer: NodeJS.Timeout | undefined;
  private lastSeen = 0;

  constructor(
    private readonly storage: Storage,
    intervalSeconds: number,
    private readonly log: Logger,
  ) {
    if (intervalSeconds > 0) {
      this.timer = setInterval(() => void this.tick(), intervalSeconds * 1000);
      this.timer.unref();
    }
  }

  async tick(): Promise<void> {
    try {
      const current = await this.storage.currentRevision();
      if (this.lastSeen > 0 && this.lastSeen < current) {
        await this.storage.compact(this.lastSeen);
        this.log.info({ revision: this.lastSeen }, 'compacted etcd');
      }
      this.lastSeen = current;
    } catch (e) {
      this.log.warn({ err: e }, 'etcd compaction failed');
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
