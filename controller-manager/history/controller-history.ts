// The I/O half of pkg/controller/history (realHistory): list, claim (adopt/release by
// controllerRef, as ControllerRevisionControllerRefManager), create with collision handling,
// bump a revision's number, delete. The decisions are in revision.ts.
import type { ControllerRevision } from 'kubernetes-types/apps/v1';
import { deletedObject, isAlreadyExists, isConflict, isNotFound, metaNamespaceKey } from '../../client/index.js';
import type { ObjectLike, ResourceClient, ResourceEventHandler, SharedInformer, WorkQueue } from '../../client/index.js';
import { resolveControllerRef } from '../controller/controller-utils.js';
import type { LabelSelector } from '../../api/labels.js';
import { claimObjects, getControllerOf, type GroupVersionKind } from '../controller/controller-ref-manager.js';
import { controllerRevisionName, hashControllerRevision, revisionDataBytes } from './revision.js';

export class ControllerHistory {
  constructor(private readonly revisions: ResourceClient<ControllerRevision>) {}

  /**
   * The revisions this parent controls after adopting matching orphans and releasing its own
   * that its selector no longer matches (ListControllerRevisions + ClaimControllerRevisions).
   */
  claim(candidates: readonly ControllerRevision[], parent: ObjectLike, gvk: GroupVersionKind, selector: LabelSelector, recheckOwner: () => Promise<void>): Promise<ControllerRevision[]> {
    return claimObjects(candidates, { owner: parent, ownerGvk: gvk, selector, objects: this.revisions, recheckOwner });
  }

  /**
   * CreateControllerRevision: named by the hash with the collision count as probe. A name taken
   * by an identical revision of the same parent is that revision; taken by anything else, the
   * collision count goes up and the next name is tried. `collision.count` is updated in place
   * for the caller to persist in the parent's status.
   */
  async create(parent: ObjectLike, revision: ControllerRevision, collision: { count: number }): Promise<ControllerRevision> {
    for (;;) {
      const hash = hashControllerRevision(revision, collision.count);
      const name = controllerRevisionName(parent.metadata?.name ?? '', hash);
      const clone: ControllerRevision = { ...structuredClone(revision), metadata: { ...structuredClone(revision.metadata ?? {}), name } };
      try {
        return await this.revisions.create(clone);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
      const exists = await this.revisions.get(name);
      if (getControllerOf(exists)?.uid === parent.metadata?.uid && revisionDataBytes(exists) === revisionDataBytes(clone)) return exists;
      collision.count++;
    }
  }

  /** Creates a revision under the name it has (the DaemonSet names its own by the template hash). */
  createNamed(revision: ControllerRevision): Promise<ControllerRevision> {
    return this.revisions.create(revision);
  }

  /** UpdateControllerRevision: give an existing revision a new number (a rollback re-uses it), retried on conflict. */
  async setRevision(rev: ControllerRevision, newRevision: number): Promise<ControllerRevision> {
    let cur = rev;
    for (let attempt = 0; ; attempt++) {
      if (cur.revision === newRevision) return cur;
      try {
        return await this.revisions.update({ ...cur, revision: newRevision });
      } catch (e) {
        if (!isConflict(e) || attempt >= 4) throw e;
        cur = await this.revisions.get(rev.metadata?.name ?? '');
      }
    }
  }

  /** Adds a missing label to a revision (the DaemonSet's hash label, for revisions of older controllers). */
  async label(rev: ControllerRevision, key: string, value: string): Promise<ControllerRevision> {
    return this.revisions.patch(rev.metadata?.name ?? '', 'merge', { metadata: { labels: { [key]: value } } });
  }

  async delete(rev: ControllerRevision): Promise<void> {
    try {
      await this.revisions.delete(rev.metadata?.name ?? '', { preconditions: { uid: rev.metadata?.uid } });
    } catch (e) {
      if (!isNotFound(e) && !isConflict(e)) throw e;
    }
  }

  get(name: string): Promise<ControllerRevision> {
    return this.revisions.get(name);
  }
}

/**
 * Revision events queue the owner their controllerRef names (addHistory/updateHistory/
 * deleteHistory), so a revision deleted or edited by hand is recreated or re-read.
 */
export function ownedRevisionEventHandler<T extends ObjectLike>(owners: SharedInformer<T>, gvk: GroupVersionKind, queue: WorkQueue<string>): ResourceEventHandler<ControllerRevision> {
  const enqueue = (r: ControllerRevision): void => {
    const owner = resolveControllerRef(owners.lister, gvk, r.metadata?.namespace ?? '', getControllerOf(r));
    if (owner) queue.add(metaNamespaceKey(owner));
  };
  return {
    onAdd: enqueue,
    onUpdate: (_, r) => enqueue(r),
    onDelete: (obj) => enqueue(deletedObject(obj)),
  };
}
