// Feeds the node graph from the apiserver's own watch caches of pods, PVCs and PVs (Kubernetes'
// graph_populator.go does the same from informers). Each cache is listed once it is ready,
// then followed through its events; when a cache resets (etcd history lost), its kind is
// relisted and the graph is brought to the new list. Handlers never throw into the cache:
// a watcher that throws is dropped by it, and the graph would silently stop following.
import type { Logger } from 'pino';
import type { KObject } from '../../../api/types.js';
import type { CacheEvent, WatchCache } from '../../storage/watch-cache.js';
import type { NodeGraph } from './graph.js';

export interface NodeGraphCaches {
  pods: WatchCache;
  persistentVolumeClaims: WatchCache;
  persistentVolumes: WatchCache;
}

/** How one kind of object goes into the graph. */
interface Feed {
  kind: string;
  cache: WatchCache;
  replace(objs: KObject[]): void;
  upsert(obj: KObject): void;
  remove(obj: KObject): void;
}

const nsOf = (o: KObject): string => o.metadata?.namespace ?? '';
const nameOf = (o: KObject): string => o.metadata?.name ?? '';

export class GraphPopulator {
  private readonly unsubscribes = new Map<string, () => void>();
  private stopped = false;
  /** Resolves once every cache has been listed into the graph (or the populator stopped). */
  readonly synced: Promise<void>;

  constructor(
    graph: NodeGraph,
    caches: NodeGraphCaches,
    private readonly log: Logger,
  ) {
    const feeds: Feed[] = [
      {
        kind: 'pods',
        cache: caches.pods,
        replace: (objs) => graph.replacePods(objs),
        upsert: (o) => graph.addPod(o),
        remove: (o) => graph.deletePod(nsOf(o), nameOf(o)),
      },
      {
        kind: 'persistentvolumeclaims',
        cache: caches.persistentVolumeClaims,
        replace: (objs) => graph.replacePVCs(objs),
        upsert: (o) => graph.addPVC(o),
        remove: (o) => graph.deletePVC(nsOf(o), nameOf(o)),
      },
      {
        kind: 'persistentvolumes',
        cache: caches.persistentVolumes,
        replace: (objs) => graph.replacePVs(objs),
        upsert: (o) => graph.addPV(o),
        remove: (o) => graph.deletePV(nameOf(o)),
      },
    ];
    this.synced = Promise.all(feeds.map((f) => this.sync(f))).then(() => undefined);
  }

  /** Stops following the caches; the graph keeps what it has. */
  stop(): void {
    this.stopped = true;
    for (const unsubscribe of this.unsubscribes.values()) unsubscribe();
    this.unsubscribes.clear();
  }

  private async sync(feed: Feed): Promise<void> {
    for (;;) {
      if (this.stopped) return;
      const ready = feed.cache.ready;
      try {
        await ready;
      } catch {
        // The cache logs its own failure; what follows sees it is not ready.
      }
      if (this.stopped) return;
      if (feed.cache.isReady) {
        this.follow(feed);
        return;
      }
      // Not ready, and no new start under way: the cache was stopped or its relist failed.
      if (feed.cache.ready === ready) {
        this.log.warn({ resource: feed.kind }, 'node graph: watch cache is not serving; the graph stops following it');
        return;
      }
    }
  }

  /** List and subscribe in one synchronous step, so no event falls between the two. */
  private follow(feed: Feed): void {
    const { cache } = feed;
    try {
      feed.replace(cache.list().map((e) => e.obj));
      const unsubscribe = cache.watch(cache.rv, {
        onEvent: (ev) => this.apply(feed, ev),
        onReset: () => {
          this.unsubscribes.delete(feed.kind);
          // The cache assigns its new `ready` right after telling its watchers.
          queueMicrotask(() => void this.sync(feed));
        },
      });
      this.unsubscribes.set(feed.kind, unsubscribe);
    } catch (e) {
      this.log.error({ err: e, resource: feed.kind }, 'node graph: cannot follow the watch cache');
    }
  }

  private apply(feed: Feed, ev: CacheEvent): void {
    try {
      if (ev.type === 'DELETED') feed.remove(ev.prev?.obj ?? ev.entry.obj);
      else feed.upsert(ev.entry.obj);
    } catch (e) {
      this.log.error({ err: e, resource: feed.kind, key: ev.entry.key }, 'node graph: event not applied');
    }
  }
}
