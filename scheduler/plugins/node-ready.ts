// NodeReady: a node whose Ready condition is not True is treated as carrying the taint the
// node lifecycle controller gives it — node.kubernetes.io/not-ready (Ready=False) or
// node.kubernetes.io/unreachable (Unknown or missing), effect NoSchedule — so pods that do not
// tolerate it stay off even before (or without) that controller tainting the node. When the
// taint is already there, TaintToleration reports it and this plugin stays quiet, so a node
// is never counted twice.
import type { Node } from 'kubernetes-types/core/v1';
import { ActionType, Code, newStatus, type CycleState, type EnqueueExtensions, type FilterPlugin, type Result } from '../framework/interface.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, tolerationsTolerateTaint } from '../framework/taints.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { untoleratedTaintReason } from './taint-toleration.js';

export const NAME = 'NodeReady';

/** The taint key the node lifecycle controller would put on this node for its Ready condition, if any. */
export function readinessTaintKey(node: Node): string | undefined {
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status === 'True') return undefined;
  return ready?.status === 'False' ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE;
}

export class NodeReady implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    if (!node.node) return undefined;
    const key = readinessTaintKey(node.node);
    if (!key) return undefined;
    if (node.taints.some((t) => t.key === key && (t.effect === 'NoSchedule' || t.effect === 'NoExecute'))) return undefined;
    const taint = { key, effect: 'NoSchedule' };
    if (tolerationsTolerateTaint(pod.tolerations, taint)) return undefined;
    return newStatus(Code.UnschedulableAndUnresolvable, untoleratedTaintReason(taint));
  }

  eventsToRegister() {
    return [{ resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeCondition | ActionType.UpdateNodeTaint }];
  }
}

export const newNodeReady = (): NodeReady => new NodeReady();
