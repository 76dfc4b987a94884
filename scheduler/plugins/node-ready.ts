// NodeReady: a node whose Ready condition is not True is treated as carrying the taint the
// node lifecycle controller gives it — node.kubernetes.io/not-ready (Ready=False) or
// node.kubernetes.io/unreachable (Unknown or missing), effect NoSchedule — so pods that do not
// tolerate it stay off even before (or without) that controller tainting the node. When the
// taint is already there, TaintToleration reports it and this plugin stays quiet, so a node
// is never counted twice.
import { ActionType, Code, newStatus, type CycleState, type EnqueueExtensions, type FilterPlugin, type Result } from '../framework/interface.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, tolerationsTolerateTaint } from '../../api/scheduling/taints.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { doNotScheduleTaintsFilter } from './helper/taint.js';
import { untoleratedTaintReason } from './taint-toleration.js';

export const NAME = 'NodeReady';

/** The taint key the node lifecycle controller would put on a node with this Ready status ('' = no condition), if any. */
export function readinessTaintKey(readyStatus: string): string | undefined {
  if (readyStatus === 'True') return undefined;
  return readyStatus === 'False' ? TAINT_NODE_NOT_READY : TAINT_NODE_UNREACHABLE;
}

export class NodeReady implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    if (node.readyStatus === 'True' || !node.node) return undefined;
    const key = readinessTaintKey(node.readyStatus);
    if (!key) return undefined;
    if (node.taints.some((t) => t.key === key && doNotScheduleTaintsFilter(t))) return undefined;
    const taint = { key, effect: 'NoSchedule' };
    if (tolerationsTolerateTaint(pod.tolerations, taint)) return undefined;
    return newStatus(Code.UnschedulableAndUnresolvable, untoleratedTaintReason(taint));
  }

  eventsToRegister() {
    return [{ resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeCondition | ActionType.UpdateNodeTaint }];
  }
}

export const newNodeReady = (): NodeReady => new NodeReady();
