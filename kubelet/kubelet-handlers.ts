// The kubelet's event sources, each turned into pod-worker updates (kubelet.go syncLoopIteration
// and HandlePodAdditions/Updates/Removes): the pod informer (our pods from the API), changes
// of the ConfigMaps/Secrets pods read, PLEG events from the runtime, and probe results.
import type { Pod } from 'kubernetes-types/core/v1';
import { deletedObject } from '../client/index.js';
import type { KubeletState } from './kubelet-state.js';
import type { PodChange } from './pleg.js';
import { changeCovered } from './pod/sync-deps.js';

/** Pod informer add/update/delete → pod workers. */
export function addPodConfigHandlers(k: KubeletState): void {
  k.podInformer.addEventHandler({
    onAdd: (pod) => handlePodAddition(k, pod),
    onUpdate: (old, pod) => handlePodUpdate(k, old, pod),
    onDelete: (obj) => handlePodRemove(k, deletedObject(obj)),
  });
}

/** Before the informers sync, a pod the kubelet has not listed yet is not known to be gone: wait. */
export function enqueuePod(k: KubeletState, pod: Pod): void {
  const uid = pod.metadata?.uid;
  if (uid && k.synced) k.podWorkers.update(uid);
}

function registerPod(k: KubeletState, pod: Pod): void {
  k.configMaps.registerPod(pod);
  k.secrets.registerPod(pod);
}

function handlePodAddition(k: KubeletState, pod: Pod): void {
  registerPod(k, pod);
  enqueuePod(k, pod);
}

function handlePodUpdate(k: KubeletState, old: Pod, pod: Pod): void {
  if (old.metadata?.uid !== pod.metadata?.uid) handlePodRemove(k, old);
  registerPod(k, pod);
  // Status-only changes (most of them our own writes) need no sync, as the kubelet's
  // config source ignores them; spec, labels, annotations and deletion do.
  if (old.metadata?.resourceVersion !== pod.metadata?.resourceVersion && !statusOnlyChange(old, pod)) enqueuePod(k, pod);
}

function handlePodRemove(k: KubeletState, pod: Pod): void {
  const uid = pod.metadata?.uid;
  if (!uid) return;
  k.lastKnown.set(uid, pod);
  // Its objects are no longer watched for it (k8s: the pod manager's RemovePod).
  k.configMaps.unregisterPod(uid);
  k.secrets.unregisterPod(uid);
  k.podWorkers.update(uid);
}

/** A ConfigMap/Secret that pods read changed: sync them (their env/volumes may change). */
export function handleObjectChange(k: KubeletState, uids: string[]): void {
  if (k.synced) for (const uid of uids) k.podWorkers.update(uid);
}

/** A PLEG event for a pod's containers or sandbox. */
export function handlePodLifecycleEvent(k: KubeletState, uid: string, change: PodChange): void {
  // Our own creates and starts come back as events and relist differences; the sync that
  // made them read the runtime after them, so they need no further sync. While a sync
  // runs, decide when it ends.
  const record = k.records.get(uid);
  if (record && k.podWorkers.isRunning(uid)) {
    record.changesDuringSync.push(change);
    return;
  }
  if (record && changeCovered(record, change)) return;
  k.podWorkers.update(uid);
}

export function statusOnlyChange(a: Pod, b: Pod): boolean {
  const strip = (p: Pod): string => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = p.metadata ?? {};
    return JSON.stringify([meta, p.spec]);
  };
  return strip(a) === strip(b);
}
