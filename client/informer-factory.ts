// SharedInformerFactory (client-go informers.SharedInformerFactory): controllers in one
// process ask it for informers, and everyone asking for the same resource and selectors shares
// one list-watch and one cache.
import type { RestClient, ResourceRef } from './rest.js';
import { resolveRef } from './rest.js';
import type { ObjectLike, ResourceName, ResourceTypes } from './typed.js';
import type { ResourceInfo } from '../api/resources.js';
import { listWatchFor, type Selectors, type ReflectorOptions } from './reflector.js';
import { SharedInformer } from './informer.js';
import {
  NAMESPACE_INDEX,
  NODE_NAME_INDEX,
  OWNER_UID_INDEX,
  namespaceIndexFunc,
  nodeNameIndexFunc,
  ownerUidIndexFunc,
  type Indexers,
} from './store.js';
import type { Logger } from './log.js';

export interface InformerFactoryOptions extends Selectors {
  /** Watch only this namespace (default: all). */
  namespace?: string;
  /** Default handler resync period (ms); 0 = never (the default). */
  resyncPeriodMs?: number;
  logger?: Logger;
  reflector?: Omit<ReflectorOptions, 'name' | 'logger'>;
}

export interface InformerRequest<T> extends Selectors {
  namespace?: string;
  indexers?: Indexers<T>;
}

export class SharedInformerFactory {
  private readonly informers = new Map<string, SharedInformer<ObjectLike>>();
  private started = false;

  constructor(
    private readonly client: RestClient,
    private readonly opts: InformerFactoryOptions = {},
  ) {}

  /**
   * The shared informer for a resource (and namespace/selectors, defaulting to the
   * factory's). Every informer has the `namespace` and `ownerUid` indexes; pods also
   * `spec.nodeName`. Informers asked for after start() start at once.
   */
  informerFor<R extends ResourceName>(ref: R, req?: InformerRequest<ResourceTypes[R]>): SharedInformer<ResourceTypes[R]>;
  informerFor<T extends ObjectLike>(ref: ResourceRef | ResourceInfo, req?: InformerRequest<T>): SharedInformer<T>;
  informerFor<T extends ObjectLike>(ref: ResourceRef | ResourceInfo, req: InformerRequest<T> = {}): SharedInformer<T> {
    const info = resolveRef(ref);
    const namespace = req.namespace ?? this.opts.namespace;
    const selectors: Selectors = {
      labelSelector: req.labelSelector ?? this.opts.labelSelector,
      fieldSelector: req.fieldSelector ?? this.opts.fieldSelector,
    };
    const key = [info.group, info.resource, namespace ?? '', selectors.labelSelector ?? '', selectors.fieldSelector ?? ''].join('|');
    let informer = this.informers.get(key) as SharedInformer<T> | undefined;
    if (!informer) {
      const indexers: Indexers<T> = {
        [NAMESPACE_INDEX]: namespaceIndexFunc,
        [OWNER_UID_INDEX]: ownerUidIndexFunc,
        ...(info.resource === 'pods' && info.group === '' ? { [NODE_NAME_INDEX]: nodeNameIndexFunc as (o: T) => string[] } : {}),
      };
      const resource = this.client.resource<T>(info, namespace);
      informer = new SharedInformer<T>(listWatchFor(resource, selectors), {
        name: [info.group ? `${info.resource}.${info.group}` : info.resource, namespace, selectors.fieldSelector, selectors.labelSelector]
          .filter(Boolean)
          .join(' '),
        indexers,
        resyncPeriodMs: this.opts.resyncPeriodMs,
        ...(this.opts.logger ? { logger: this.opts.logger } : {}),
        ...(this.opts.reflector ? { reflector: this.opts.reflector } : {}),
      });
      this.informers.set(key, informer as unknown as SharedInformer<ObjectLike>);
      if (this.started) informer.run();
    }
    if (req.indexers) {
      // Same-named indexes are assumed to be the same function (shared informers, shared indexes).
      const fresh = Object.fromEntries(Object.entries(req.indexers).filter(([name]) => !informer.hasIndex(name)));
      informer.addIndexers(fresh);
    }
    return informer;
  }

  /** Starts every informer asked for so far (and, from now on, any asked for later). */
  start(): void {
    this.started = true;
    for (const inf of this.informers.values()) inf.run();
  }

  /** Resolves when all informers asked for so far have synced; rejects if `signal` aborts first. */
  async waitForCacheSync(signal?: AbortSignal): Promise<void> {
    const all = Promise.all([...this.informers.values()].map((inf) => inf.waitForSync()));
    if (!signal) {
      await all;
      return;
    }
    // One abort listener for the lot: many controllers wait on one signal, each for every informer.
    if (signal.aborted) throw signal.reason;
    let onAbort: () => void = () => undefined;
    const aborted = new Promise<never>((_, reject) => {
      onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
    });
    try {
      await Promise.race([all, aborted]);
    } finally {
      signal.removeEventListener('abort', onAbort);
    }
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.informers.values()].map((inf) => inf.stop()));
  }
}
