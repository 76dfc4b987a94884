// Which pods wait on a claim (pv_controller.go findNonScheduledPodsByPVC): the WaitForFirstConsumer
// event names unscheduled pods that use the claim, so `kubectl describe pvc` tells the user
// the binding waits for the scheduler, not for a consumer to appear.
import type { Pod, PersistentVolumeClaim } from 'kubernetes-types/core/v1';

/** The claims a pod uses: persistentVolumeClaim volumes, and generic ephemeral volumes' `<pod>-<volume>` claims. */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}

const isTerminated = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/** Names of the not-yet-scheduled, not-finished pods in the claim's namespace that use it, sorted. */
export function nonScheduledPodsUsing(claim: PersistentVolumeClaim, podsInNamespace: readonly Pod[]): string[] {
  const name = claim.metadata?.name ?? '';
  return podsInNamespace
    .filter((p) => !p.spec?.nodeName && !isTerminated(p) && podClaimNames(p).includes(name))
    .map((p) => p.metadata?.name ?? '')
    .sort();
}

/** emitEventForUnboundDelayBindingClaim's reason and message. */
export function delayBindingEvent(podNames: readonly string[]): { reason: string; message: string } {
  if (podNames.length === 0) return { reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' };
  if (podNames.length === 1) return { reason: 'WaitForPodScheduled', message: `waiting for pod ${podNames[0]} to be scheduled` };
  return { reason: 'WaitForPodScheduled', message: `waiting for pods ${podNames.join(',')} to be scheduled` };
}
