// A SharedInformer (client-go tools/cache/shared_informer.go): one Reflector feeding one
// Store, and any number of event handlers told about adds, updates and deletes. Handlers run
// synchronously after the store has changed, so a handler reading the store sees the new state.
import type { ObjectLike } from './typed.js';
import { Reflector, type ListerWatcher, type ReflectorOptions, type ReflectorSink } from './reflector.js';
import { Store, metaNamespaceKey, type Indexers, type Lister } from './store.js';
import { defaultLogger, type Logger } from './log.js';

/**
 * What onDelete gets when an object vanished while we were not watching (it was missing
 * from a relist): its key and the last state we knew.
 */
export interface DeletedFinalStateUnknown<T> {
  readonly tombstone: true;
  readonly key: string;
  readonly obj: T;
}

export function isTombstone<T>(v: T | DeletedFinalStateUnknown<T>): v is DeletedFinalStateUnknown<T> {
  return typeof v === 'object' && v !== null && (v as { tombstone?: unknown }).tombstone === true;
}

/** The object of a delete notification, unwrapping a tombstone. */
export function deletedObject<T>(v: T | DeletedFinalStateUnknown<T>): T {
  return isTombstone(v) ? v.obj : v;
}

export interface ResourceEventHandler<T> {
  /** `isInInitialList`: the object came with the first list (or predates this handler). */
  onAdd?(obj: T, isInInitialList: boolean): void;
  /** Also called with old === new on a periodic resync, and on a relist for every object still there. */
  onUpdate?(oldObj: T, newObj: T): void;
  onDelete?(obj: T | DeletedFinalStateUnknown<T>): void;
}

export interface HandlerRegistration {
  remove(): void;
}

export interface InformerOptions<T> {
  /** For logs, e.g. `pods`. */
  name?: string;
  logger?: Logger;
  indexers?: Indexers<T>;
  /** Default resync period for handlers (ms); 0 = never. */
  resyncPeriodMs?: number;
  reflector?: Omit<ReflectorOptions, 'name' | 'logger'>;
}

interface Listener<T> {
  handler: ResourceEventHandler<T>;
  resyncPeriodMs: number;
  nextResyncAt: number;
}

export class SharedInformer<T extends ObjectLike> {
  private readonly store: Store<T>;
  private readonly reflector: Reflector<T>;
  private readonly listeners = new Set<Listener<T>>();
  private readonly log: Logger;
  private readonly name: string;
  private synced = false;
  private started = false;
  private resyncTimer: NodeJS.Timeout | undefined;
  private resyncCheckMs = 0;
  private readonly syncWaiters: Array<() => void> = [];

  constructor(
    lw: ListerWatcher<T>,
    private readonly opts: InformerOptions<T> = {},
  ) {
    this.name = opts.name ?? 'informer';
    this.log = opts.logger ?? defaultLogger();
    this.store = new Store<T>(opts.indexers ?? {});
    const sink: ReflectorSink<T> = {
      replace: (items) => this.onReplace(items),
      add: (obj) => this.onUpsert(obj),
      update: (obj) => this.onUpsert(obj),
      delete: (obj) => this.onDeleteEvent(obj),
    };
    this.reflector = new Reflector<T>(lw, sink, { ...opts.reflector, name: this.name, logger: this.log });
  }

  /** The cache. Objects are deep-frozen: clone before changing. */
  get lister(): Lister<T> {
    return this.store;
  }

  get lastSyncResourceVersion(): string {
    return this.reflector.lastSyncResourceVersion;
  }

  /** True once the first full list is in the store and handlers have been told about it. */
  hasSynced(): boolean {
    return this.synced;
  }

