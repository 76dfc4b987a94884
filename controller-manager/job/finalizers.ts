// The job-tracking finalizer at the API edge: removing it from pods (a strategic-merge
// $deleteFromPrimitiveList, as the Job controller's removeTrackingFinalizerPatch), and the
// finalizer expectations (uidTrackingExpectations) that keep a pod whose removal is in
// flight from being counted again while the informer still shows the old pod.
import type { Pod } from 'kubernetes-types/core/v1';
import { isNotFound, type ResourceClient } from '../../client/index.js';
import { JOB_TRACKING_FINALIZER, hasTrackingFinalizer, podUid } from './tracking.js';

export const REMOVE_TRACKING_FINALIZER_PATCH = { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } };

/** Per Job key: uids of pods whose finalizer removal was sent and not yet observed. */
export class FinalizerExpectations {
  private readonly byJob = new Map<string, Set<string>>();

  get(key: string): ReadonlySet<string> {
    return this.byJob.get(key) ?? new Set();
  }

  expect(key: string, uids: readonly string[]): void {
    const s = this.byJob.get(key) ?? new Set<string>();
    for (const u of uids) s.add(u);
    this.byJob.set(key, s);
  }

  observed(key: string, uid: string): void {
    const s = this.byJob.get(key);
    if (!s) return;
    s.delete(uid);
    if (s.size === 0) this.byJob.delete(key);
  }

  delete(key: string): void {
    this.byJob.delete(key);
  }
}

/**
 * Removes the finalizer from `pods` in parallel (removeTrackingFinalizerFromPods). Returns the
 * uids it is gone from (a pod already deleted counts) and the first other error.
 */
export async function removeTrackingFinalizers(
  client: ResourceClient<Pod>,
  pods: readonly Pod[],
  expectations?: { key: string; exp: FinalizerExpectations },
): Promise<{ removed: Set<string>; error?: unknown }> {
  const targets = pods.filter(hasTrackingFinalizer);
  expectations?.exp.expect(expectations.key, targets.map(podUid));
  const removed = new Set<string>();
  let error: unknown;
  await Promise.all(
    targets.map(async (p) => {
      try {
        await client.patch(p.metadata?.name ?? '', 'strategic', REMOVE_TRACKING_FINALIZER_PATCH);
        removed.add(podUid(p));
      } catch (e) {
        // No update will come for a removal that did not happen.
        expectations?.exp.observed(expectations.key, podUid(p));
        if (isNotFound(e)) removed.add(podUid(p));
        else error ??= e;
      }
    }),
  );
  return error === undefined ? { removed } : { removed, error };
}
