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
import { WorkQueue, deletedObject, isNotFound, sleep, type ObjectLike, type ReconcileResult, type ResourceEventHandler } from '../../client/index.js';
import { CustomResourceMonitors, MONITOR_RESYNC_MS } from './custom-monitors.js';
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
import { boolFlag, controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { runQueue } from '../run-queue.js';

/** Resources the collector never watches (k8s ignores events: many, short-lived, never owners). */
const IGNORED = new Set(['events', 'events.events.k8s.io']);

/** Every resource that can be listed, watched and deleted: all may be owners or dependents. */
export function monitoredResources(): typeof RESOURCES {
  return RESOURCES.filter((r) => {
    if (r.storedAs) return false; // the same objects as their stored version
    const verbs = r.verbs ?? ALL_VERBS;
    const name = r.group ? `${r.resource}.${r.group}` : r.resource;
    return ['list', 'watch', 'delete'].every((v) => verbs.includes(v)) && !IGNORED.has(name);
  });
}

const ignoreNotFound = (e: unknown): void => {
  if (!isNotFound(e)) throw e;
};

export class GarbageCollector implements Controller {
  static readonly controllerName = 'garbage-collector';
  static readonly flags = {
    'enable-garbage-collector': boolFlag(true, 'Run the ownerReferences garbage collector'),
    'concurrent-gc-syncs': intFlag(20, 'Garbage collector workers'),
  } satisfies FlagDeclarations;
  readonly name = GarbageCollector.controllerName;
  private readonly flags: FlagValues<typeof GarbageCollector.flags>;
  private custom: CustomResourceMonitors | undefined;
  private readonly isNamespaced = (apiVersion: string, kind: string): boolean | undefined => this.infoOf(apiVersion, kind)?.namespaced;
  private readonly graph = new DependencyGraph(this.isNamespaced);
  private readonly attemptToDelete = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_delete' });
  private readonly attemptToOrphan = new WorkQueue<string>({ name: 'garbage_collector_attempt_to_orphan' });

  static disabledReason(ctx: ControllerContext): string | undefined {
    return controllerFlags(ctx, GarbageCollector.flags)['enable-garbage-collector'] ? undefined : 'garbage collector is disabled: --enable-garbage-collector=false';
  }

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, GarbageCollector.flags);
    const handler: ResourceEventHandler<ObjectLike> = {
      onAdd: (o) => this.apply(this.graph.observe(o as ObjectMetaLike)),
      onUpdate: (_old, o) => this.apply(this.graph.observe(o as ObjectMetaLike)),
      onDelete: (o) => this.apply(this.graph.remove(deletedObject(o) as ObjectMetaLike)),
    };
    for (const info of monitoredResources()) ctx.factory.informerFor<ObjectLike>(info).addEventHandler(handler);
    this.custom = new CustomResourceMonitors(ctx.client, ctx.factory, handler);
  }

  /** A built-in kind, or a custom one discovery reported. */
  private infoOf(apiVersion: string, kind: string) {
    return findByKind(apiVersion, kind) ?? this.custom?.find(apiVersion, kind);
  }

  /** Custom resources come and go with their CRDs: monitors follow discovery. */
  private async resyncMonitors(signal: AbortSignal): Promise<void> {
    for (;;) {
      try {
        await sleep(MONITOR_RESYNC_MS, signal);
      } catch {
        return;
      }
      await this.resyncCustom();
    }
  }

  private async resyncCustom(): Promise<void> {
    await this.custom?.resync().catch((e: unknown) => this.ctx.log.warn({ err: e }, 'garbage collector: discovery of custom resources failed'));
  }

  async run(signal: AbortSignal): Promise<void> {
    // The custom resources served now are watched before the graph counts as synced.
    await this.resyncCustom();
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    this.ctx.log.info({ objects: this.graph.size }, 'garbage collector graph synced');
    await Promise.all([
      this.resyncMonitors(signal),
      runQueue(this.ctx, signal, { name: 'garbage-collector', queue: this.attemptToDelete, workers: this.flags['concurrent-gc-syncs'], reconcile: (uid) => this.attemptToDeleteItem(uid) }),
      runQueue(this.ctx, signal, { name: 'garbage-collector', queue: this.attemptToOrphan, workers: 1, reconcile: (uid) => this.attemptToOrphanItem(uid) }),
    ]);
  }

  private apply(fx: GraphEffects): void {
    for (const uid of fx.attemptToDelete) this.attemptToDelete.add(uid);
    for (const uid of fx.attemptToOrphan) this.attemptToOrphan.add(uid);
  }

  private resourceOf(id: ObjectIdentity) {
    const info = this.infoOf(id.apiVersion, id.kind);
    return info ? this.ctx.client.resource<ObjectLike>(info, info.namespaced ? id.namespace : undefined) : undefined;
  }

  /** A live read: the graph may lag, deletion decisions must not. undefined = not found. */
  private async getObject(id: ObjectIdentity): Promise<ObjectMetaLike | undefined> {
    const rc = this.resourceOf(id);
    if (!rc) throw new Error(`unknown kind ${id.apiVersion}/${id.kind}`);
    try {
      return (await rc.get(id.name)) as ObjectMetaLike;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }

  private async removeFinalizer(node: GraphNode, finalizer: string): Promise<void> {
    await this.resourceOf(node.identity)
      ?.patch(node.identity.name, 'strategic', { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [finalizer] } })
      .catch(ignoreNotFound);
  }

  private async patchOwnerRefs(id: ObjectIdentity, refs: object[]): Promise<void> {
    await this.resourceOf(id)?.patch(id.name, 'strategic', { metadata: { ownerReferences: refs } }).catch(ignoreNotFound);
  }

  private async classify(ref: OwnerReference, item: ObjectIdentity): Promise<OwnerState> {
    if (this.graph.isAbsent(ref.uid)) return 'dangling';
    const namespaced = this.isNamespaced(ref.apiVersion, ref.kind);
    // An owner of a kind this server does not serve cannot be checked: never collect on a guess.
    if (namespaced === undefined) return 'solid';
    // A cluster-scoped object cannot be owned by a namespaced one (k8s treats it as absent).
    if (namespaced && !item.namespace) return 'dangling';
    const known = this.graph.get(ref.uid);
    // The graph may say "solid" or "waiting" (both only ever delay a deletion); "gone" needs a live read.
    if (known?.observed) return known.deletingDependents ? 'waitingForDependentsDeletion' : 'solid';
    const found = await this.getObject(ownerIdentity(ref, item.namespace, this.isNamespaced));
    if (!found || found.metadata?.uid !== ref.uid) this.graph.markAbsent(ref.uid);
    return classifyOwner(ref, found);
  }

  private async processDeletingDependents(node: GraphNode): Promise<void> {
    const blocking = this.graph.blockingDependents(node.identity.uid);
    if (blocking.length === 0) {
      this.ctx.log.debug({ object: key(node.identity) }, 'no blocking dependents left, removing foregroundDeletion finalizer');
      await this.removeFinalizer(node, FOREGROUND_FINALIZER);
      return;
    }
    for (const dep of blocking) if (!dep.deletingDependents) this.attemptToDelete.add(dep.identity.uid);
  }

  /** A node known only as someone's owner: does it exist at all? */
  private async checkVirtualNode(node: GraphNode): Promise<ReconcileResult | void> {
    const uid = node.identity.uid;
    if (this.isNamespaced(node.identity.apiVersion, node.identity.kind) === undefined) return;
    const latest = await this.getObject(node.identity);
    if (!latest || latest.metadata?.uid !== uid) {
      this.ctx.log.debug({ owner: key(node.identity) }, 'owner does not exist, checking its dependents');
      this.apply(this.graph.removeVirtual(uid));
      return;
    }
    // It exists; look again once an informer has delivered it.
    return { requeueAfterMs: 1000 };
  }

  private async attemptToDeleteItem(uid: string): Promise<ReconcileResult | void> {
    const node = this.graph.get(uid);
    if (!node) return;
    if (!node.observed) return this.checkVirtualNode(node);
    if (node.beingDeleted && !node.deletingDependents) return;
    if (node.deletingDependents) return this.processDeletingDependents(node);
    if (node.owners.length === 0) return;
    const latest = await this.getObject(node.identity);
    if (!latest || latest.metadata?.uid !== uid) return;
    const refs = latest.metadata?.ownerReferences ?? [];
    if (refs.length === 0) return;
    const owners = await Promise.all(refs.map(async (ref) => ({ uid: ref.uid, state: await this.classify(ref, node.identity) })));
    const deps = this.graph.dependentsOf(uid);
    const action = decideAttemptToDelete(owners, {
      finalizers: latest.metadata?.finalizers ?? [],
      hasDependents: deps.length > 0,
      aDependentIsDeletingDependents: deps.some((d) => d.deletingDependents),
    });
    await this.act(node, refs, action);
  }

  /** Carries out what decideAttemptToDelete chose for a node with these ownerReferences. */
  private async act(node: GraphNode, refs: readonly OwnerReference[], action: ReturnType<typeof decideAttemptToDelete>): Promise<void> {
    switch (action.type) {
      case 'none':
        return;
      case 'removeOwnerReferences':
        this.ctx.log.info({ object: key(node.identity), owners: action.uids }, 'removing references to owners that are gone or being deleted');
        await this.patchOwnerRefs(node.identity, action.uids.map((u) => ({ $patch: 'delete', uid: u })));
        return;
      case 'delete': {
        if (action.unblock) {
          const blocking = refs.filter((r) => r.blockOwnerDeletion === true).map((r) => ({ uid: r.uid, blockOwnerDeletion: false }));
          if (blocking.length) await this.patchOwnerRefs(node.identity, blocking);
        }
        this.ctx.log.info({ object: key(node.identity), propagationPolicy: action.propagationPolicy }, 'deleting object whose owners are gone');
        await this.resourceOf(node.identity)
          ?.delete(node.identity.name, { propagationPolicy: action.propagationPolicy, preconditions: { uid: node.identity.uid } })
          .catch(ignoreNotFound);
        return;
      }
    }
  }

  private async attemptToOrphanItem(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner?.orphaning) return;
    for (const dep of this.graph.dependentsOf(uid)) {
      await this.patchOwnerRefs(dep.identity, [{ $patch: 'delete', uid }]);
    }
    this.ctx.log.info({ object: key(owner.identity) }, 'dependents orphaned, removing orphan finalizer');
    await this.removeFinalizer(owner, ORPHAN_FINALIZER);
  }
}

const key = (id: ObjectIdentity): string => `${id.kind} ${id.namespace ? `${id.namespace}/` : ''}${id.name}`;
