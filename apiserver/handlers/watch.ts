// HTTP watch: a chunked stream of {"type","object"} lines served from the watch cache.
// Each watcher gets its own filter (namespace, label/field selectors) and output form, but
// shares the cache's serialised objects. The initial events (a watch from 0 or with
// sendInitialEvents) are written as the socket drains, so a watch over 50k objects holds
// about one socket buffer of them at a time; live events arriving meanwhile wait in a bounded
// list. A watcher that cannot keep up with live events is closed once maxBufferedBytes are
// queued for it (k8s terminates an unresponsive cacheWatcher the same way and counts it in
// apiserver_terminated_watchers_total), so one slow client never holds memory or delays the
// others: the cache's dispatch never waits on a socket.
import type { ServerResponse } from 'node:http';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { Negotiated } from './encoding.js';
import { matcher, type ListOptions } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';
import { partialMeta } from './responses.js';
import { toServed } from './conversion.js';
import { toTable } from '../tables/table.js';
import { TooOldError, type CacheEntry, type CacheEvent, type WatchCache } from '../storage/watch-cache.js';

export interface WatchSettings {
  /** Seconds between BOOKMARK events for clients that allow them. */
  bookmarkIntervalSeconds: number;
  /** Bytes a watcher may have queued in its socket before it is dropped. */
  maxBufferedBytes: number;
  /** Default timeout range (k8s: --min-request-timeout 1800 s, randomised ×1–2). */
  minRequestTimeoutSeconds: number;
  onOpen?(resource: string): void;
  onClose?(resource: string): void;
  /** A watcher was closed for not reading. */
  onTerminated?(resource: string): void;
}

/** Initial events are written while the socket holds less than this (then on 'drain'). */
const INITIAL_HIGH_WATER = 1024 * 1024;
/**
 * Initial events go out in writes of about this size: one string per batch, not one per
 * event, so 50k events are ~250 socket writes and little short-lived garbage.
 */
const INITIAL_BATCH_BYTES = 64 * 1024;

export async function serveWatch(
  req: FastifyRequest,
  reply: FastifyReply,
  store: ResourceStore,
  namespace: string | undefined,
  opts: ListOptions,
  neg: Negotiated,
  settings: WatchSettings,
  served: ResourceInfo = store.info,
): Promise<void> {
  await store.cache.ready;
  new WatchServer(req, reply, store, namespace, opts, neg, settings, served).serve();
}

/** One watcher (k8s' handlers.WatchServer): its filter, its output form, its socket and timers. */
class WatchServer {
  private readonly info: ResourceInfo;
  private readonly cache: WatchCache;
  private readonly matches: (obj: KObject) => boolean;
  private readonly nsPrefix: string;
  private readonly sendInitial: boolean;
  /** Events after this revision are sent: with initial events, the snapshot is the cache's current state. */
  private readonly fromRev: number;
  private readonly res: ServerResponse;
  private closed = false;
  private unsubscribe: (() => void) | undefined;
  private readonly timers: NodeJS.Timeout[] = [];
  private tableHeadersSent = false;
  /** While the initial events are being written: the snapshot and how far it got. */
  private initial: { entries: CacheEntry[]; next: number } | undefined;
  /** Live events that arrived during the initial events, and their size. */
  private pending: CacheEvent[] = [];
  private pendingBytes = 0;

  constructor(
    private readonly req: FastifyRequest,
    private readonly reply: FastifyReply,
    store: ResourceStore,
    namespace: string | undefined,
    private readonly opts: ListOptions,
    private readonly neg: Negotiated,
    private readonly settings: WatchSettings,
    /** The version the client asked for (objects are converted when it is stored as another). */
    private readonly served: ResourceInfo,
  ) {
    this.info = store.info;
    this.cache = store.cache;
    this.matches = matcher(this.info, opts);
    this.nsPrefix = namespace && this.info.namespaced ? `${namespace}/` : '';
    const rv = opts.resourceVersion;
    this.sendInitial = opts.sendInitialEvents ?? (rv === undefined || rv === '0');
    this.fromRev = this.sendInitial ? this.cache.rv : Number(rv);
    this.res = reply.raw;
  }

  serve(): void {
    this.openStream();
    if (!this.subscribe()) return;
    if (this.closed) {
      this.unsubscribe!();
      return;
    }
    if (this.opts.allowWatchBookmarks) {
      this.timers.push(setInterval(() => this.bookmark(), this.settings.bookmarkIntervalSeconds * 1000));
    }
    const base = this.settings.minRequestTimeoutSeconds;
    const timeout = this.opts.timeoutSeconds ?? Math.round(base * (1 + Math.random()));
    this.timers.push(setTimeout(this.finish, timeout * 1000));
  }

