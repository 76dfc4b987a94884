// One ResourceStore (with its watch cache) per stored resource of api/resources.ts, looked up
// by group and resource (k8s' RESTStorage map of an API group).
import type { Logger } from 'pino';
import { storedResources } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import type { Storage } from '../storage/storage.js';
import type { AdmissionPlugin } from '../admission/interfaces.js';
import { ResourceStore } from './store.js';
import type { RESTStrategy } from './rest-strategy.js';

export class ResourceStores {
  private readonly byResource = new Map<string, ResourceStore>();

  /**
   * `admission` is shared by every store and may be filled after they are made. `strategies`
   * replaces the built-in strategy of a `group/resource` (the CRD's, from apiextensions).
   */
  constructor(storage: Storage, etcdPrefix: string, admission: AdmissionPlugin[], log: Logger, watchCacheSize: number, strategies: Record<string, RESTStrategy> = {}) {
    for (const info of storedResources()) {
      if (info.virtual) continue;
      const gr = `${info.group}/${info.resource}`;
      this.byResource.set(gr, new ResourceStore(info, storage, etcdPrefix, admission, log.child({ resource: info.resource }), watchCacheSize, strategies[gr]));
    }
  }

  /** The store of group/resource; a NotFound Status when nothing stores it. */
  readonly get = (group: string, resource: string): ResourceStore => {
    const s = this.byResource.get(`${group}/${resource}`);
    if (!s) throw errors.notFound({ group, resource }, resource);
    return s;
  };

  all(): ResourceStore[] {
    return [...this.byResource.values()];
  }

  /** Resolves when every watch cache holds its initial list. */
  async ready(): Promise<void> {
    await Promise.all(this.all().map((s) => s.cache.ready));
  }

  async stop(): Promise<void> {
    await Promise.all(this.all().map((s) => s.cache.stop()));
  }
}
