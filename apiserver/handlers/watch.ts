// HTTP watch: a chunked stream of {"type","object"} lines served from the watch cache.
// Each watcher gets its own filter (namespace, label/field selectors) and output form, but
// shares the cache's serialised objects. A watcher that cannot keep up is closed, so one slow
// client never holds memory or delays the others.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { apiVersionOf } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { Negotiated } from './encoding.js';
import { matcher, type ListOptions } from '../registry/list-options.js';
import type { ResourceStore } from '../registry/store.js';
import { partialMeta } from './responses.js';
import { toTable } from '../tables/table.js';
import { TooOldError, type CacheEntry, type CacheEvent } from '../storage/watch-cache.js';

export interface WatchSettings {
  /** Seconds between BOOKMARK events for clients that allow them. */
  bookmarkIntervalSeconds: number;
  /** Bytes a watcher may have queued in its socket before it is dropped. */
  maxBufferedBytes: number;
  /** Default timeout range (k8s: --min-request-timeout 1800 s, randomised ×1–2). */
  minRequestTimeoutSeconds: number;
  onOpen?(resource: string): void;
  onClose?(resource: string): void;
}

export async function serveWatch(
  req: FastifyRequest,
  reply: FastifyReply,
  store: ResourceStore,
  namespace: string | undefined,
  opts: ListOptions,
  neg: Negotiated,
  settings: WatchSettings,
): Promise<void> {
  const info = store.info;
  const cache = store.cache;
  await cache.ready;
  const matches = matcher(info, opts);
  const nsPrefix = namespace && info.namespaced ? `${namespace}/` : '';
  const rv = opts.resourceVersion;
  const sendInitial = opts.sendInitialEvents ?? (rv === undefined || rv === '0');
  // With initial events the snapshot is the cache's current state, so events follow from it.
  const fromRev = sendInitial ? cache.rv : Number(rv);

  const res = reply.raw;
  reply.hijack();
  res.writeHead(200, {
    'Content-Type': neg.contentType,
    'Cache-Control': 'no-cache, private',
    'Transfer-Encoding': 'chunked',
  });
  res.flushHeaders();

  let closed = false;
  let unsubscribe: (() => void) | undefined;
  const timers: NodeJS.Timeout[] = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    unsubscribe?.();
    for (const t of timers) clearTimeout(t), clearInterval(t);
    settings.onClose?.(info.resource);
    if (!res.writableEnded) res.end();
  };
  settings.onOpen?.(info.resource);
  res.on('close', finish);
  req.raw.on('close', finish);

  let tableHeadersSent = false;
  const render = (entry: CacheEntry): string => {
    if (neg.table) {
      const t = toTable(info, [entry.obj], { omitHeaders: tableHeadersSent });
      tableHeadersSent = true;
      return JSON.stringify(t);
    }
    if (neg.partial) return JSON.stringify(partialMeta(entry.obj));
    return entry.json;
  };
  const write = (type: string, objectJson: string): void => {
    if (closed) return;
    res.write(`{"type":"${type}","object":${objectJson}}\n`);
    if (res.writableLength > settings.maxBufferedBytes) {
      req.log.warn({ resource: info.resource }, 'watcher too slow; closing it');
      res.destroy();
      finish();
    }
  };
  const bookmark = (extraAnnotations?: Record<string, string>): void => {
    const metadata: KObject['metadata'] = { resourceVersion: String(cache.rv) };
    if (extraAnnotations) metadata.annotations = extraAnnotations;
    write('BOOKMARK', JSON.stringify({ kind: info.kind, apiVersion: apiVersionOf(info), metadata }));
  };

  const inScope = (e: CacheEntry): boolean => !nsPrefix || e.key.startsWith(nsPrefix);
  const onEvent = (ev: CacheEvent): void => {
    if (ev.entry.rev <= fromRev || !inScope(ev.entry)) return;
    const now = ev.type !== 'DELETED' && matches(ev.entry.obj);
    const before = ev.prev !== undefined && matches(ev.prev.obj);
    // An object that starts or stops matching the selector is ADDED / DELETED for this watcher.
    if (ev.type === 'DELETED') {
      if (before) write('DELETED', render(ev.entry));
    } else if (now && before) write('MODIFIED', render(ev.entry));
    else if (now) write('ADDED', render(ev.entry));
    else if (before) write('DELETED', render(ev.entry));
  };

  try {
    if (sendInitial) {
      for (const e of cache.list(nsPrefix)) {
        if (matches(e.obj)) write('ADDED', render(e));
      }
      if (opts.sendInitialEvents && opts.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
    }
    unsubscribe = cache.watch(fromRev, { onEvent, onReset: finish });
  } catch (e) {
    if (e instanceof TooOldError) {
      write('ERROR', JSON.stringify(errors.expired(`too old resource version: ${e.requested} (${e.oldest})`).status));
      finish();
      return;
    }
    throw e;
  }
  if (closed) {
    unsubscribe();
    return;
  }
  if (opts.allowWatchBookmarks) {
    timers.push(setInterval(() => bookmark(), settings.bookmarkIntervalSeconds * 1000));
  }
  const base = settings.minRequestTimeoutSeconds;
  const timeout = opts.timeoutSeconds ?? Math.round(base * (1 + Math.random()));
  timers.push(setTimeout(finish, timeout * 1000));
}
