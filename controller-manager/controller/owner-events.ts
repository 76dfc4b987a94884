// Informer event handlers every pod-owning controller wires the same way: owner events queue
// the owner (a recreated owner's expectations are dropped), and pod events queue the pod's
// controller — lowering its expectations as creates and deletes are observed.
import type { Pod } from 'kubernetes-types/core/v1';
import { deletedObject, metaNamespaceKey, type ObjectLike, type ResourceEventHandler, type SharedInformer, type WorkQueue } from '../../client/index.js';
import type { GroupVersionKind } from './controller-ref-manager.js';
import { getControllerOf } from './controller-ref-manager.js';
import { podKey, resolveControllerRef, type ControllerExpectations } from './controller-utils.js';

export function ownerEventHandler<T extends ObjectLike>(queue: WorkQueue<string>, expectations: ControllerExpectations): ResourceEventHandler<T> {
  return {
    onAdd: (o) => queue.add(metaNamespaceKey(o)),
    onUpdate: (old, cur) => {
      if (old.metadata?.uid !== cur.metadata?.uid) expectations.delete(metaNamespaceKey(old));
      queue.add(metaNamespaceKey(cur));
    },
    onDelete: (o) => {
      const key = metaNamespaceKey(deletedObject(o));
      expectations.delete(key);
      queue.add(key);
    },
  };
}

/** Pod events → the key of the owner (of kind `gvk`, found in `owners`) a pod's controllerRef names. */
export function ownedPodEventHandler<T extends ObjectLike>(owners: SharedInformer<T>, gvk: GroupVersionKind, queue: WorkQueue<string>, expectations: ControllerExpectations): ResourceEventHandler<Pod> {
  const ownerKey = (p: Pod): string | undefined => {
    const owner = resolveControllerRef(owners.lister, gvk, p.metadata?.namespace ?? '', getControllerOf(p));
    return owner ? metaNamespaceKey(owner) : undefined;
  };
  return {
    onAdd: (p) => {
      const key = ownerKey(p);
      if (!key) return;
      expectations.creationObserved(key);
      queue.add(key);
    },
    onUpdate: (_, p) => {
      const key = ownerKey(p);
      if (!key) return;
      if (p.metadata?.deletionTimestamp) expectations.deletionObserved(key, podKey(p));
      queue.add(key);
    },
    onDelete: (obj) => {
      const p = deletedObject(obj);
      const key = ownerKey(p);
      if (!key) return;
      expectations.deletionObserved(key, podKey(p));
      queue.add(key);
    },
  };
}
