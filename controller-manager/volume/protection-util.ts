// What the PVC and PV protection controllers share: whether an object still carries a finalizer
// and is being deleted, and the update that removes exactly that finalizer (an Update on the
// cached version: a conflict means the object changed, and the queue retries on fresh state).
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { isNotFound, type ResourceClient } from '../../client/index.js';

type WithMeta = { metadata?: ObjectMeta };

export const hasFinalizer = (o: WithMeta, f: string): boolean => o.metadata?.finalizers?.includes(f) ?? false;
export const isDeletionCandidate = (o: WithMeta, f: string): boolean => !!o.metadata?.deletionTimestamp && hasFinalizer(o, f);
export const needToAddFinalizer = (o: WithMeta, f: string): boolean => !o.metadata?.deletionTimestamp && !hasFinalizer(o, f);

/** Updates the object without `finalizer`; a vanished object is done. */
export async function removeFinalizer<T extends WithMeta & { metadata?: ObjectMeta }>(client: ResourceClient<T & { apiVersion?: string; kind?: string }>, obj: T, finalizer: string): Promise<void> {
  const next = structuredClone(obj);
  next.metadata = { ...next.metadata, finalizers: (next.metadata?.finalizers ?? []).filter((x) => x !== finalizer) };
  try {
    await client.update(next);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Adds `finalizer` (objects created before the admission plugin was on), as upstream's controllers do. */
export async function addFinalizer<T extends WithMeta & { metadata?: ObjectMeta }>(client: ResourceClient<T & { apiVersion?: string; kind?: string }>, obj: T, finalizer: string): Promise<void> {
  const next = structuredClone(obj);
  next.metadata = { ...next.metadata, finalizers: [...(next.metadata?.finalizers ?? []), finalizer] };
  try {
    await client.update(next);
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}
