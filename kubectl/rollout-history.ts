// `rollout history` and `rollout undo` for DaemonSets and StatefulSets, the pure part
// (kubectl's polymorphichelpers history.go/rollback.go): their history is the
// ControllerRevisions they control, keyed by revision number; undo applies a revision's data
// as a strategic merge patch unless it already is the current template.
import type { ControllerRevision } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import { matchesRevision, revisionTemplate, type Templated } from '../api/controller-revision.js';
import type { KObject } from '../api/types.js';

const CHANGE_CAUSE = 'kubernetes.io/change-cause';

export interface RevisionEntry {
  template: PodTemplateSpec | undefined;
  changeCause: string | undefined;
}

/** controlledHistory: the revisions whose controller ownerReference is the owner, by number (later ones win a tie). */
export function controlledRevisions(owner: KObject, revisions: readonly ControllerRevision[]): Map<number, ControllerRevision> {
  const out = new Map<number, ControllerRevision>();
  for (const r of revisions) {
    if (r.metadata?.ownerReferences?.some((ref) => ref.controller === true && ref.uid === owner.metadata?.uid)) out.set(r.revision, r);
  }
  return out;
}

/** The history as `rollout history` prints it: each revision's template and change-cause. */
export function revisionEntries(revs: Map<number, ControllerRevision>): Map<number, RevisionEntry> {
  const out = new Map<number, RevisionEntry>();
  for (const [n, r] of revs) out.set(n, { template: revisionTemplate(r), changeCause: r.metadata?.annotations?.[CHANGE_CAUSE] });
  return out;
}

export type UndoDecision =
  | { kind: 'error'; message: string }
  | { kind: 'skip'; revision: number }
  | { kind: 'patch'; revision: number; patch: unknown };

/** DaemonSetRollbacker/StatefulSetRollbacker.Rollback: which revision, and whether there is anything to do. */
export function undoDecision(owner: KObject, revs: Map<number, ControllerRevision>, toRevision: number): UndoDecision {
  const notFound = { kind: 'error', message: `unable to find specified revision ${toRevision} in history` } as const;
  if (toRevision < 0) return notFound;
  if (toRevision === 0 && revs.size <= 1) return { kind: 'error', message: 'no last revision to roll back to' };
  const sorted = [...revs.keys()].sort((a, b) => a - b);
  const to = toRevision === 0 ? sorted[sorted.length - 2]! : toRevision;
  const rev = revs.get(to);
  if (!rev) return notFound;
  if (matchesRevision(owner as Templated, rev)) return { kind: 'skip', revision: to };
  return { kind: 'patch', revision: to, patch: rev.data };
}
