// NodePorts: two pods cannot use the same hostPort (protocol, port) on one node; a hostIP of
// 0.0.0.0 clashes with every IP.
import { ActionType, Code, newStatus } from '../framework/interface.js';
import type { CycleState, EnqueueExtensions, FilterPlugin, PreFilterPlugin, PreFilterResult, Result } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const NAME = 'NodePorts';
export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(_state: CycleState, pod: PodInfo): PreFilterResult | undefined {
    return pod.hostPorts.length === 0 ? { status: newStatus(Code.Skip) } : undefined;
  }

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    for (const hp of pod.hostPorts) if (node.portConflicts(hp)) return newStatus(Code.Unschedulable, ERR_REASON);
    return undefined;
  }

  eventsToRegister() {
    return [
      { resource: 'AssignedPod' as const, action: ActionType.Delete },
      { resource: 'Node' as const, action: ActionType.Add },
    ];
  }
}

export const newNodePorts = (): NodePorts => new NodePorts();
