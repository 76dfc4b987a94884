// Controller references and the adopt/release dance (Kubernetes' controller_ref_manager.go):
// a controller owns the objects whose controller ownerReference names its uid; it adopts
// orphans its selector matches and releases owned objects its selector stopped matching, so
// ownership follows labels without two controllers ever fighting over one object.
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import type { ObjectLike, ResourceClient } from '../../client/index.js';
import { isInvalid, isNotFound } from '../../client/index.js';
import type { LabelSelector } from '../../api/labels.js';

export interface GroupVersionKind {
  apiVersion: string;
  kind: string;
}

/** An ownerReference with controller: true and blockOwnerDeletion: true (metav1.NewControllerRef). */
export function newControllerRef(owner: ObjectLike, gvk: GroupVersionKind): OwnerReference {
  return {
    apiVersion: gvk.apiVersion,
    kind: gvk.kind,
    name: owner.metadata?.name ?? '',
    uid: owner.metadata?.uid ?? '',
    controller: true,
    blockOwnerDeletion: true,
  };
}

/** The ownerReference with controller: true, if any (metav1.GetControllerOf). */
export function getControllerOf(obj: ObjectLike): OwnerReference | undefined {
  return obj.metadata?.ownerReferences?.find((r) => r.controller === true);
}

export type ClaimAction = 'keep' | 'adopt' | 'release' | 'ignore';

/**
 * What an owner should do about one object (BaseControllerRefManager.ClaimObject):
 * keep its own matching objects, release its own non-matching ones (unless it is being
 * deleted), adopt matching orphans that are not being deleted (unless it is), and leave
 * everything owned by someone else alone.
 */
export function claimAction(
  obj: ObjectLike,
  owner: { uid: string; namespace?: string; deleting: boolean },
  matches: boolean,
): ClaimAction {
  const ref = getControllerOf(obj);
  if (ref) {
    if (ref.uid !== owner.uid) return 'ignore';
    if (matches) return 'keep';
    return owner.deleting ? 'ignore' : 'release';
  }
  if (owner.deleting || !matches) return 'ignore';
  if (obj.metadata?.deletionTimestamp) return 'ignore';
  if (owner.namespace !== undefined && obj.metadata?.namespace !== owner.namespace) return 'ignore';
  return 'adopt';
}

export interface ControllerRefManagerOptions<T extends ObjectLike> {
  owner: ObjectLike;
  ownerGvk: GroupVersionKind;
  selector: LabelSelector;
  /** Client for the owned kind, in the owner's namespace. */
  objects: ResourceClient<T>;
  /**
   * A fresh (uncached) check that the owner still exists with the same uid and is not being
   * deleted; throws otherwise. Called at most once, and only if something is to be adopted.
   */
  recheckOwner: () => Promise<void>;
  /** Finalizers added on adoption and removed on release (the Job's job-tracking finalizer). */
  finalizers?: readonly string[];
}

/**
 * Claims objects for one owner: returns those it owns after adopting/releasing. An object
 * that vanished meanwhile is skipped; other failures are thrown after the rest was tried.
 */
export async function claimObjects<T extends ObjectLike>(objs: readonly T[], opts: ControllerRefManagerOptions<T>): Promise<T[]> {
  const owner = {
    uid: opts.owner.metadata?.uid ?? '',
    namespace: opts.owner.metadata?.namespace,
    deleting: Boolean(opts.owner.metadata?.deletionTimestamp),
  };
  let recheck: Promise<void> | undefined;
  const canAdopt = (): Promise<void> => (recheck ??= opts.recheckOwner());
  const claimed: T[] = [];
  const errors: unknown[] = [];
  await Promise.all(
    objs.map(async (obj) => {
      const action = claimAction(obj, owner, opts.selector.matches(obj.metadata?.labels));
      try {
        if (action === 'keep') claimed.push(obj);
        else if (action === 'adopt') {
          await canAdopt();
          const adopted = await adopt(obj, opts);
          if (adopted) claimed.push(adopted);
        } else if (action === 'release') await release(obj, owner.uid, opts.objects, opts.finalizers);
      } catch (e) {
        errors.push(e);
      }
    }),
  );
  if (errors.length > 0) throw errors[0];
  return claimed;
}

async function adopt<T extends ObjectLike>(obj: T, opts: ControllerRefManagerOptions<T>): Promise<T | undefined> {
  // The uid in the patch makes it a precondition: an object recreated under the same name is not adopted.
  const fins = opts.finalizers?.length ? { finalizers: [...opts.finalizers] } : {};
  const patch = { metadata: { ownerReferences: [newControllerRef(opts.owner, opts.ownerGvk)], uid: obj.metadata?.uid, ...fins } };
  try {
    return await opts.objects.patch(obj.metadata?.name ?? '', 'strategic', patch);
  } catch (e) {
    if (isNotFound(e)) return undefined;
    throw e;
  }
}

async function release<T extends ObjectLike>(obj: T, ownerUid: string, objects: ResourceClient<T>, finalizers?: readonly string[]): Promise<void> {
  const fins = finalizers?.length ? { '$deleteFromPrimitiveList/finalizers': [...finalizers] } : {};
  const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: ownerUid }], uid: obj.metadata?.uid, ...fins } };
  try {
    await objects.patch(obj.metadata?.name ?? '', 'strategic', patch);
  } catch (e) {
    // Gone, or replaced by another object of the same name (uid precondition): nothing to release.
    if (isNotFound(e) || isInvalid(e)) return;
    throw e;
  }
}

/**
 * The usual recheck: GET the owner from the apiserver (not the cache) and make sure it is the
 * same object and not being deleted (RecheckDeletionTimestamp).
 */
export function recheckDeletionTimestamp(get: () => Promise<ObjectLike>, owner: ObjectLike, kind: string): () => Promise<void> {
  return async () => {
    const fresh = await get();
    const ns = owner.metadata?.namespace;
    const name = `${ns ? `${ns}/` : ''}${owner.metadata?.name ?? ''}`;
    if (fresh.metadata?.uid !== owner.metadata?.uid) {
      throw new Error(`original ${kind} ${name} is gone: got uid ${fresh.metadata?.uid ?? ''}, wanted ${owner.metadata?.uid ?? ''}`);
    }
    if (fresh.metadata?.deletionTimestamp) {
      throw new Error(`${kind} ${name} has just been deleted at ${fresh.metadata.deletionTimestamp}`);
    }
  };
}
