// A StatefulSet's ControllerRevisions (stateful_set_control.go getStatefulSetRevisions and
// truncateHistory): the update revision is the set's template as a revision named
// `<set>-<hash>` (HashControllerRevision, probed with the collision count); an equal older
// revision is re-used with a new number (a rollback), the current revision is the one
// status.currentRevision names. Old revisions no pod uses are trimmed to revisionHistoryLimit.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { REVISION_HASH_LABEL } from '../controller/controller-utils.js';
import type { GroupVersionKind } from '../controller/controller-ref-manager.js';
import type { ControllerHistory } from '../history/controller-history.js';
import { equalRevision, findEqualRevisions, newControllerRevision, nextRevision, revisionsToPrune, sortControllerRevisions, templatePatch } from '../history/revision.js';

export interface StatefulSetRevisions {
  current: ControllerRevision;
  update: ControllerRevision;
  collisionCount: number;
}

/** newRevision: the set's template as a revision, with the set's annotations. */
export function newStatefulSetRevision(set: StatefulSet, gvk: GroupVersionKind, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision(set, gvk, set.spec?.template?.metadata?.labels, templatePatch(set), revision, collisionCount);
  if (set.metadata?.annotations) cr.metadata!.annotations = { ...set.metadata.annotations };
  return cr;
}

export async function getStatefulSetRevisions(history: ControllerHistory, set: StatefulSet, gvk: GroupVersionKind, revisions: readonly ControllerRevision[]): Promise<StatefulSetRevisions> {
  const sorted = sortControllerRevisions(revisions);
  const collision = { count: set.status?.collisionCount ?? 0 };
  let update = newStatefulSetRevision(set, gvk, nextRevision(sorted), collision.count);
  const equal = findEqualRevisions(sorted, update);
  const last = sorted[sorted.length - 1];
  if (equal.length > 0 && equalRevision(last, equal[equal.length - 1])) {
    // The newest revision already holds this template: nothing changed.
    update = last!;
  } else if (equal.length > 0) {
    // An older revision holds it: a rollback, which renumbers that revision.
    update = await history.setRevision(equal[equal.length - 1]!, update.revision);
  } else {
    update = await history.create(set, update, collision);
  }
  const current = sorted.find((r) => r.metadata?.name === set.status?.currentRevision) ?? update;
  return { current, update, collisionCount: collision.count };
}

/** truncateHistory: revisions beyond the limit that are neither current, update, nor on a pod go. */
export async function truncateHistory(history: ControllerHistory, set: StatefulSet, pods: readonly Pod[], revisions: readonly ControllerRevision[], revs: StatefulSetRevisions): Promise<void> {
  const live = new Set([revs.current.metadata?.name, revs.update.metadata?.name, ...pods.map((p) => p.metadata?.labels?.[REVISION_HASH_LABEL])]);
  const limit = set.spec?.revisionHistoryLimit ?? 10;
  for (const r of revisionsToPrune(revisions, (r) => live.has(r.metadata?.name), limit)) await history.delete(r);
}
