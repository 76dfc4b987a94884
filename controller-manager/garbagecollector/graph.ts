// The garbage collector's pure core (pkg/controller/garbagecollector): the ownerReferences
// graph kept from informer events (graph_builder.go), and the decision what to do with an
// object once its owners have been looked up (attemptToDeleteItem's switch). No I/O here.
import type { OwnerReference } from 'kubernetes-types/meta/v1';

export const FOREGROUND_FINALIZER = 'foregroundDeletion';
export const ORPHAN_FINALIZER = 'orphan';

/** Which object a node stands for. Owners are identified by uid; the rest is for lookups. */
export interface ObjectIdentity {
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  uid: string;
}

export interface GraphNode {
  identity: ObjectIdentity;
  owners: OwnerReference[];
  /** uids of the objects naming this one as an owner. */
  dependents: Set<string>;
  /** False for a "virtual" node: known only because a dependent names it. */
  observed: boolean;
  beingDeleted: boolean;
  /** Being deleted in the foreground: waiting for blocking dependents to go first. */
  deletingDependents: boolean;
  /** Being deleted with the orphan finalizer. */
  orphaning: boolean;
}

/** What the graph change asks the workers to do (uids). */
export interface GraphEffects {
  attemptToDelete: string[];
  attemptToOrphan: string[];
}

/** The part of an object the graph looks at. */
export interface ObjectMetaLike {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    uid?: string;
    deletionTimestamp?: string;
    finalizers?: readonly string[];
    ownerReferences?: readonly OwnerReference[];
  };
}

/** Whether an owner kind is namespaced (then it lives in its dependent's namespace); undefined = unknown kind. */
export type NamespacedResolver = (apiVersion: string, kind: string) => boolean | undefined;

export function identityOf(obj: ObjectMetaLike): ObjectIdentity {
  const m = obj.metadata ?? {};
  return { apiVersion: obj.apiVersion ?? '', kind: obj.kind ?? '', namespace: m.namespace || undefined, name: m.name ?? '', uid: m.uid ?? '' };
}

export function ownerIdentity(ref: OwnerReference, dependentNamespace: string | undefined, namespaced: NamespacedResolver): ObjectIdentity {
  const ns = namespaced(ref.apiVersion, ref.kind) ? dependentNamespace : undefined;
  return { apiVersion: ref.apiVersion, kind: ref.kind, namespace: ns, name: ref.name, uid: ref.uid };
}

const none = (): GraphEffects => ({ attemptToDelete: [], attemptToOrphan: [] });

export class DependencyGraph {
  private readonly nodes = new Map<string, GraphNode>();
  /** uids of objects known to be gone (k8s absentOwnerCache). */
  private readonly absent = new Set<string>();
  private readonly absentOrder: string[] = [];

  constructor(
    private readonly namespaced: NamespacedResolver,
    private readonly absentCacheSize = 500,
  ) {}

  get(uid: string): GraphNode | undefined {
    return this.nodes.get(uid);
  }

  get size(): number {
    return this.nodes.size;
  }

  isAbsent(uid: string): boolean {
    return this.absent.has(uid);
  }

  markAbsent(uid: string): void {
    if (this.absent.has(uid)) return;
    this.absent.add(uid);
    this.absentOrder.push(uid);
    while (this.absentOrder.length > this.absentCacheSize) this.absent.delete(this.absentOrder.shift()!);
  }

  /** An object was added or updated. */
  observe(obj: ObjectMetaLike): GraphEffects {
    const fx = none();
    const identity = identityOf(obj);
    const uid = identity.uid;
    if (!uid) return fx;
    const meta = obj.metadata ?? {};
    const refs = [...(meta.ownerReferences ?? [])];
    const beingDeleted = !!meta.deletionTimestamp;
    const finalizers = meta.finalizers ?? [];
    let node = this.nodes.get(uid);
    const wasDeletingDependents = node?.observed ? node.deletingDependents : false;
    const wasOrphaning = node?.observed ? node.orphaning : false;
    if (!node) {
      node = { identity, owners: [], dependents: new Set(), observed: true, beingDeleted, deletingDependents: false, orphaning: false };
      this.nodes.set(uid, node);
    } else if (!node.observed) {
      node.observed = true;
      node.identity = identity;
    }
    this.updateOwners(node, refs, fx);
    node.beingDeleted = beingDeleted;
    node.deletingDependents = beingDeleted && finalizers.includes(FOREGROUND_FINALIZER);
    node.orphaning = beingDeleted && finalizers.includes(ORPHAN_FINALIZER);
    if (node.orphaning && !wasOrphaning) fx.attemptToOrphan.push(uid);
    if (node.deletingDependents && !wasDeletingDependents) {
      // Foreground deletion starts: every dependent gets a look, then the owner itself.
      fx.attemptToDelete.push(...node.dependents, uid);
    }
    return fx;
  }

  /** An object was deleted. */
  remove(obj: ObjectMetaLike): GraphEffects {
    const fx = none();
    const uid = obj.metadata?.uid ?? '';
    const node = this.nodes.get(uid);
    this.markAbsent(uid);
    if (!node) return fx;
    this.nodes.delete(uid);
    for (const ref of node.owners) this.detach(ref.uid, uid, fx);
    // Background: dependents of a vanished owner are checked (and collected if orphaned of all owners).
    fx.attemptToDelete.push(...node.dependents);
    return fx;
  }

