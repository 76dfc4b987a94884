// The garbage collector (pkg/controller/garbagecollector): watches every resource, keeps the
// ownerReferences graph (garbagecollector-graph.ts) and
// - Background: an owner is gone → its dependents whose owners are all gone are deleted;
// - Foreground: an owner carries `foregroundDeletion` → its dependents are deleted first
//   (recursively, in the foreground when they own things too), and once no dependent with
//   blockOwnerDeletion remains the finalizer is removed so the owner goes;
// - Orphan: an owner carries `orphan` → its dependents lose the ownerReference, then the
//   finalizer is removed.
// Owners are matched by uid, and "gone" is always confirmed with a live GET (or a delete
// event seen for that uid) before anything is deleted.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { ALL_VERBS, RESOURCES, findByKind } from '../../api/resources.js';
import { WorkQueue, deletedObject, isNotFound, type ObjectLike, type ReconcileResult } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import {
  DependencyGraph,
  FOREGROUND_FINALIZER,
  ORPHAN_FINALIZER,
  classifyOwner,
  decideAttemptToDelete,
  ownerIdentity,
  type GraphEffects,
  type GraphNode,
  type ObjectIdentity,
  type ObjectMetaLike,
  type OwnerState,
} from './graph.js';
import { intOption } from '../options.js';
import { runQueue } from '../run-queue.js';

/** Resources the collector never watches (k8s ignores events: many, short-lived, never owners). */
const IGNORED = new Set(['events', 'events.events.k8s.io']);

/** Every resource that can be listed, watched and deleted: all may be owners or dependents. */
export function monitoredResources(): typeof RESOURCES {
  return RESOURCES.filter((r) => {
    const verbs = r.verbs ?? ALL_VERBS;
    const name = r.group ? `${r.resource}.${r.group}` : r.resource;
    return ['list', 'watch', 'delete'].every((v) => verbs.includes(v)) && !IGNORED.has(name);
  });
}

const isNamespaced = (apiVersion: string, kind: string): boolean | undefined => findByKind(apiVersion, kind)?.namespaced;

