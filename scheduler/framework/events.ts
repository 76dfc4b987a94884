// The cluster events the scheduler itself emits to the queue (k8s framework/events.go):
// informer handlers on node and bound-pod changes, and a failed bind freeing what it held.
import { ActionType, type ClusterEvent } from './interface.js';

export const EVENTS = {
  nodeAdd: { resource: 'Node', action: ActionType.Add, label: 'NodeAdd' },
  nodeDelete: { resource: 'Node', action: ActionType.Delete, label: 'NodeDelete' },
  assignedPodAdd: { resource: 'AssignedPod', action: ActionType.Add, label: 'AssignedPodAdd' },
  assignedPodDelete: { resource: 'AssignedPod', action: ActionType.Delete, label: 'AssignedPodDelete' },
} as const satisfies Record<string, ClusterEvent>;