  /** Resolves when synced; rejects if `signal` aborts first. */
  waitForSync(signal?: AbortSignal): Promise<void> {
    if (this.synced) return Promise.resolve();
    return new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const onAbort = (): void => reject(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      this.syncWaiters.push(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      });
    });
  }

  addIndexers(indexers: Indexers<T>): void {
    this.store.addIndexers(indexers);
  }

  hasIndex(name: string): boolean {
    return this.store.hasIndex(name);
  }

  /**
   * Registers a handler. Added to a running informer, it first gets onAdd for every cached
   * object, as client-go does, so it never misses state.
   */
  addEventHandler(handler: ResourceEventHandler<T>, resyncPeriodMs = this.opts.resyncPeriodMs ?? 0): HandlerRegistration {
    const listener: Listener<T> = { handler, resyncPeriodMs, nextResyncAt: Date.now() + resyncPeriodMs };
    this.listeners.add(listener);
    if (this.synced) for (const obj of this.store.list()) this.call('onAdd', () => handler.onAdd?.(obj, true));
    this.scheduleResync();
    return { remove: () => void this.listeners.delete(listener) };
  }

  run(): void {
    if (this.started) return;
    this.started = true;
    this.reflector.run();
    this.scheduleResync();
  }

  async stop(): Promise<void> {
    clearInterval(this.resyncTimer);
    this.resyncTimer = undefined;
    await this.reflector.stop();
  }

  private onReplace(items: T[]): void {
    const initial = !this.synced;
    const seen = new Set<string>();
    for (const obj of items) {
      seen.add(metaNamespaceKey(obj));
      this.onUpsert(obj, initial);
    }
    // Whatever the relist no longer has was deleted while we were not watching.
    for (const key of this.store.listKeys()) {
      if (seen.has(key)) continue;
      const last = this.store.deleteKey(key) as T;
      const tombstone: DeletedFinalStateUnknown<T> = Object.freeze({ tombstone: true, key, obj: last });
      this.distribute((h) => h.onDelete?.(tombstone));
    }
    if (initial) {
      this.synced = true;
      for (const wake of this.syncWaiters.splice(0)) wake();
    }
  }

  private onUpsert(obj: T, initial = false): void {
    const old = this.store.upsert(obj);
    const cur = this.store.get(metaNamespaceKey(obj)) as T;
    if (old) this.distribute((h) => h.onUpdate?.(old, cur));
    else this.distribute((h) => h.onAdd?.(cur, initial));
  }

  private onDeleteEvent(obj: T): void {
    this.store.deleteKey(metaNamespaceKey(obj));
    const frozen = Object.isFrozen(obj) ? obj : Object.freeze(obj);
    this.distribute((h) => h.onDelete?.(frozen));
  }

  private distribute(fn: (h: ResourceEventHandler<T>) => void): void {
    for (const l of this.listeners) this.call('handler', () => fn(l.handler));
  }

  private call(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      // A failing handler must not stop the informer or starve other handlers.
      this.log.error({ resource: this.name, what, err: e }, 'event handler threw');
    }
  }

  /** Ticks at the shortest handler resync period and resyncs the handlers that are due. */
  private scheduleResync(): void {
    if (!this.started) return;
    const periods = [...this.listeners].map((l) => l.resyncPeriodMs).filter((p) => p > 0);
    const check = periods.length ? Math.min(...periods) : 0;
    if (check === this.resyncCheckMs) return;
    clearInterval(this.resyncTimer);
    this.resyncCheckMs = check;
    this.resyncTimer = check > 0 ? setInterval(() => this.resync(), check) : undefined;
    this.resyncTimer?.unref();
  }

  private resync(): void {
    if (!this.synced) return;
    const now = Date.now();
    const objs = this.store.list();
    for (const l of this.listeners) {
      // Half a tick of slack: a handler registered between ticks is resynced on the nearer one.
      if (l.resyncPeriodMs <= 0 || now < l.nextResyncAt - this.resyncCheckMs / 2) continue;
      l.nextResyncAt = now + l.resyncPeriodMs;
      for (const obj of objs) this.call('resync', () => l.handler.onUpdate?.(obj, obj));
    }
  }
}
