// The PodScheduled=False condition a pod gets when it cannot be scheduled (k8s
// updatePod/podutil.UpdatePodCondition): written only when the reason, message or
// nominatedNodeName actually changed, so a pod retried every few seconds does not turn into a
// stream of writes.
import type { Pod, PodCondition } from 'kubernetes-types/core/v1';
import type { ResourceClient } from '../client/index.js';
import { metaTime } from '../api/time.js';

export function podScheduledConditionChanged(pod: Pod, reason: string, message: string, nominatedNodeName?: string): boolean {
  const c = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  const nominatedChanged = nominatedNodeName !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominatedNodeName;
  return !c || c.status !== 'False' || c.reason !== reason || c.message !== message || nominatedChanged;
}

export async function updatePodScheduledCondition(
  pods: ResourceClient<Pod>,
  pod: Pod,
  reason: string,
  message: string,
  nominatedNodeName?: string,
): Promise<void> {
  if (!podScheduledConditionChanged(pod, reason, message, nominatedNodeName)) return;
  const prior = pod.status?.conditions?.find((x) => x.type === 'PodScheduled');
  const condition: PodCondition = {
    type: 'PodScheduled',
    status: 'False',
    reason,
    message,
    lastTransitionTime: prior?.status === 'False' && prior.lastTransitionTime ? prior.lastTransitionTime : metaTime(),
  };
  await pods.patch(
    pod.metadata?.name ?? '',
    'strategic',
    { status: { conditions: [{ ...condition, lastProbeTime: null }], ...(nominatedNodeName !== undefined ? { nominatedNodeName } : {}) } },
    { subresource: 'status' },
  );
}