  /** A virtual node's object turned out not to exist: drop it and check its dependents. */
  removeVirtual(uid: string): GraphEffects {
    const fx = none();
    const node = this.nodes.get(uid);
    this.markAbsent(uid);
    if (!node || node.observed) return fx;
    this.nodes.delete(uid);
    fx.attemptToDelete.push(...node.dependents);
    return fx;
  }

  /** Dependents whose reference to `uid` has blockOwnerDeletion: a foreground delete waits for them. */
  blockingDependents(uid: string): GraphNode[] {
    const node = this.nodes.get(uid);
    if (!node) return [];
    const out: GraphNode[] = [];
    for (const d of node.dependents) {
      const dep = this.nodes.get(d);
      if (dep?.owners.some((r) => r.uid === uid && r.blockOwnerDeletion === true)) out.push(dep);
    }
    return out;
  }

  dependentsOf(uid: string): GraphNode[] {
    return [...(this.nodes.get(uid)?.dependents ?? [])].map((d) => this.nodes.get(d)).filter((n): n is GraphNode => !!n);
  }

  private updateOwners(node: GraphNode, refs: OwnerReference[], fx: GraphEffects): void {
    const uid = node.identity.uid;
    const before = new Map(node.owners.map((r) => [r.uid, r]));
    const after = new Map(refs.map((r) => [r.uid, r]));
    for (const [ownerUid, ref] of before) {
      const now = after.get(ownerUid);
      if (!now) this.detach(ownerUid, uid, fx);
      else if (ref.blockOwnerDeletion === true && now.blockOwnerDeletion !== true) {
        // No longer blocking: a foreground-deleting owner may be able to finish.
        if (this.nodes.get(ownerUid)?.deletingDependents) fx.attemptToDelete.push(ownerUid);
      }
    }
    for (const [ownerUid, ref] of after) {
      if (before.has(ownerUid)) continue;
      let owner = this.nodes.get(ownerUid);
      if (!owner) {
        owner = {
          identity: ownerIdentity(ref, node.identity.namespace, this.namespaced),
          owners: [],
          dependents: new Set(),
          observed: false,
          beingDeleted: false,
          deletingDependents: false,
          orphaning: false,
        };
        this.nodes.set(ownerUid, owner);
        // An owner we have not seen: the worker checks whether it exists at all.
        fx.attemptToDelete.push(ownerUid);
      }
      owner.dependents.add(uid);
    }
    node.owners = refs;
  }

  private detach(ownerUid: string, dependentUid: string, fx: GraphEffects): void {
    const owner = this.nodes.get(ownerUid);
    if (!owner) return;
    owner.dependents.delete(dependentUid);
    if (owner.deletingDependents) fx.attemptToDelete.push(ownerUid);
    if (!owner.observed && owner.dependents.size === 0) this.nodes.delete(ownerUid);
  }
}

// ---- the decision (attemptToDeleteItem) ----

export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';

export type GcAction =
  | { type: 'none' }
  /** Keep the object, but drop references to owners that are gone or going. */
  | { type: 'removeOwnerReferences'; uids: string[] }
  /** Delete it; `unblock` first clears blockOwnerDeletion on its references (breaks foreground cycles). */
  | { type: 'delete'; propagationPolicy: 'Background' | 'Foreground' | 'Orphan'; unblock: boolean };

/**
 * What to do with an object whose owners were classified:
 * - any solid owner: keep it, removing references to dangling / foreground-deleting owners;
 * - all owners gone or going, some deleting in the foreground, and it has dependents itself:
 *   delete it in the foreground too (so the chain is deleted bottom-up);
 * - otherwise delete it, propagating as its own finalizers ask (orphan / foreground / background).
 */
export function decideAttemptToDelete(
  owners: readonly { uid: string; state: OwnerState }[],
  item: { finalizers: readonly string[]; hasDependents: boolean; aDependentIsDeletingDependents: boolean },
): GcAction {
  if (owners.length === 0) return { type: 'none' };
  const solid = owners.filter((o) => o.state === 'solid');
  const others = owners.filter((o) => o.state !== 'solid');
  const waiting = owners.filter((o) => o.state === 'waitingForDependentsDeletion');
  if (solid.length) return others.length ? { type: 'removeOwnerReferences', uids: others.map((o) => o.uid) } : { type: 'none' };
  if (waiting.length && item.hasDependents) {
    return { type: 'delete', propagationPolicy: 'Foreground', unblock: item.aDependentIsDeletingDependents };
  }
  const propagationPolicy = item.finalizers.includes(ORPHAN_FINALIZER)
    ? 'Orphan'
    : item.finalizers.includes(FOREGROUND_FINALIZER)
      ? 'Foreground'
      : 'Background';
  return { type: 'delete', propagationPolicy, unblock: false };
}

/** An owner as found by a live lookup (undefined: not found), classified against the reference. */
export function classifyOwner(ref: OwnerReference, found: ObjectMetaLike | undefined): OwnerState {
  if (!found || found.metadata?.uid !== ref.uid) return 'dangling';
  const m = found.metadata;
  if (m.deletionTimestamp && (m.finalizers ?? []).includes(FOREGROUND_FINALIZER)) return 'waitingForDependentsDeletion';
  return 'solid';
}
