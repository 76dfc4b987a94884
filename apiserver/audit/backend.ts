// The audit log backend (k8s.io/apiserver/plugin/pkg/audit/log): one JSON Event per line,
// appended to `--audit-log-path`, or written to stdout for `-`. Writes go through a Node write
// stream, so they are buffered and never block a request; a backend that cannot keep up drops
// events (counted and logged) rather than growing without bound or failing requests.
//
// Rotation (`--audit-log-maxage`, `--audit-log-maxbackup`, `--audit-log-maxsize`) is not
// implemented: rotate the file from outside (logrotate with copytruncate), as the kubelet's
// and Docker's logs are.
import { once } from 'node:events';
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from 'pino';
import type { AuditEvent } from './types.js';

/** Where events go (Kubernetes' audit.Backend / audit.Sink). */
export interface AuditBackend {
  /** Must not throw and must not block: called from the request path's event queue. */
  processEvents(events: AuditEvent[]): void;
  /** Flushes what is buffered and releases the file. */
  close(): Promise<void>;
}

export interface LogBackendOptions {
  logger?: Logger;
  /** Buffered bytes above which new events are dropped (default 64 MiB). */
  maxBufferedBytes?: number;
}

const DEFAULT_MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export class LogBackend implements AuditBackend {
  /** Events handed to the stream. */
  eventsWritten = 0;
  /** Events lost: buffer full, stream broken, or not serialisable. */
  eventsDropped = 0;
  private broken = false;
  private closed = false;
  private overflowing = false;
  private readonly maxBufferedBytes: number;

  private constructor(
    private readonly out: Writable,
    private readonly ownsStream: boolean,
    private readonly log: Logger | undefined,
    maxBufferedBytes: number | undefined,
  ) {
    this.maxBufferedBytes = maxBufferedBytes ?? DEFAULT_MAX_BUFFERED_BYTES;
    out.on('error', (err) => {
      if (!this.broken) this.log?.error({ err }, 'audit log write failed; dropping audit events from now on');
      this.broken = true;
    });
  }

  /**
   * Opens (creating, mode 0600, with its directory) the file at `path` for appending, or uses
   * stdout for `-`. Resolves once the file is open, so a bad path fails apiserver start-up
   * instead of losing events later.
   */
  static async open(path: string, opts: LogBackendOptions = {}): Promise<LogBackend> {
    if (path === '-') return new LogBackend(process.stdout, false, opts.logger, opts.maxBufferedBytes);
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    } catch (e) {
      throw new Error(`audit log: cannot create the directory of ${path}: ${(e as Error).message}`);
    }
    const stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
    try {
      await once(stream, 'open');
    } catch (e) {
      throw new Error(`audit log: cannot open ${path}: ${(e as Error).message}`);
    }
    return new LogBackend(stream, true, opts.logger, opts.maxBufferedBytes);
  }

  /** A backend over any writable (tests, or a pipe the lead provides). */
  static toStream(out: Writable, opts: LogBackendOptions = {}): LogBackend {
    return new LogBackend(out, false, opts.logger, opts.maxBufferedBytes);
  }

  processEvents(events: AuditEvent[]): void {
    if (events.length === 0) return;
    if (this.closed || this.broken) {
      this.eventsDropped += events.length;
      return;
    }
    if (this.out.writableLength > this.maxBufferedBytes) {
      if (!this.overflowing) this.log?.error({ bufferedBytes: this.out.writableLength }, 'audit log cannot keep up; dropping audit events');
      this.overflowing = true;
      this.eventsDropped += events.length;
      return;
    }
    this.overflowing = false;
    let text = '';
    for (const ev of events) {
      try {
        text += JSON.stringify(ev) + '\n';
        this.eventsWritten++;
      } catch (err) {
        this.eventsDropped++;
        this.log?.error({ err, auditID: ev.auditID }, 'audit event not serialisable; dropped');
      }
    }
    if (text) this.out.write(text);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.broken) {
      if (this.ownsStream) this.out.destroy();
      return;
    }
    if (this.ownsStream) {
      const done = once(this.out, 'finish');
      this.out.end();
      await done.catch(() => undefined);
    } else if (this.out.writableLength > 0) {
      await once(this.out, 'drain').catch(() => undefined);
    }
  }
}