export const garbageCollectorController: Controller = {
  name: 'garbage-collector',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    if (ctx.options['enable-garbage-collector'] === false) return;
    const log = ctx.log;
    const graph = new DependencyGraph(isNamespaced);
    const attemptToDelete = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete' });
    const attemptToOrphan = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan' });
    const apply = (fx: GraphEffects): void => {
      for (const uid of fx.attemptToDelete) attemptToDelete.add(uid);
      for (const uid of fx.attemptToOrphan) attemptToOrphan.add(uid);
    };
    for (const info of monitoredResources()) {
      ctx.factory.informerFor<ObjectLike>(info).addEventHandler({
        onAdd: (o) => apply(graph.observe(o as ObjectMetaLike)),
        onUpdate: (_old, o) => apply(graph.observe(o as ObjectMetaLike)),
        onDelete: (o) => apply(graph.remove(deletedObject(o) as ObjectMetaLike)),
      });
    }
    try {
      await ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    log.info({ objects: graph.size }, 'garbage collector graph synced');

    const resourceOf = (id: ObjectIdentity) => {
      const info = findByKind(id.apiVersion, id.kind);
      return info ? ctx.client.resource<ObjectLike>(info, info.namespaced ? id.namespace : undefined) : undefined;
    };
    /** A live read: the graph may lag, deletion decisions must not. undefined = not found. */
    const getObject = async (id: ObjectIdentity): Promise<ObjectMetaLike | undefined> => {
      const rc = resourceOf(id);
      if (!rc) throw new Error(`unknown kind ${id.apiVersion}/${id.kind}`);
      try {
        return (await rc.get(id.name)) as ObjectMetaLike;
      } catch (e) {
        if (isNotFound(e)) return undefined;
        throw e;
      }
    };
    const ignoreNotFound = (e: unknown): void => {
      if (!isNotFound(e)) throw e;
    };
    const removeFinalizer = async (node: GraphNode, finalizer: string): Promise<void> => {
      await resourceOf(node.identity)
        ?.patch(node.identity.name, 'strategic', { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [finalizer] } })
        .catch(ignoreNotFound);
    };
    const patchOwnerRefs = async (id: ObjectIdentity, refs: object[]): Promise<void> => {
      await resourceOf(id)?.patch(id.name, 'strategic', { metadata: { ownerReferences: refs } }).catch(ignoreNotFound);
    };

    const classify = async (ref: OwnerReference, item: ObjectIdentity): Promise<OwnerState> => {
      if (graph.isAbsent(ref.uid)) return 'dangling';
      const namespaced = isNamespaced(ref.apiVersion, ref.kind);
      // An owner of a kind this server does not serve cannot be checked: never collect on a guess.
      if (namespaced === undefined) return 'solid';
      // A cluster-scoped object cannot be owned by a namespaced one (k8s treats it as absent).
      if (namespaced && !item.namespace) return 'dangling';
      const known = graph.get(ref.uid);
      // The graph may say "solid" or "waiting" (both only ever delay a deletion); "gone" needs a live read.
      if (known?.observed) return known.deletingDependents ? 'waitingForDependentsDeletion' : 'solid';
      const found = await getObject(ownerIdentity(ref, item.namespace, isNamespaced));
      if (!found || found.metadata?.uid !== ref.uid) graph.markAbsent(ref.uid);
      return classifyOwner(ref, found);
    };

    const processDeletingDependents = async (node: GraphNode): Promise<void> => {
      const blocking = graph.blockingDependents(node.identity.uid);
      if (blocking.length === 0) {
        log.debug({ object: key(node.identity) }, 'no blocking dependents left, removing foregroundDeletion finalizer');
        await removeFinalizer(node, FOREGROUND_FINALIZER);
        return;
      }
      for (const dep of blocking) if (!dep.deletingDependents) attemptToDelete.add(dep.identity.uid);
    };

    const attemptToDeleteItem = async (uid: string): Promise<ReconcileResult | void> => {
      const node = graph.get(uid);
      if (!node) return;
      if (!node.observed) {
        // Known only as someone's owner: does it exist at all?
        if (isNamespaced(node.identity.apiVersion, node.identity.kind) === undefined) return;
        const latest = await getObject(node.identity);
        if (!latest || latest.metadata?.uid !== uid) {
          log.debug({ owner: key(node.identity) }, 'owner does not exist, checking its dependents');
          apply(graph.removeVirtual(uid));
          return;
        }
        // It exists; look again once an informer has delivered it.
        return { requeueAfterMs: 1000 };
      }
      if (node.beingDeleted && !node.deletingDependents) return;
      if (node.deletingDependents) return processDeletingDependents(node);
      if (node.owners.length === 0) return;
      const latest = await getObject(node.identity);
      if (!latest || latest.metadata?.uid !== uid) return;
      const refs = latest.metadata?.ownerReferences ?? [];
      if (refs.length === 0) return;
      const owners = await Promise.all(refs.map(async (ref) => ({ uid: ref.uid, state: await classify(ref, node.identity) })));
      const deps = graph.dependentsOf(uid);
      const action = decideAttemptToDelete(owners, {
        finalizers: latest.metadata?.finalizers ?? [],
        hasDependents: deps.length > 0,
        aDependentIsDeletingDependents: deps.some((d) => d.deletingDependents),
      });
      switch (action.type) {
        case 'none':
          return;
        case 'removeOwnerReferences':
          log.info({ object: key(node.identity), owners: action.uids }, 'removing references to owners that are gone or being deleted');
          await patchOwnerRefs(node.identity, action.uids.map((u) => ({ $patch: 'delete', uid: u })));
          return;
        case 'delete': {
          if (action.unblock) {
            const blocking = refs.filter((r) => r.blockOwnerDeletion === true).map((r) => ({ uid: r.uid, blockOwnerDeletion: false }));
            if (blocking.length) await patchOwnerRefs(node.identity, blocking);
          }
          log.info({ object: key(node.identity), propagationPolicy: action.propagationPolicy }, 'deleting object whose owners are gone');
          await resourceOf(node.identity)
            ?.delete(node.identity.name, { propagationPolicy: action.propagationPolicy, preconditions: { uid } })
            .catch(ignoreNotFound);
          return;
        }
      }
    };

    const attemptToOrphanItem = async (uid: string): Promise<void> => {
      const owner = graph.get(uid);
      if (!owner?.orphaning) return;
      for (const dep of graph.dependentsOf(uid)) {
        await patchOwnerRefs(dep.identity, [{ $patch: 'delete', uid }]);
      }
      log.info({ object: key(owner.identity) }, 'dependents orphaned, removing orphan finalizer');
      await removeFinalizer(owner, ORPHAN_FINALIZER);
    };

    await Promise.all([
      runQueue(ctx, signal, { name: 'garbage-collector', queue: attemptToDelete, workers: intOption(ctx, 'concurrent-gc-syncs', 20), reconcile: attemptToDeleteItem }),
      runQueue(ctx, signal, { name: 'garbage-collector', queue: attemptToOrphan, workers: 1, reconcile: attemptToOrphanItem }),
    ]);
  },
};

const key = (id: ObjectIdentity): string => `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
