// Creating and deleting an owner's pods with expectations and events (Kubernetes' PodControl
// plus the slow-start and expectation bookkeeping around it), shared by the ReplicaSet and Job
// controllers.
import type { Pod } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isNotFound, isOutcomeUnknown, type ObjectLike } from '../../client/index.js';
import type { ControllerContext } from '../controller.js';
import { generatedName } from '../../api/names.js';
import { ControllerExpectations, SLOW_START_INITIAL_BATCH_SIZE, namespaceTerminating, podKey, slowStartBatch } from './controller-utils.js';

/** How long a create whose outcome is unknown is resent (same name) before it counts as failed. */
export const UNKNOWN_OUTCOME_RETRY_MS = 45_000;

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
 *
 * Unlike Kubernetes, a generateName pod gets its name here (the apiserver's own format), so
 * that a create whose outcome is unknown (a 500 from an etcd deadline: the write may commit
 * once quorum is back; a connection cut mid-request) can be sent again as the same pod:
 * 201 or 409 AlreadyExists both mean it exists. Kubernetes un-expects such a create and
 * makes another pod, and when the first one commits after all, an owner has a pod too many
 * (a Deployment then briefly passes replicas + maxSurge).
 */
export async function createPods(pc: PodControl, key: string, owner: ObjectLike, pod: Pod | ((i: number) => Pod), count: number): Promise<void> {
  const podClient = pc.ctx.client.resource('pods', owner.metadata?.namespace ?? '');
  const recorder = pc.ctx.recorder(pc.component);
  pc.expectations.expectCreations(key, count);
  let next = 0;
  const { successes, error } = await slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, async () => {
    const i = next++;
    const p = typeof pod === 'function' ? pod(i) : structuredClone(pod);
    if (!p.metadata?.name && p.metadata?.generateName) p.metadata.name = generatedName(p.metadata.generateName);
    try {
      await createOnce(() => podClient.create(p));
      recorder.event(owner, 'Normal', 'SuccessfulCreate', `Created pod: ${p.metadata?.name ?? ''}`);
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
 * Calls `create` until its outcome is known: resent (after 0.5 s, doubling to 4 s) while it
 * fails in a way that may not mean it failed, for up to UNKNOWN_OUTCOME_RETRY_MS. A resend
 * answered AlreadyExists means an earlier try landed: done.
 */
async function createOnce(create: () => Promise<unknown>, retryMs = UNKNOWN_OUTCOME_RETRY_MS): Promise<void> {
  const deadline = Date.now() + retryMs;
  for (let delay = 500, attempt = 0; ; delay = Math.min(delay * 2, 4000), attempt++) {
    try {
      await create();
      return;
    } catch (e) {
      if (attempt > 0 && isAlreadyExists(e)) return;
      if (!isOutcomeUnknown(e) || Date.now() + delay > deadline) throw e;
      await new Promise((r) => setTimeout(r, delay));
    }
  }
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
