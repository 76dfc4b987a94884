// Creating and deleting an owner's pods with expectations and events (Kubernetes' PodControl
// plus the slow-start and expectation bookkeeping around it), shared by the ReplicaSet and Job
// controllers.
import type { Pod } from 'kubernetes-types/core/v1';
import { isNotFound, type ObjectLike } from '../../client/index.js';
import type { ControllerContext } from '../controller.js';
import { ControllerExpectations, SLOW_START_INITIAL_BATCH_SIZE, namespaceTerminating, podKey, slowStartBatch } from './controller-utils.js';

export interface PodControl {
  ctx: ControllerContext;
  /** Event source component, e.g. `replicaset-controller`. */
  component: string;
  expectations: ControllerExpectations;
}

/**
 * Creates `count` pods for `owner` in slow-start batches — copies of `pod`, or `pod(i)` for the
 * i-th — expecting them first (the informer may see a pod before create() returns); creates
 * that never happened are un-expected at once. Throws the first error after recording a
 * FailedCreate event.
 */
export async function createPods(pc: PodControl, key: string, owner: ObjectLike, pod: Pod | ((i: number) => Pod), count: number): Promise<void> {
  const podClient = pc.ctx.client.resource('pods', owner.metadata?.namespace ?? '');
  const recorder = pc.ctx.recorder(pc.component);
  pc.expectations.expectCreations(key, count);
  let next = 0;
  const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
    const i = next++;
    try {
      const created = await podClient.create(typeof pod === 'function' ? pod(i) : structuredClone(pod));
      recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${created.metadata?.name ?? ''}`);
    } catch (e) {
      // Creating in a terminating namespace fails forever; that is not this controller's error.
      if (namespaceTerminating(e)) return;
      recorder.event(owner, 'Warning', 'FailedCreate', `Error creating: ${e instanceof Error ? e.message : String(e)}`);
      throw e;
    }
  });
  for (let i = successes; i < count; i++) pc.expectations.creationObserved(key);
  if (error !== undefined) throw error;
}

/**
 * Deletes `victims` in parallel, expecting each deletion first; returns the uids deleted and
 * the first error (a pod already gone is not one), so a caller can account for the rest.
 */
export async function deletePods(pc: PodControl, key: string, owner: ObjectLike, victims: readonly Pod[]): Promise<{ deleted: Set<string>; error?: unknown }> {
  const podClient = pc.ctx.client.resource('pods', owner.metadata?.namespace ?? '');
  const recorder = pc.ctx.recorder(pc.component);
  pc.expectations.expectDeletions(key, victims.map(podKey));
  const deleted = new Set<string>();
  const errors: unknown[] = [];
  await Promise.all(
    victims.map(async (p) => {
      try {
        await podClient.delete(p.metadata?.name ?? '');
        deleted.add(p.metadata?.uid ?? '');
        recorder.event(owner, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata?.name ?? ''}`);
      } catch (e) {
        // The informer will not observe a delete that did not happen.
        pc.expectations.deletionObserved(key, podKey(p));
        if (isNotFound(e)) return;
        recorder.event(owner, 'Warning', 'FailedDelete', `Error deleting: ${e instanceof Error ? e.message : String(e)}`);
        errors.push(e);
      }
    }),
  );
  return errors.length > 0 ? { deleted, error: errors[0] } : { deleted };
}
