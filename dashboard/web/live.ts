// Live lists: LIST through the proxy, then follow the dashboard daemon's server-sent-event
// watch (/api/watch) from the list's resourceVersion — the informer pattern of client-go
// (reflector: list, watch, relist on 410 Gone), in the browser. EventSource itself reconnects
// with Last-Event-ID (the last object's resourceVersion); when it gives up (readyState CLOSED)
// we relist after a backoff. One LiveList per collection path, shared by every view using it.
import { ApiError, errorMessage, k8s } from './api.js';
import { banner } from './store.js';

import type { KObject } from './types.js';
export type { KObject };

interface ListBody { metadata?: { resourceVersion?: string }; items?: KObject[] }

// Problems of all live streams; the banner shows the first one.
const problems = new Map<number, string>();
function setProblem(id: number, msg: string | null): void {
  if (msg) problems.set(id, msg); else problems.delete(id);
  banner.set(problems.size ? [...problems.values()][0] ?? null : null);
}

export const APISERVER_DOWN = 'The apiserver is unreachable — showing the last known state, reconnecting…';
export const STREAM_LOST = 'Lost the live connection to the dashboard — reconnecting…';

let nextId = 1;

export class LiveList {
  readonly id = nextId++;
  private objs = new Map<string, KObject>();
  private snapshot: KObject[] | null = null;
  private subs = new Set<() => void>();
  private es: EventSource | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private backoff = 500;
  private rv = '';
  private stopped = false;
  private pending = false;
  error: ApiError | Error | null = null;
  loaded = false;

  constructor(readonly path: string) {}

  items(): KObject[] {
    if (!this.snapshot) {
      this.snapshot = [...this.objs.values()].sort((a, b) =>
        (a.metadata.namespace ?? '').localeCompare(b.metadata.namespace ?? '') || (a.metadata.name ?? '').localeCompare(b.metadata.name ?? ''));
    }
    return this.snapshot;
  }

  subscribe(fn: () => void): () => void {
    this.subs.add(fn);
    return () => { this.subs.delete(fn); };
  }
  get subscribers(): number { return this.subs.size; }

  start(): void { this.stopped = false; void this.relist(); }

  stop(): void {
    this.stopped = true;
    this.es?.close();
    this.es = null;
    if (this.timer) clearTimeout(this.timer);
    setProblem(this.id, null);
  }

  private changed(): void {
    this.snapshot = null;
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => { this.pending = false; for (const s of [...this.subs]) s(); });
  }

  private async relist(): Promise<void> {
    this.es?.close();
    this.es = null;
    if (this.stopped) return;
    try {
      const list = await k8s<ListBody>(this.path);
      if (this.stopped) return;
      this.objs.clear();
      for (const o of list.items ?? []) this.objs.set(key(o), o);
      this.rv = list.metadata?.resourceVersion ?? '';
      this.error = null;
      this.loaded = true;
      this.backoff = 500;
      setProblem(this.id, null);
      this.changed();
      this.watch();
    } catch (e) {
      this.error = e instanceof Error ? e : new Error(errorMessage(e));
      this.loaded = true;
      this.changed();
      const code = e instanceof ApiError ? e.code : 0;
      if (code === 401 || code === 403 || code === 404) return; // permanent for this user: the view shows it
      if (code === 0) setProblem(this.id, STREAM_LOST);
      else if (code >= 500) setProblem(this.id, APISERVER_DOWN);
      this.retry();
    }
  }

  private retry(): void {
    if (this.stopped) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => { this.timer = null; void this.relist(); }, this.backoff);
    this.backoff = Math.min(this.backoff * 2, 10_000);
  }

  private watch(): void {
    const url = `/api/watch?path=${encodeURIComponent(this.path)}&resourceVersion=${encodeURIComponent(this.rv)}`;
    const es = new EventSource(url, { withCredentials: true });
    this.es = es;
    const apply = (type: string) => (ev: MessageEvent<string>) => {
      let o: KObject;
      try { o = JSON.parse(ev.data) as KObject; } catch { return; }
      if (o.metadata?.resourceVersion) this.rv = o.metadata.resourceVersion;
      if (type === 'DELETED') this.objs.delete(key(o));
      else this.objs.set(key(o), o);
      this.changed();
    };
    es.addEventListener('ADDED', apply('ADDED'));
    es.addEventListener('MODIFIED', apply('MODIFIED'));
    es.addEventListener('DELETED', apply('DELETED'));
    es.addEventListener('BOOKMARK', (ev: MessageEvent<string>) => {
      try { const o = JSON.parse(ev.data) as KObject; if (o.metadata?.resourceVersion) this.rv = o.metadata.resourceVersion; } catch { /* ignore */ }
    });
    // 410 Gone from the apiserver: our resourceVersion is too old, relist as a reflector does.
    es.addEventListener('expired', () => { void this.relist(); });
    es.addEventListener('apiserver', (ev: MessageEvent<string>) => {
      let up = true;
      try { up = (JSON.parse(ev.data) as { up?: boolean }).up !== false; } catch { /* ignore */ }
      setProblem(this.id, up ? null : APISERVER_DOWN);
    });
    es.onopen = () => { if (problems.get(this.id) === STREAM_LOST) setProblem(this.id, null); };
    es.onerror = () => {
      if (es !== this.es) return;
      if (es.readyState === EventSource.CLOSED) {
        setProblem(this.id, STREAM_LOST);
        this.retry();
      } else if (!problems.has(this.id)) {
        setProblem(this.id, STREAM_LOST);
      }
    };
  }
}

export function key(o: KObject): string {
  return `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;
}

const registry = new Map<string, LiveList>();

/** The running LiveList of a path, if any (for render; effects acquire). */
export function peek(path: string): LiveList | undefined { return registry.get(path); }

/** Gets the shared LiveList of a path, starting it on first use. */
export function acquire(path: string): LiveList {
  let l = registry.get(path);
  if (!l) { l = new LiveList(path); registry.set(path, l); l.start(); }
  return l;
}

/**
 * Stops a list as soon as its last view lets go. Browsers allow only 6 HTTP/1.1 connections per
 * origin and every EventSource holds one for good, so views keep at most a few lists open and
 * none is kept warm in the background (a later view relists).
 */
export function release(path: string): void {
  const l = registry.get(path);
  if (!l || l.subscribers > 0) return;
  queueMicrotask(() => {
    if (l.subscribers === 0 && registry.get(path) === l) { l.stop(); registry.delete(path); }
  });
}
