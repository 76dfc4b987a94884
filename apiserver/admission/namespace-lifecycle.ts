// Admission plugins run on every write after validation (k8s' admission chain).
import type { ResourceInfo } from '../../api/resources.js';
import { errors, StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import type { ResourceStore } from '../registry/store.js';
import type { AdmissionPlugin, Operation } from './interfaces.js';

/** Namespaces that exist from the start and may never be deleted. */
export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/**
 * NamespaceLifecycle: nothing is created in a namespace that does not exist or is being
 * terminated, and the system namespaces cannot be deleted.
 */
/** How long after a namespace DELETE its creates check etcd, not the cache (k8s: forceLiveLookupTTL). */
const FORCE_LIVE_LOOKUP_MS = 30_000;

export class NamespaceLifecycle implements AdmissionPlugin {
  /** Namespaces deleted through this apiserver lately → when to stop looking them up live. */
  private readonly recentlyDeleted = new Map<string, number>();

  constructor(
    private readonly namespaces: () => ResourceStore,
    private readonly now: () => number = Date.now,
  ) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined): Promise<void> {
    if (info.kind === 'Namespace') {
      if (op === 'DELETE' && IMMORTAL_NAMESPACES.includes(obj.metadata?.name ?? '')) {
        throw errors.forbidden({ group: '', resource: 'namespaces' }, obj.metadata?.name ?? '', 'this namespace may not be deleted');
      }
      if (op === 'DELETE') {
        const now = this.now();
        for (const [name, until] of this.recentlyDeleted) if (until <= now) this.recentlyDeleted.delete(name);
        this.recentlyDeleted.set(obj.metadata?.name ?? '', now + FORCE_LIVE_LOOKUP_MS);
      }
      return;
    }
    if (op !== 'CREATE' || !info.namespaced) return;
    const ns = obj.metadata?.namespace ?? '';
    const store = this.namespaces();
    // The cache may lag: a namespace created a moment ago (the cache says no), or one deleted a
    // moment ago through this apiserver (the cache still says Active) — ask etcd then.
    let cached = store.cache.get(ns)?.obj;
    const until = this.recentlyDeleted.get(ns);
    if (until !== undefined) {
      if (until <= this.now()) this.recentlyDeleted.delete(ns);
      else if (cached && !cached.metadata?.deletionTimestamp) cached = undefined;
    }
    const current = cached ?? (await store.get(undefined, ns).catch((e: unknown) => {
      if (e instanceof StatusError && e.code === 404) return undefined;
      throw e;
    }));
    if (!current) throw errors.notFound({ group: '', resource: 'namespaces' }, ns);
    if (current.metadata?.deletionTimestamp && info.kind !== 'Event') {
      const e = errors.forbidden(
        { group: info.group, resource: info.resource },
        obj.metadata?.name ?? '',
        `unable to create new content in namespace ${ns} because it is being terminated`,
      );
      e.status.details = { ...e.status.details, causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] };
      throw e;
    }
  }
}
