// NodeResourcesFit: a pod fits when its requests (cpu, memory, ephemeral-storage, one pod
// slot) fit in what the node has left of its allocatable; scoring is the LeastAllocated
// strategy (the default): the more a node has free after placing the pod, the higher.
import { ActionType, Code, MAX_NODE_SCORE, newStatus } from '../framework/interface.js';
import type { CycleState, EnqueueExtensions, FilterPlugin, Result, ScorePlugin } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const NAME = 'NodeResourcesFit';
export const REASON_TOO_MANY_PODS = 'Too many pods';

/** The reasons a pod does not fit a node's remaining allocatable (k8s fitsRequest); empty = fits. */
export function insufficientResources(pod: PodInfo, node: NodeInfo): string[] {
  const out: string[] = [];
  if (node.allocatable.pods < node.pods.size + 1) out.push(REASON_TOO_MANY_PODS);
  const r = pod.requests;
  const a = node.allocatable;
  const used = node.requested;
  if (r.milliCPU > 0 && r.milliCPU > a.milliCPU - used.milliCPU) out.push('Insufficient cpu');
  if (r.memory > 0 && r.memory > a.memory - used.memory) out.push('Insufficient memory');
  if (r.ephemeralStorage > 0 && r.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage) out.push('Insufficient ephemeral-storage');
  return out;
}

/** ((capacity - requested) × 100) / capacity, 0 when over capacity (integer, as k8s). */
export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

export class NodeResourcesFit implements FilterPlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    // The common case, a fit, without building a reasons list.
    const r = pod.requests;
    const a = node.allocatable;
    const u = node.requested;
    if (
      a.pods >= node.pods.size + 1 &&
      (r.milliCPU === 0 || r.milliCPU <= a.milliCPU - u.milliCPU) &&
      (r.memory === 0 || r.memory <= a.memory - u.memory) &&
      (r.ephemeralStorage === 0 || r.ephemeralStorage <= a.ephemeralStorage - u.ephemeralStorage)
    ) {
      return undefined;
    }
    const reasons = insufficientResources(pod, node);
    return reasons.length ? newStatus(Code.Unschedulable, ...reasons) : undefined;
  }

  /** LeastAllocated over cpu and memory, weight 1 each, using non-zero requests so empty pods still spread. */
  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    let sum = 0;
    let weights = 0;
    const a = node.allocatable;
    if (a.milliCPU > 0) {
      sum += leastRequestedScore(node.nonZeroRequested.milliCPU + pod.nonZeroRequests.milliCPU, a.milliCPU);
      weights++;
    }
    if (a.memory > 0) {
      sum += leastRequestedScore(node.nonZeroRequested.memory + pod.nonZeroRequests.memory, a.memory);
      weights++;
    }
    return weights ? Math.trunc(sum / weights) : 0;
  }

  eventsToRegister() {
    return [
      { resource: 'AssignedPod' as const, action: ActionType.Delete | ActionType.UpdatePodScaleDown },
      { resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeAllocatable },
    ];
  }
}

export const newNodeResourcesFit = (): NodeResourcesFit => new NodeResourcesFit();
