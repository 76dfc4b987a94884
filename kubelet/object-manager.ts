// The kubelet's watch-based ConfigMap and Secret managers (k8s pkg/kubelet/util/manager:
// watch_based_manager.go + cache_based_manager.go). Under the Node authorizer a kubelet may
// only read the objects its own pods reference, one name at a time, so instead of a
// cluster-wide informer there is one reflector per referenced (namespace, name), listing and
// watching `fieldSelector=metadata.name=<name>` in that namespace, shared by every pod that
// references the object and stopped when the last of them is unregistered. Reads are answered
// from the local copy; a pod's sync first waits until its objects have been fetched once.
import type { Pod } from 'kubernetes-types/core/v1';
import { Reflector, deepFreeze, defaultLogger, listWatchFor, type Logger, type ObjectLike, type ReflectorOptions, type ResourceClient } from '../client/index.js';

export interface ObjectManagerOptions<T extends ObjectLike> {
  /** The object kind in messages and logs: `configmap`, `secret`. */
  kind: string;
  /** A client for the resource in one namespace (the manager adds the name selector). */
  client(namespace: string): ResourceClient<T>;
  /** The names of the objects of this kind a pod reads (in the pod's namespace). */
  referencedNames(pod: Pod): Set<string>;
  /** An object appeared, changed or went away: the uids of the pods that reference it. */
  onChange?(podUids: string[], namespace: string, name: string): void;
  logger?: Logger;
  reflector?: Omit<ReflectorOptions, 'name' | 'logger'>;
}

/** A pod's objects could not be fetched in time (the sync fails and is retried). */
export class ObjectCacheSyncError extends Error {}

interface RegisteredPod {
  namespace: string;
  names: Set<string>;
}

/** One watched object: its local copy and the pods that reference it. */
class ObjectCacheItem<T extends ObjectLike> {
  readonly pods = new Set<string>();
  object: T | undefined;
  synced = false;
  /** Somebody gave up waiting for the first list: tell the referencing pods when it comes. */
  waitTimedOut = false;
  reflector: Reflector<T> | undefined;
  /** Resolves once the first list has been stored (one promise, however many syncs wait). */
  readonly firstSync: Promise<void>;
  private wake: () => void = () => undefined;

  constructor(
    readonly namespace: string,
    readonly name: string,
  ) {
    this.firstSync = new Promise((resolve) => (this.wake = resolve));
  }

  markSynced(): void {
    this.synced = true;
    this.wake();
  }
}

export class WatchBasedObjectManager<T extends ObjectLike> {
  private readonly items = new Map<string, ObjectCacheItem<T>>();
  private readonly pods = new Map<string, RegisteredPod>();
  private readonly stopping = new Set<Promise<void>>();
  private readonly log: Logger;
  private stopped = false;

  constructor(private readonly opts: ObjectManagerOptions<T>) {
    this.log = opts.logger ?? defaultLogger();
  }

