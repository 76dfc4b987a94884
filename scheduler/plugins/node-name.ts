// NodeName: a pod that names its node (spec.nodeName) fits only there.
import { ActionType, Code, newStatus, type EnqueueExtensions, type FilterPlugin, type Result } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const NAME = 'NodeName';
export const ERR_REASON = "node(s) didn't match the requested node name";

export class NodeName implements FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  filter(_state: unknown, pod: PodInfo, node: NodeInfo): Result {
    const want = pod.pod.spec?.nodeName;
    if (!want || want === node.name) return undefined;
    return newStatus(Code.UnschedulableAndUnresolvable, ERR_REASON);
  }

  eventsToRegister() {
    return [{ resource: 'Node' as const, action: ActionType.Add | ActionType.Update }];
  }
}

export const newNodeName = (): NodeName => new NodeName();
