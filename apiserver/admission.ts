// Admission plugins run on every write after validation (k8s' admission chain).
import type { ResourceInfo } from '../api/resources.js';
import { errors, StatusError } from '../api/status.js';
import type { KObject } from '../api/types.js';
import type { AdmissionPlugin, Operation, ResourceStore } from './registry.js';

/** Namespaces that exist from the start and may never be deleted. */
export const IMMORTAL_NAMESPACES = ['default', 'kube-system', 'kube-public'];

/**
 * NamespaceLifecycle: nothing is created in a namespace that does not exist or is being
 * terminated, and the system namespaces cannot be deleted.
 */
export class NamespaceLifecycle implements AdmissionPlugin {
  constructor(private readonly namespaces: () => ResourceStore) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined): Promise<void> {
    if (info.kind === 'Namespace') {
      if (op === 'DELETE' && IMMORTAL_NAMESPACES.includes(obj.metadata?.name ?? '')) {
        throw errors.forbidden({ group: '', resource: 'namespaces' }, obj.metadata?.name ?? '', 'this namespace may not be deleted');
      }
      return;
    }
    if (op !== 'CREATE' || !info.namespaced) return;
    const ns = obj.metadata?.namespace ?? '';
    const store = this.namespaces();
    // The cache may lag a namespace created a moment ago: ask etcd when the cache says no.
    const cached = store.cache.get(ns)?.obj;
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
