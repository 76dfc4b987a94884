// ControllerRevisions as Kubernetes' pkg/controller/history builds them, pure: the revision's
// data (the owner's template as a strategic-merge patch that replaces it), its hash (FNV-32 over
// the raw data plus the collision count, SafeEncodeString'd) and name `<owner>-<hash>`,
// ordering, equality, and which old revisions a history limit lets go. DaemonSets and
// StatefulSets share all of it; the I/O lives in controller-history.ts, the data's format
// (shared with kc's rollout history/undo) in api/controller-revision.ts.
import type { ControllerRevision } from 'kubernetes-types/apps/v1';
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { revisionDataBytes } from '../../api/controller-revision.js';
export { applyRevision, matchesRevision, revisionDataBytes, revisionTemplate, templatePatch } from '../../api/controller-revision.js';
import { REVISION_HASH_LABEL, safeEncodeString } from '../controller/controller-utils.js';
import { newControllerRef, type GroupVersionKind } from '../controller/controller-ref-manager.js';

/** Revision names are `<prefix>-<hash>` and must fit 253 characters (controller_history.go). */
const MAX_PREFIX = 223;

export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_PREFIX ? prefix.slice(0, MAX_PREFIX) : prefix}-${hash}`;
}

/** FNV-1 (not 1a: Go's fnv.New32, which HashControllerRevision uses), 32 bit. */
export function fnv32(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h = Math.imul(h, 0x01000193) >>> 0;
    h ^= b;
  }
  return h >>> 0;
}

/** HashControllerRevision: FNV-32 of the raw data, then the collision count in decimal (the probe). */
export function hashControllerRevision(rev: Pick<ControllerRevision, 'data'>, probe?: number): string {
  let h = fnv32(Buffer.from(revisionDataBytes(rev), 'utf8'));
  if (probe !== undefined && probe !== null) h = fnv32(Buffer.from(String(probe), 'utf8'), h);
  return safeEncodeString(String(h));
}

/**
 * NewControllerRevision: labelled with the template's labels and the hash, owned by the parent,
 * named `<parent>-<hash>`. The name is recomputed on a collision by the creator.
 */
export function newControllerRevision(
  parent: { metadata?: ObjectMeta },
  gvk: GroupVersionKind,
  templateLabels: Record<string, string> | undefined,
  data: Record<string, unknown>,
  revision: number,
  collisionCount: number | undefined,
): ControllerRevision {
  const cr: ControllerRevision = {
    apiVersion: 'apps/v1',
    kind: 'ControllerRevision',
    metadata: {
      namespace: parent.metadata?.namespace,
      labels: { ...(templateLabels ?? {}) },
      ownerReferences: [newControllerRef(parent, gvk)],
    },
    data,
    revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata!.labels![REVISION_HASH_LABEL] = hash;
  cr.metadata!.name = controllerRevisionName(parent.metadata?.name ?? '', hash);
  return cr;
}

/** SortControllerRevisions: by revision, then creation time, then name. */
export function sortControllerRevisions(revs: readonly ControllerRevision[]): ControllerRevision[] {
  return [...revs].sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? '') ||
      (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? ''),
  );
}

/** EqualRevision: same hash label when both have one, and the same data. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata?.labels?.[REVISION_HASH_LABEL];
  const hb = b.metadata?.labels?.[REVISION_HASH_LABEL];
  if (ha !== undefined && hb !== undefined && ha !== hb) return false;
  return revisionDataBytes(a) === revisionDataBytes(b);
}

export function findEqualRevisions(revs: readonly ControllerRevision[], needle: ControllerRevision): ControllerRevision[] {
  return revs.filter((r) => equalRevision(r, needle));
}

export function maxRevision(revs: readonly ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

/** nextRevision: one past the highest, 1 for an empty history. */
export function nextRevision(revs: readonly ControllerRevision[]): number {
  return maxRevision(revs) + 1;
}

/**
 * truncateHistory (StatefulSet): the oldest revisions beyond `limit` that are not live (the
 * current/update revision or one a pod still carries), in deletion order.
 */
export function revisionsToPrune(revs: readonly ControllerRevision[], isLive: (r: ControllerRevision) => boolean, limit: number): ControllerRevision[] {
  const history = sortControllerRevisions(revs.filter((r) => !isLive(r)));
  const excess = history.length - Math.max(limit, 0);
  return excess > 0 ? history.slice(0, excess) : [];
}

/**
 * cleanupHistory (DaemonSet): the old revisions count against the limit whether live or not,
 * and the oldest non-live ones go until the count fits.
 */
export function oldRevisionsToPrune(old: readonly ControllerRevision[], isLive: (r: ControllerRevision) => boolean, limit: number): ControllerRevision[] {
  let toKill = old.length - Math.max(limit, 0);
  const out: ControllerRevision[] = [];
  for (const r of sortControllerRevisions(old)) {
    if (toKill <= 0) break;
    if (isLive(r)) continue;
    out.push(r);
    toKill--;
  }
  return out;
}