  /** Takes the socket from fastify and starts the chunked response. */
  private openStream(): void {
    const res = this.res;
    this.reply.hijack();
    res.writeHead(200, {
      'Content-Type': this.neg.contentType,
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    this.settings.onOpen?.(this.info.resource);
    res.on('close', this.finish);
    this.req.raw.on('close', this.finish);
  }

  /** Sends the initial events (if asked) and subscribes; false when the watch ended with an ERROR. */
  private subscribe(): boolean {
    try {
      // The snapshot is taken at fromRev (the cache's revision), and the subscription from the
      // same revision, so no event falls between them.
      if (this.sendInitial) this.initial = { entries: this.cache.list(this.nsPrefix), next: 0 };
      this.unsubscribe = this.cache.watch(this.fromRev, { onEvent: this.onEvent, onReset: this.finish });
      if (this.initial) this.pumpInitial();
      return true;
    } catch (e) {
      if (e instanceof TooOldError) {
        this.write('ERROR', JSON.stringify(errors.expired(`too old resource version: ${e.requested} (${e.oldest})`).status));
        this.finish();
        return false;
      }
      throw e;
    }
  }

  /** Writes initial events until the socket backs up, then resumes on 'drain'; then the live events that waited. */
  private readonly pumpInitial = (): void => {
    const initial = this.initial;
    if (this.closed || !initial) return;
    const highWater = Math.min(INITIAL_HIGH_WATER, this.settings.maxBufferedBytes / 2);
    while (initial.next < initial.entries.length) {
      if (this.res.writableLength >= highWater) {
        this.res.once('drain', this.pumpInitial);
        return;
      }
      const lines: string[] = [];
      let bytes = 0;
      while (bytes < INITIAL_BATCH_BYTES && initial.next < initial.entries.length) {
        const e = initial.entries[initial.next++]!;
        if (!this.matches(e.obj)) continue;
        const object = this.render(e);
        lines.push('{"type":"ADDED","object":', object, '}\n');
        bytes += object.length + 28;
      }
      if (lines.length) this.writeLines(lines.join(''));
    }
    if (this.opts.sendInitialEvents && this.opts.allowWatchBookmarks) this.bookmark({ 'k8s.io/initial-events-end': 'true' });
    this.initial = undefined;
    const waiting = this.pending;
    this.pending = [];
    this.pendingBytes = 0;
    for (const ev of waiting) this.onEvent(ev);
  };

  /** Closes a watcher that does not read (its client relists and watches again). */
  private terminate(): void {
    this.req.log.warn({ resource: this.info.resource }, 'watcher too slow; closing it');
    this.settings.onTerminated?.(this.info.resource);
    this.res.destroy();
    this.finish();
  }

  private readonly finish = (): void => {
    if (this.closed) return;
    this.closed = true;
    this.initial = undefined;
    this.pending = [];
    this.unsubscribe?.();
    for (const t of this.timers) clearTimeout(t), clearInterval(t);
    this.settings.onClose?.(this.info.resource);
    if (!this.res.writableEnded) this.res.end();
  };

  private render(entry: CacheEntry): string {
    if (this.neg.table) {
      const t = toTable(this.info, [entry.obj], { omitHeaders: this.tableHeadersSent });
      this.tableHeadersSent = true;
      return JSON.stringify(t);
    }
    if (this.neg.partial) return JSON.stringify(partialMeta(entry.obj));
    return this.served.storedAs ? JSON.stringify(toServed(this.served, entry.obj)) : entry.json;
  }

  /** One event line; a watcher whose socket backs up past maxBufferedBytes is dropped. */
  private write(type: string, objectJson: string): void {
    this.writeLines(`{"type":"${type}","object":${objectJson}}\n`);
  }

  private writeLines(text: string): void {
    if (this.closed) return;
    const res = this.res;
    res.write(text);
    if (res.writableLength > this.settings.maxBufferedBytes) this.terminate();
  }

  private bookmark(extraAnnotations?: Record<string, string>): void {
    const metadata: KObject['metadata'] = { resourceVersion: String(this.cache.rv) };
    if (extraAnnotations) metadata.annotations = extraAnnotations;
    this.write('BOOKMARK', JSON.stringify({ kind: this.served.kind, apiVersion: apiVersionOf(this.served), metadata }));
  }

  private readonly onEvent = (ev: CacheEvent): void => {
    if (this.closed) return;
    if (this.initial) {
      this.pending.push(ev);
      this.pendingBytes += ev.entry.json.length;
      if (this.pendingBytes > this.settings.maxBufferedBytes) this.terminate();
      return;
    }
    if (ev.entry.rev <= this.fromRev || (this.nsPrefix && !ev.entry.key.startsWith(this.nsPrefix))) return;
    const now = ev.type !== 'DELETED' && this.matches(ev.entry.obj);
    const before = ev.prev !== undefined && this.matches(ev.prev.obj);
    // An object that starts or stops matching the selector is ADDED / DELETED for this watcher.
    if (ev.type === 'DELETED') {
      if (before) this.write('DELETED', this.render(ev.entry));
    } else if (now && before) this.write('MODIFIED', this.render(ev.entry));
    else if (now) this.write('ADDED', this.render(ev.entry));
    else if (before) this.write('DELETED', this.render(ev.entry));
  };
}
