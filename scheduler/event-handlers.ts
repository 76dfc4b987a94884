// What informer events mean to the scheduler (k8s eventhandlers.go): bound pods feed the
// cache, unbound pods of our profiles feed the queue, and changes that might make a waiting
// pod schedulable — a node added or changed in a way scheduling looks at, a bound pod deleted
// or shrunk — move unschedulable pods back for another try. `addAllEventHandlers` wires them
// to the Scheduler's informers.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { deletedObject, type DeletedFinalStateUnknown, type ResourceEventHandler } from '../client/index.js';
import { EVENTS } from './framework/events.js';
import { ActionType, type EventResource } from './framework/interface.js';
import { newPodInfo } from './framework/types.js';
import type { SchedulerCache } from './cache.js';
import type { SchedulingQueue } from './queue.js';
import type { SchedulerState } from './scheduler-state.js';

const json = (v: unknown): string => JSON.stringify(v ?? null);

/** Which scheduling-relevant parts of a node changed (nodeSchedulingPropertiesChange); 0 = none (e.g. a heartbeat). */
export function nodeChange(old: Node, cur: Node): number {
  let action = 0;
  if (json(old.status?.allocatable) !== json(cur.status?.allocatable)) action |= ActionType.UpdateNodeAllocatable;
  if (json(old.metadata?.labels) !== json(cur.metadata?.labels)) action |= ActionType.UpdateNodeLabel;
  if (json(old.spec?.taints) !== json(cur.spec?.taints) || !!old.spec?.unschedulable !== !!cur.spec?.unschedulable) action |= ActionType.UpdateNodeTaint;
  const conds = (n: Node) => json((n.status?.conditions ?? []).map((c) => [c.type, c.status]));
  if (conds(old) !== conds(cur)) action |= ActionType.UpdateNodeCondition;
  return action;
}

/** Which scheduling-relevant parts of a bound pod changed; 0 = none. */
export function assignedPodChange(old: Pod, cur: Pod): number {
  let action = 0;
  if (json(old.metadata?.labels) !== json(cur.metadata?.labels)) action |= ActionType.UpdatePodLabel;
  const a = newPodInfo(old).requests;
  const b = newPodInfo(cur).requests;
  if (b.milliCPU < a.milliCPU || b.memory < a.memory || b.ephemeralStorage < a.ephemeralStorage) action |= ActionType.UpdatePodScaleDown;
  if (!old.metadata?.deletionTimestamp !== !cur.metadata?.deletionTimestamp) action |= ActionType.Update;
  return action;
}

export interface HandlerDeps {
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** Is a pod with this schedulerName ours? */
  responsibleFor(schedulerName: string): boolean;
}

const assigned = (p: Pod): boolean => !!p.spec?.nodeName;
const schedulerNameOf = (p: Pod): string => p.spec?.schedulerName ?? 'default-scheduler';

export function podEventHandler({ cache, queue, responsibleFor }: HandlerDeps): ResourceEventHandler<Pod> {
  const addAssigned = (pod: Pod): void => {
    cache.addPod(newPodInfo(pod), pod.spec?.nodeName as string);
    queue.moveAllToActiveOrBackoffQueue(EVENTS.assignedPodAdd);
  };
  return {
    onAdd(pod) {
      if (assigned(pod)) addAssigned(pod);
      else if (responsibleFor(schedulerNameOf(pod))) queue.add(newPodInfo(pod), schedulerNameOf(pod));
    },
    onUpdate(old, pod) {
      if (old.metadata?.resourceVersion === pod.metadata?.resourceVersion && assigned(old) === assigned(pod)) return;
      if (assigned(pod)) {
        if (!assigned(old)) {
          // Bound (by us or by someone else): it leaves the queue and counts on its node.
          queue.delete(old.metadata?.uid ?? '');
          addAssigned(pod);
          return;
        }
        // Status-only updates (the kubelet reporting Running, …) change nothing the cache counts.
        if (
          old.metadata?.deletionTimestamp === pod.metadata?.deletionTimestamp &&
          json(old.metadata?.labels) === json(pod.metadata?.labels) &&
          json(old.spec) === json(pod.spec)
        ) {
          return;
        }
        const action = assignedPodChange(old, pod);
        cache.updatePod(newPodInfo(pod), pod.spec?.nodeName as string);
        if (action) queue.moveAllToActiveOrBackoffQueue({ resource: 'AssignedPod', action, label: 'AssignedPodUpdate' });
        return;
      }
      if (responsibleFor(schedulerNameOf(pod))) queue.add(newPodInfo(pod), schedulerNameOf(pod));
    },
    onDelete(obj: Pod | DeletedFinalStateUnknown<Pod>) {
      const pod = deletedObject(obj);
      const uid = pod.metadata?.uid ?? '';
      if (assigned(pod)) {
        cache.removePod(uid);
        queue.moveAllToActiveOrBackoffQueue(EVENTS.assignedPodDelete);
      } else {
        queue.delete(uid);
        // An assumed pod deleted before its binding was seen stops counting.
        cache.forgetPod(uid);
      }
    },
  };
}

export function nodeEventHandler({ cache, queue }: Pick<HandlerDeps, 'cache' | 'queue'>): ResourceEventHandler<Node> {
  return {
    onAdd(node) {
      cache.addNode(node);
      queue.moveAllToActiveOrBackoffQueue(EVENTS.nodeAdd);
    },
    onUpdate(old, node) {
      cache.updateNode(node);
      const action = nodeChange(old, node);
      if (action) queue.moveAllToActiveOrBackoffQueue({ resource: 'Node', action, label: 'NodeUpdate' });
    },
    onDelete(obj) {
      cache.removeNode(deletedObject(obj).metadata?.name ?? '');
      queue.moveAllToActiveOrBackoffQueue(EVENTS.nodeDelete);
    },
  };
}

/** Resources only plugins care about, watched when some profile's plugin registered events for them. */
const PLUGIN_RESOURCES: ReadonlyArray<[EventResource, string]> = [
  ['PersistentVolumeClaim', 'persistentvolumeclaims'],
  ['PersistentVolume', 'persistentvolumes'],
  ['StorageClass', 'storageclasses.storage.k8s.io'],
];

/** Any add/update/delete of such a resource may help pods the registering plugins rejected. */
export function clusterEventHandler(queue: SchedulingQueue, resource: EventResource): ResourceEventHandler<{ metadata?: { resourceVersion?: string } }> {
  const move = (action: number, label: string) => queue.moveAllToActiveOrBackoffQueue({ resource, action, label: `${resource}${label}` });
  return {
    onAdd: () => move(ActionType.Add, 'Add'),
    onUpdate: (old, cur) => {
      if (old.metadata?.resourceVersion !== cur.metadata?.resourceVersion) move(ActionType.Update, 'Update');
    },
    onDelete: () => move(ActionType.Delete, 'Delete'),
  };
}

/** Registers the pod and node handlers, and those of resources plugins registered events for (before the informers start). */
export function addAllEventHandlers(sched: SchedulerState): void {
  const { cache, queue } = sched;
  sched.podInformer.addEventHandler(podEventHandler({ cache, queue, responsibleFor: (name) => sched.profiles.has(name) }));
  sched.nodeInformer.addEventHandler(nodeEventHandler({ cache, queue }));
  const wanted = new Set<string>();
  for (const fwk of sched.profiles.values()) for (const r of fwk.registeredResources()) wanted.add(r);
  for (const [resource, name] of PLUGIN_RESOURCES) {
    if (wanted.has(resource)) sched.informerFactory.informerFor(name).addEventHandler(clusterEventHandler(queue, resource));
  }
}
