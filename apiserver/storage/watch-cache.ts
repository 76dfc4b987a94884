// One watch cache per resource (like k8s' Cacher): one etcd watch, the current state, and a
// bounded ring of recent events that HTTP watchers are served from. A watch from a revision
// older than the ring's window is answered with 410 Expired and the client relists.
// The window is bounded by count and by age, as k8s' dynamically sized cache is: events older
// than EVENT_RETENTION_MS go (keeping at least MIN_EVENTS), so a busy resource does not hold
// `capacity` full objects for ever (the soak saw the apiserver's heap grow by 80 MiB that way).
import type { IKeyValue, Namespace, Watcher as EtcdWatcher } from 'etcd3';
import type { Logger } from 'pino';
import { errors, StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { Storage } from './storage.js';

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEntry {
  key: string;
  /** Shared, never mutated: callers clone before changing. */
  obj: KObject;
  rev: number;
  /** The object serialised once, reused by every LIST and watcher. */
  readonly json: string;
}

export interface CacheEvent {
  type: CacheEventType;
  entry: CacheEntry;
  /** The object before this event (undefined for ADDED). */
  prev?: CacheEntry;
}

export interface CacheWatcher {
  /** Called synchronously, in revision order, for every event after the start revision. */
  onEvent(ev: CacheEvent): void;
  /** The cache was reset (etcd history lost): the watcher must end; clients relist. */
  onReset(): void;
}

export class TooOldError extends Error {
  constructor(
    readonly requested: number,
    readonly oldest: number,
  ) {
    super(`too old resource version: ${requested} (${oldest})`);
  }
}

function entryOf(key: string, obj: KObject, rev: number): CacheEntry {
  // Serialised on first use (a LIST or a watcher), then shared; writes nobody reads cost nothing.
  let json: string | undefined;
  return {
    key,
    obj,
    rev,
    get json() {
      json ??= JSON.stringify(obj);
      return json;
    },
  };
}

/** k8s' eventFreshDuration is 75 s and its cache holds between one and two of them. */
export const EVENT_RETENTION_MS = 150_000;
/** k8s' lower bound on the watch cache's capacity. */
export const MIN_EVENTS = 100;

/** How long the etcd watch of a (re)list may take to be created before the list is tried again. */
export const WATCH_CREATE_TIMEOUT_MS = 30_000;

export class WatchCache {
  private readonly store = new Map<string, CacheEntry>();
  private readonly ring: (CacheEvent | undefined)[];
  /** When each ring slot's event arrived (ms), for the age bound. */
  private readonly arrived: number[];
  private head = 0; // next write slot
  private size = 0;
  private readonly watchers = new Set<CacheWatcher>();
  /**
   * Keys whose value cannot be decoded (e.g. encrypted with a key the config lacks), with the
   * error. They are not in the store; a LIST that covers one fails with that error, as in
   * Kubernetes, rather than silently leaving the object out.
   */
  private readonly undecodable = new Map<string, StatusError>();
  private etcdWatcher: EtcdWatcher | undefined;
  /**
   * Where this cache's etcd watch is made: the client's shared watch stream, until a watch was
   * not created in time — then a stream of its own (etcd3 creates a stream's watches one at a
   * time, so one create that never completes would hold every later one, and the cache would
   * never become ready, with /readyz failing for ever).
   */
  private watchVia: Pick<Namespace, 'watch'> | undefined;
  /** When the etcd watch stream broke (undefined while connected). */
  private disconnectedAt: number | undefined;
  private sortedKeys: string[] | undefined;
  private stopped = false;
  /** Every event with a revision above this is in the ring. */
  windowStart = 0;
  /** The newest revision this cache has applied. */
  rv = 0;
  /**
   * Moves on every change to what the cache holds — a clear, a list, an event — even when `rv`
   * does not (a relist at an unchanged revision empties and refills the store). Readers that
   * derive state from the contents (RBAC's binding index) compare it, never `rv`.
   */
  version = 0;
  /** True while the cache holds a complete list and follows etcd. */
  isReady = false;
  ready: Promise<void>;

  constructor(
    private readonly storage: Storage,
    readonly prefix: string,
    private readonly log: Logger,
    capacity = 10_000,
    private readonly retentionMs = EVENT_RETENTION_MS,
    private readonly watchCreateTimeoutMs = WATCH_CREATE_TIMEOUT_MS,
  ) {
    this.ring = new Array(capacity);
    this.arrived = new Array<number>(capacity).fill(0);
    // The first list is retried like any relist: etcd calls have deadlines, and an apiserver
    // starting next to a busy one can see its first range time out. A cache that gave up here
    // stayed empty for ever — RBAC over empty caches denied even anonymous /readyz (403).
    this.ready = this.relist();
  }

  get watcherCount(): number {
    return this.watchers.size;
  }

  private async start(): Promise<void> {
    this.isReady = false;
    this.store.clear();
    this.changed(true);
    this.undecodable.clear();
    this.head = 0;
    this.size = 0;
    this.ring.fill(undefined);
    // Read the whole prefix at one revision, page by page, then watch from the next one.
    let revision = 0;
    let startKey: string | undefined;
    for (;;) {
      const onUndecodable = (k: string, err: StatusError) => this.undecodable.set(k.slice(this.prefix.length), err);
      const page = await this.storage.range(this.prefix, { startKey, limit: 5000, revision, onUndecodable });
      revision = page.revision;
      for (const item of page.items) {
        const key = keyOf(item.obj, this.prefix);
        this.store.set(key, entryOf(key, item.obj, item.modRevision));
      }
      // Once per page: readers only run between pages. A reader during the list (RBAC
      // authorizes requests from the moment the server listens) sorted the keys of a store
      // not yet filled: list() kept answering from that empty key list for good, and RBAC
      // denied everyone after a restart over existing data.
      this.changed(true);
      if (!page.more || page.lastKey === undefined) break;
      startKey = page.lastKey + '\0';
    }
    this.rv = revision;
    this.windowStart = revision;
    const w = await this.createWatch(revision + 1);
    if (this.stopped) {
      await w.cancel();
      return;
    }
    this.etcdWatcher = w;
    this.isReady = true;
    // Resume from what this cache applied, not from what etcd3 guessed: the library moves the
    // watch's start to the response header's revision + 1 on every 'data' and 'connected',
    // but a catch-up response (etcd sends unsynced watchers at most 1000 revisions at a time)
    // carries the newest revision in its header with only the older events, so a reconnect
    // just then would skip events. clientv3 resumes from the last event too.
    const resumeFromApplied = (): void => {
      w.request.start_revision = String(this.rv + 1);
    };
    w.on('connected', () => {
      resumeFromApplied();
      if (this.disconnectedAt) {
        this.log.info({ prefix: this.prefix, revision: this.rv }, 'watch cache resumed its etcd watch');
        this.disconnectedAt = undefined;
      }
    });
    w.on('disconnected', (err: unknown) => {
      // Reads from the cache keep answering, from what it had: say so once per outage.
      if (!this.disconnectedAt) this.log.warn({ err, prefix: this.prefix, revision: this.rv }, 'watch cache lost etcd: serving possibly stale data until it reconnects');
      this.disconnectedAt ??= Date.now();
    });
    w.on('data', (res) => {
      for (const ev of res.events) {
        const rawKey = ev.kv.key.toString();
        const key = rawKey.slice(this.prefix.length);
        const rev = Number(ev.kv.mod_revision);
        if (ev.type === 'Delete') this.applyDelete(key, rev);
        else this.applyPut(key, ev.kv);
      }
      const headerRev = Number(res.header.revision);
      if (res.events.length === 0 && headerRev > this.rv) this.rv = headerRev; // progress notify
      resumeFromApplied();
    });
    w.on('error', (err) => {
      // History we needed is gone (compaction while disconnected): rebuild from a fresh list.
      this.log.warn({ err, prefix: this.prefix }, 'watch cache lost its etcd watch; relisting');
      this.reset();
    });
  }

  /** The etcd watch from `fromRev`, or an error when it is not created within watchCreateTimeoutMs. */
  private async createWatch(fromRev: number): Promise<EtcdWatcher> {
    const pending = (this.watchVia ?? this.storage.etcd).watch().prefix(this.prefix).startRevision(String(fromRev)).create();
    let timer: NodeJS.Timeout | undefined;
    let timedOut = false;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        reject(new Error(`etcd did not create the watch within ${this.watchCreateTimeoutMs} ms`));
      }, this.watchCreateTimeoutMs);
    });
    try {
      return await Promise.race([pending, timeout]);
    } catch (e) {
      // Whether it failed or is stuck, a late watch must not leak: cancel it when it comes.
      pending.then((late) => late.cancel(), () => undefined).catch(() => undefined);
      if (timedOut) this.watchVia = this.storage.etcd.namespace('');
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Every change to the store goes through here, so what is derived from it follows: `version`
   * always, the sorted key list when the set of keys changed.
   */
  private changed(keys: boolean): void {
    this.version++;
    if (keys) this.sortedKeys = undefined;
  }

  private reset(): void {
    const old = this.etcdWatcher;
    this.etcdWatcher = undefined;
    void old?.cancel().catch(() => undefined);
    for (const w of [...this.watchers]) w.onReset();
    this.watchers.clear();
    this.ready = this.relist();
  }

  /** Lists (again) until it works (etcd may be slow or without quorum right now); /readyz fails meanwhile. */
  private async relist(): Promise<void> {
    for (let delay = 250; !this.stopped; delay = Math.min(delay * 2, 5000)) {
      try {
        await this.start();
        return;
      } catch (e) {
        this.log.error({ err: e, prefix: this.prefix }, 'watch cache list failed; retrying');
        await new Promise((r) => setTimeout(r, delay).unref());
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.isReady = false;
    for (const w of [...this.watchers]) w.onReset();
    this.watchers.clear();
    await this.etcdWatcher?.cancel().catch(() => undefined);
  }

  private applyPut(key: string, kv: IKeyValue): void {
    let decoded;
    try {
      decoded = this.storage.decode(kv);
    } catch (e) {
      this.applyUndecodable(key, Number(kv.mod_revision), e instanceof StatusError ? e : errors.internal(String(e)));
      return;
    }
    this.undecodable.delete(key);
    const { obj, modRevision } = decoded;
    const prev = this.store.get(key);
    const entry = entryOf(key, obj, modRevision);
    this.store.set(key, entry);
    this.changed(!prev);
    this.push({ type: prev ? 'MODIFIED' : 'ADDED', entry, prev }, modRevision);
  }

  /**
   * A new value nobody can read: watchers cannot be told what the object became, so they end
   * (clients relist, which fails while the value stays unreadable), and history before it is
   * dropped so that no watch resumes past it with the old object.
   */
  private applyUndecodable(key: string, rev: number, err: StatusError): void {
    this.undecodable.set(key, err);
    this.changed(this.store.delete(key));
    this.head = 0;
    this.size = 0;
    this.ring.fill(undefined);
    this.windowStart = rev;
    this.rv = Math.max(this.rv, rev);
    for (const w of [...this.watchers]) w.onReset();
    this.watchers.clear();
  }

  private applyDelete(key: string, rev: number): void {
    this.undecodable.delete(key);
    const prev = this.store.get(key);
    if (!prev) {
      this.rv = Math.max(this.rv, rev);
      return;
    }
    this.store.delete(key);
    this.changed(true);
    const obj: KObject = { ...prev.obj, metadata: { ...prev.obj.metadata, resourceVersion: String(rev) } };
    this.push({ type: 'DELETED', entry: entryOf(key, obj, rev), prev }, rev);
  }

  private push(ev: CacheEvent, rev: number): void {
    const cap = this.ring.length;
    const now = Date.now();
    this.evictOlderThan(now - this.retentionMs);
    if (this.size === cap) {
      const evicted = this.ring[this.head];
      if (evicted) this.windowStart = evicted.entry.rev;
    } else {
      this.size++;
    }
    this.ring[this.head] = ev;
    this.arrived[this.head] = now;
    this.head = (this.head + 1) % cap;
    this.rv = Math.max(this.rv, rev);
    for (const w of this.watchers) {
      try {
        w.onEvent(ev);
      } catch (e) {
        this.log.warn({ err: e }, 'watcher failed; dropping it');
        this.watchers.delete(w);
      }
    }
  }

  /** Drops the oldest events that arrived before `cutoff`, keeping at least MIN_EVENTS. */
  private evictOlderThan(cutoff: number): void {
    const cap = this.ring.length;
    while (this.size > MIN_EVENTS) {
      const tail = (this.head - this.size + cap) % cap;
      const ev = this.ring[tail];
      if (ev && this.arrived[tail]! >= cutoff) return;
      if (ev) this.windowStart = ev.entry.rev;
      this.ring[tail] = undefined;
      this.size--;
    }
  }

  get(key: string): CacheEntry | undefined {
    return this.store.get(key);
  }

  /** Current objects in key order (the order etcd lists them in). */
  list(keyPrefix = ''): CacheEntry[] {
    if (this.undecodable.size) {
      for (const [k, err] of this.undecodable) if (k.startsWith(keyPrefix)) throw err;
    }
    if (!this.sortedKeys) this.sortedKeys = [...this.store.keys()].sort();
    const out: CacheEntry[] = [];
    for (const k of this.sortedKeys) {
      if (keyPrefix && !k.startsWith(keyPrefix)) continue;
      const e = this.store.get(k);
      if (e) out.push(e);
    }
    return out;
  }

  /**
   * Subscribes `w` to every event with a revision above `fromRev`, replaying the ones the ring
   * still holds first. Throws TooOldError when events after `fromRev` were already dropped.
   */
  watch(fromRev: number, w: CacheWatcher): () => void {
    if (fromRev < this.windowStart) throw new TooOldError(fromRev, this.windowStart + 1);
    const cap = this.ring.length;
    const first = (this.head - this.size + cap) % cap;
    for (let i = 0; i < this.size; i++) {
      const ev = this.ring[(first + i) % cap];
      if (ev && ev.entry.rev > fromRev) w.onEvent(ev);
    }
    this.watchers.add(w);
    return () => {
      this.watchers.delete(w);
    };
  }
}

/** `ns/name` or `name` relative to the resource prefix. */
function keyOf(obj: KObject, _prefix: string): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name}`;
}
