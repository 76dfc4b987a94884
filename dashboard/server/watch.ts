// /api/watch: one apiserver watch relayed to the browser as server-sent events, as the session's
// user. The watch is re-dialled from the last resourceVersion seen whenever the apiserver ends
// it (its watch timeout) or goes away; while it is away the page is told
// (`event: apiserver {"up":false}`, then `{"up":true}`), and a 410 becomes `event: expired`
// (the page relists; this stream then only sends heartbeats until the page closes it).
import type { ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { Backoff } from '../../client/backoff.js';
import { JsonStreamDecoder } from '../../client/watch-decoder.js';
import type { Apiserver, UpstreamResponse } from './apiserver.js';
import { SECURITY_HEADERS, sendJson, statusFromBody } from './reply.js';
import type { Session } from './sessions.js';
import { HEARTBEAT, apiserverEvent, decide, formatSse, isWatchEvent, watchUrl, type WatchRequest } from './sse.js';

export interface WatchStreamOptions {
  heartbeatMs: number;
  /** Waits between attempts while the apiserver is away. */
  backoff?: { initialMs: number; maxMs: number };
  onOpen?: () => void;
  onClose?: () => void;
}

type Dial = { kind: 'ok'; res: UpstreamResponse } | { kind: 'down'; why: unknown } | { kind: 'refused'; status: number; text: string };

const isDownCode = (code: number) => code === 502 || code === 503 || code === 504;

class WatchRelay {
  private rv: string | undefined;
  private up = true;
  private done = false;
  private readonly abort = new AbortController();
  private readonly backoff: Backoff;

  constructor(
    private readonly res: ServerResponse,
    private readonly api: Apiserver,
    private readonly session: Session,
    private readonly w: WatchRequest,
    private readonly log: Logger,
    o: WatchStreamOptions,
  ) {
    this.rv = w.resourceVersion;
    const b = o.backoff ?? { initialMs: 250, maxMs: 5_000 };
    this.backoff = new Backoff({ ...b, resetAfterMs: 30_000 });
  }

  stop(): void {
    this.done = true;
    this.abort.abort();
  }

  private async dial(): Promise<Dial> {
    try {
      const res = await this.api.request({ method: 'GET', path: watchUrl(this.w, this.rv), token: this.session.token, headers: { accept: 'application/json' }, signal: this.abort.signal, streaming: true });
      if (res.statusCode >= 200 && res.statusCode < 300) return { kind: 'ok', res };
      const text = await res.body.text().catch(() => '');
      if (isDownCode(res.statusCode)) return { kind: 'down', why: `status ${res.statusCode}` };
      return { kind: 'refused', status: res.statusCode, text };
    } catch (e) {
      return { kind: 'down', why: e };
    }
  }

  private write(chunk: string): Promise<void> {
    if (this.done) return Promise.resolve();
    if (this.res.write(chunk)) return Promise.resolve();
    // A slow browser: stop reading the apiserver until it caught up.
    return new Promise((resolve) => {
      const go = () => {
        this.res.off('drain', go);
        this.res.off('close', go);
        resolve();
      };
      this.res.on('drain', go);
      this.res.on('close', go);
    });
  }

  private startStream(): void {
    this.res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    // EventSource reconnects after 1 s instead of its default 3 s.
    this.res.write('retry: 1000\n\n');
  }

  /** The first dial decides the HTTP status: a refusal is the apiserver's Status, as is. */
  async run(): Promise<void> {
    const first = await this.dial();
    if (this.done) return;
    if (first.kind === 'refused' && first.status !== 410) {
      sendJson(this.res, first.status, statusFromBody(first.status, first.text));
      return;
    }
    this.startStream();
    let d: Dial = first;
    while (!this.done) {
      if (d.kind === 'ok') {
        if (!this.up) {
          this.up = true;
          await this.write(apiserverEvent(true));
        }
        const outcome = await this.relay(d.res);
        if (outcome === 'expired' || outcome === 'stop') return;
        if (outcome === 'down') await this.markDown('watch stream broke');
        else if (outcome === 'error') await this.sleep(this.backoff.next());
        else this.backoff.reset();
      } else if (d.kind === 'down') {
        await this.markDown(d.why);
      } else if (d.status === 410) {
        await this.write(formatSse({ event: 'expired', data: JSON.stringify(statusFromBody(410, d.text)) }));
        return;
      } else {
        // e.g. the token expired or was revoked: say why and end; EventSource's reconnect then gets the HTTP refusal.
        await this.write(formatSse({ event: 'error', data: JSON.stringify(statusFromBody(d.status, d.text)) }));
        this.res.end();
        return;
      }
      if (this.done) return;
      if (!this.up) await this.sleep(this.backoff.next());
      d = await this.dial();
    }
  }

  private async markDown(why: unknown): Promise<void> {
    if (!this.up) return;
    this.up = false;
    this.log.info({ err: why instanceof Error ? why : undefined, why: why instanceof Error ? undefined : why, path: this.w.path }, 'apiserver unreachable; watch retrying');
    await this.write(apiserverEvent(false));
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      const signal = this.abort.signal;
      function done() {
        clearTimeout(t);
        signal.removeEventListener('abort', done);
        resolve();
      }
      signal.addEventListener('abort', done);
    });
  }

  /** Relays one upstream watch until it ends: normally (redial), broken (down), 410 (expired). */
  private async relay(res: UpstreamResponse): Promise<'ended' | 'down' | 'expired' | 'error' | 'stop'> {
    const decoder = new JsonStreamDecoder();
    try {
      for await (const chunk of res.body) {
        for (const v of decoder.push(chunk as Buffer)) {
          if (!isWatchEvent(v)) continue;
          const d = decide(v);
          await this.write(d.sse);
          if (d.kind === 'expired') return 'expired';
          // Another ERROR (the apiserver ends the watch after it): redialled after a wait.
          if (d.kind === 'error') return 'error';
          if (d.kind === 'relay' && d.resourceVersion) this.rv = d.resourceVersion;
        }
        if (this.done) return 'stop';
      }
      return 'ended';
    } catch (e) {
      if (this.done) return 'stop';
      this.log.debug({ err: e }, 'watch stream broke');
      return 'down';
    } finally {
      res.body.destroy();
    }
  }
}

export async function serveWatch(res: ServerResponse, api: Apiserver, session: Session, w: WatchRequest, log: Logger, o: WatchStreamOptions): Promise<void> {
  const relay = new WatchRelay(res, api, session, w, log, o);
  const heartbeat = setInterval(() => {
    if (res.headersSent && !res.writableEnded) res.write(HEARTBEAT);
  }, o.heartbeatMs);
  heartbeat.unref();
  o.onOpen?.();
  res.once('close', () => {
    clearInterval(heartbeat);
    relay.stop();
    o.onClose?.();
  });
  // After `expired` the stream stays open with heartbeats only, so EventSource does not reconnect
  // into the same 410 while the page relists.
  await relay.run();
}
