// NodeUnschedulable: a cordoned node (spec.unschedulable) takes no new pods, unless the pod
// tolerates the node.kubernetes.io/unschedulable:NoSchedule taint (as DaemonSet pods do).
import { ActionType, Code, newStatus, type EnqueueExtensions, type FilterPlugin, type Result } from '../framework/interface.js';
import { TAINT_NODE_UNSCHEDULABLE, tolerationsTolerateTaint } from '../../api/scheduling/taints.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const NAME = 'NodeUnschedulable';
export const ERR_REASON_UNSCHEDULABLE = 'node(s) were unschedulable';
export const ERR_REASON_UNKNOWN_CONDITION = 'node(s) had unknown conditions';

const UNSCHEDULABLE_TAINT = { key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' } as const;

export class NodeUnschedulable implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Result {
    if (!node.unschedulable) return node.node ? undefined : newStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_UNKNOWN_CONDITION);
    if (tolerationsTolerateTaint(pod.tolerations, UNSCHEDULABLE_TAINT)) return undefined;
    return newStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_UNSCHEDULABLE);
  }

  eventsToRegister() {
    return [{ resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeTaint }];
  }
}

export const newNodeUnschedulable = (): NodeUnschedulable => new NodeUnschedulable();