  /**
   * Registers (or re-registers) a pod's references: objects it newly references are watched
   * before those it no longer references are released, so a shared watch never restarts.
   */
  registerPod(pod: Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid || this.stopped) return;
    const namespace = pod.metadata?.namespace ?? 'default';
    const names = this.opts.referencedNames(pod);
    const prev = this.pods.get(uid);
    this.pods.set(uid, { namespace, names });
    for (const name of names) this.addReference(namespace, name, uid);
    if (prev) for (const name of prev.names) if (prev.namespace !== namespace || !names.has(name)) this.deleteReference(prev.namespace, name, uid);
  }

  /** Releases everything the pod referenced (the pod is gone). */
  unregisterPod(uid: string): void {
    const prev = this.pods.get(uid);
    if (!prev) return;
    this.pods.delete(uid);
    for (const name of prev.names) this.deleteReference(prev.namespace, name, uid);
  }

  /** The local copy of a referenced object; undefined when it does not exist (or is not referenced). */
  get(namespace: string, name: string): T | undefined {
    return this.items.get(key(namespace, name))?.object;
  }

  /**
   * Waits until every object the pod references has been listed once, so a pod created
   * together with its ConfigMap does not fail for a watch that has not delivered yet.
   */
  async waitForPod(pod: Pod, timeoutMs: number): Promise<void> {
    const namespace = pod.metadata?.namespace ?? 'default';
    const pending = [...this.opts.referencedNames(pod)]
      .map((name) => this.items.get(key(namespace, name)))
      .filter((i): i is ObjectCacheItem<T> => !!i && !i.synced);
    if (!pending.length) return;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      const r = await Promise.race([Promise.all(pending.map((i) => i.firstSync)), timeout]);
      if (this.stopped) throw new ObjectCacheSyncError(`the ${this.opts.kind} manager is stopped`);
      if (r !== 'timeout') return;
    } finally {
      clearTimeout(timer);
    }
    const late = pending.filter((i) => !i.synced);
    if (!late.length) return;
    for (const i of late) i.waitTimedOut = true;
    const names = late.map((i) => `${i.namespace}/${i.name}`).join(', ');
    throw new ObjectCacheSyncError(`failed to sync ${this.opts.kind} cache: timed out waiting for ${names}`);
  }

  /** How many objects are being watched right now (one reflector each). */
  watchCount(): number {
    let n = 0;
    for (const i of this.items.values()) if (i.reflector) n++;
    return n;
  }

  /** Stops every watch; registrations after this are ignored. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const item of this.items.values()) {
      this.stopReflector(item);
      item.markSynced();
    }
    this.items.clear();
    this.pods.clear();
    await Promise.all(this.stopping);
  }

  private addReference(namespace: string, name: string, uid: string): void {
    const k = key(namespace, name);
    let item = this.items.get(k);
    if (!item) {
      item = new ObjectCacheItem<T>(namespace, name);
      this.items.set(k, item);
      this.startReflector(item);
    }
    item.pods.add(uid);
  }

  private deleteReference(namespace: string, name: string, uid: string): void {
    const k = key(namespace, name);
    const item = this.items.get(k);
    if (!item) return;
    item.pods.delete(uid);
    if (item.pods.size > 0) return;
    this.items.delete(k);
    // A pod still waiting for it gets its answer (the object is no longer of interest).
    item.markSynced();
    this.stopReflector(item);
  }

  private startReflector(item: ObjectCacheItem<T>): void {
    const lw = listWatchFor(this.opts.client(item.namespace), { fieldSelector: `metadata.name=${item.name}` });
    const set = (obj: T | undefined): void => this.store(item, obj);
    item.reflector = new Reflector<T>(
      lw,
      {
        replace: (items) => {
          set(items.find((o) => o.metadata?.name === item.name));
          if (!item.synced) item.markSynced();
        },
        add: set,
        update: set,
        delete: () => set(undefined),
      },
      { ...this.opts.reflector, name: `${this.opts.kind} ${item.namespace}/${item.name}`, logger: this.log },
    );
    item.reflector.run();
  }

  private stopReflector(item: ObjectCacheItem<T>): void {
    const r = item.reflector;
    if (!r) return;
    item.reflector = undefined;
    const p = r.stop().catch(() => undefined);
    this.stopping.add(p);
    void p.finally(() => this.stopping.delete(p));
  }

  /** Keeps the new state and tells the referencing pods when it differs from what they saw. */
  private store(item: ObjectCacheItem<T>, obj: T | undefined): void {
    const before = item.object?.metadata?.resourceVersion;
    item.object = obj === undefined ? undefined : deepFreeze(obj);
    const changed = before !== obj?.metadata?.resourceVersion;
    // An immutable object cannot change any more: its watch is not worth keeping (as k8s).
    if (item.object && (item.object as { immutable?: boolean }).immutable === true) this.stopReflector(item);
    // The first list is what a waiting sync gets anyway; only a sync that gave up needs telling.
    const notify = changed && (item.synced || item.waitTimedOut);
    if (notify && this.items.get(key(item.namespace, item.name)) === item) {
      item.waitTimedOut = false;
      this.opts.onChange?.([...item.pods], item.namespace, item.name);
    }
  }
}

function key(namespace: string, name: string): string {
  return `${namespace}/${name}`;
}
