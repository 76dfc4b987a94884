// Pure Deployment arithmetic and bookkeeping (Kubernetes' pkg/controller/deployment/util):
// maxSurge/maxUnavailable fenceposts, replica counts over ReplicaSets, which ReplicaSet is
// "new", and the revision / desired-replicas / max-replicas annotations.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import { POD_TEMPLATE_HASH_LABEL } from './hash.js';
import { scaledValueFromIntOrPercent } from '../controller/controller-utils.js';
import { zeroValueEqual } from '../../api/validation/equal.js';

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** extensions/v1beta1's rollback request; never copied to ReplicaSets. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** Longest revision-history annotation kept (k8s' maxRevHistoryLengthInChars). */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
const MAX_INT32 = 2 ** 31 - 1;

const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_ANNOTATION,
  REVISION_ANNOTATION,
  REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION,
  MAX_REPLICAS_ANNOTATION,
  DEPRECATED_ROLLBACK_TO,
]);

export function skipCopyAnnotation(key: string): boolean {
  return ANNOTATIONS_TO_SKIP.has(key);
}

// ---- fenceposts ----

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable rounds down; if both come out 0,
 * maxUnavailable becomes 1 so the rollout can move at all.
 */
export function resolveFenceposts(
  maxSurge: number | string | undefined,
  maxUnavailable: number | string | undefined,
  desired: number,
): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

export function replicasOf(obj: { spec?: { replicas?: number } } | undefined): number {
  return obj?.spec?.replicas ?? 0;
}

export function desiredReplicas(d: Deployment): number {
  return d.spec?.replicas ?? 1;
}

export function isRollingUpdate(d: Deployment): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, desiredReplicas(d)).surge;
}

export function maxUnavailable(d: Deployment): number {
  const replicas = desiredReplicas(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec?.strategy?.rollingUpdate;
  return Math.min(replicas, resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas).unavailable);
}

export function hasProgressDeadline(d: Deployment): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: Deployment): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MAX_INT32;
}

// ---- counts over ReplicaSets (undefined entries are skipped, as k8s skips nil) ----

type MaybeRS = ReplicaSet | undefined;
const present = (list: readonly MaybeRS[]): ReplicaSet[] => list.filter((r): r is ReplicaSet => r !== undefined);

/** Sum of spec.replicas. */
export function replicaCount(list: readonly MaybeRS[]): number {
  return present(list).reduce((n, rs) => n + replicasOf(rs), 0);
}
/** Sum of status.replicas. */
export function actualReplicaCount(list: readonly MaybeRS[]): number {
  return present(list).reduce((n, rs) => n + (rs.status?.replicas ?? 0), 0);
}
export function readyReplicaCount(list: readonly MaybeRS[]): number {
  return present(list).reduce((n, rs) => n + (rs.status?.readyReplicas ?? 0), 0);
}
export function availableReplicaCount(list: readonly MaybeRS[]): number {
  return present(list).reduce((n, rs) => n + (rs.status?.availableReplicas ?? 0), 0);
}

/** ReplicaSets that have (or ought to have) pods. */
export function filterActive(list: readonly MaybeRS[]): ReplicaSet[] {
  return present(list).filter((rs) => replicasOf(rs) > 0);
}

// ---- orderings ----

function created(rs: ReplicaSet): number {
  return Date.parse(rs.metadata?.creationTimestamp ?? '') || 0;
}

/** Oldest first, name as tie breaker (ReplicaSetsByCreationTimestamp). */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  return created(a) - created(b) || ((a.metadata?.name ?? '') < (b.metadata?.name ?? '') ? -1 : (a.metadata?.name ?? '') > (b.metadata?.name ?? '') ? 1 : 0);
}
/** Largest first, then older first (ReplicaSetsBySizeOlder). */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(b) - replicasOf(a) || byCreationTimestamp(a, b);
}
/** Largest first, then newer first (ReplicaSetsBySizeNewer). */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  return replicasOf(b) - replicasOf(a) || byCreationTimestamp(b, a);
}
/** Lowest revision first, then older first (ReplicaSetsByRevision). */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  return revisionOf(a) - revisionOf(b) || byCreationTimestamp(a, b);
}

// ---- revisions and annotations ----

/** The revision annotation as a number; 0 when missing or unparsable. */
export function revisionOf(obj: { metadata?: { annotations?: Record<string, string> } } | undefined): number {
  const v = obj?.metadata?.annotations?.[REVISION_ANNOTATION];
  if (v === undefined || !/^\d+$/.test(v)) return 0;
  return Number(v);
}

export function maxRevision(list: readonly ReplicaSet[]): number {
  return list.reduce((m, rs) => Math.max(m, revisionOf(rs)), 0);
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata?.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

export function desiredReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
}
export function maxReplicasAnnotation(rs: ReplicaSet): number | undefined {
  return intAnnotation(rs, MAX_REPLICAS_ANNOTATION);
}

/** Sets desired-/max-replicas on a (mutable) ReplicaSet; true if anything changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const meta = rs.metadata as { annotations?: Record<string, string> };
  meta.annotations ??= {};
  let changed = false;
  if (meta.annotations[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    meta.annotations[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (meta.annotations[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    meta.annotations[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const a = rs.metadata?.annotations;
  return !a || a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** Copies the Deployment's own annotations (not the bookkeeping ones) onto the ReplicaSet. */
function copyDeploymentAnnotations(d: Deployment, rs: ReplicaSet): boolean {
  const meta = rs.metadata as { annotations?: Record<string, string> };
  meta.annotations ??= {};
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata?.annotations ?? {})) {
    if (skipCopyAnnotation(k) || meta.annotations[k] === v) continue;
    meta.annotations[k] = v;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision to
 * `newRevision` if it is higher (keeping the old number in revision-history: that is a
 * rollback), and on a not-yet-created ReplicaSet also desired/max replicas. Mutates `rs`;
 * true if anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: number, exists: boolean): boolean {
  let changed = copyDeploymentAnnotations(d, rs);
  const ann = (rs.metadata as { annotations: Record<string, string> }).annotations;
  const oldRevisionText = ann[REVISION_ANNOTATION];
  const had = oldRevisionText !== undefined;
  if (had && !/^\d+$/.test(oldRevisionText)) return changed;
  const oldRevision = had ? Number(oldRevisionText) : 0;
  if (oldRevision < newRevision) {
    ann[REVISION_ANNOTATION] = String(newRevision);
    changed = true;
    if (had) {
      const history = ann[REVISION_HISTORY_ANNOTATION] ?? '';
      let olds = history.split(',');
      if (olds[0] === '') ann[REVISION_HISTORY_ANNOTATION] = oldRevisionText;
      else {
        let total = history.length + oldRevisionText.length + 1;
        let start = 0;
        while (total > MAX_REV_HISTORY_LENGTH_IN_CHARS && start < olds.length) {
          total -= olds[start].length + 1;
          start++;
        }
        if (total <= MAX_REV_HISTORY_LENGTH_IN_CHARS) {
          olds = [...olds.slice(start), oldRevisionText];
          ann[REVISION_HISTORY_ANNOTATION] = olds.join(',');
        }
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, desiredReplicas(d), desiredReplicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** Sets the Deployment's revision annotation (mutates); true if it changed. */
export function setDeploymentRevision(d: Deployment, revision: string): boolean {
  const meta = d.metadata as { annotations?: Record<string, string> };
  meta.annotations ??= {};
  if (meta.annotations[REVISION_ANNOTATION] === revision) return false;
  meta.annotations[REVISION_ANNOTATION] = revision;
  return true;
}

// ---- which ReplicaSet is new ----


/** Templates equal apart from the pod-template-hash label (EqualIgnoreHash). */
export function equalIgnoreHash(t1: PodTemplateSpec | undefined, t2: PodTemplateSpec | undefined): boolean {
  const strip = (t: PodTemplateSpec | undefined): PodTemplateSpec => {
    const c: PodTemplateSpec = structuredClone(t ?? {});
    if (c.metadata?.labels) {
      const { [POD_TEMPLATE_HASH_LABEL]: _h, ...rest } = c.metadata.labels;
      c.metadata = { ...c.metadata, labels: rest };
    }
    return c;
  };
  return zeroValueEqual(strip(t1), strip(t2));
}

/** The oldest ReplicaSet whose template is the Deployment's (FindNewReplicaSet). */
export function findNewReplicaSet(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** Every ReplicaSet but the new one (FindOldReplicaSets' allOldRSs). */
export function findOldReplicaSets(d: Deployment, rsList: readonly ReplicaSet[]): ReplicaSet[] {
  const newRS = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => !newRS || rs.metadata?.uid !== newRS.metadata?.uid);
}

/**
 * The one ReplicaSet to scale to the full count when at most one is active (FindActiveOrLatest):
 * the active one, or the newest if none is active; undefined when several are active.
 */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

/** The new ReplicaSet runs the full count, annotated so, and all of it is available (IsSaturated). */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const want = desiredReplicas(d);
  return replicasOf(rs) === want && desiredReplicasAnnotation(rs) === want && (rs.status?.availableReplicas ?? 0) === want;
}

/**
 * How many replicas the new ReplicaSet may have now (NewRSNewReplicas): for RollingUpdate as
 * many as fit under replicas + maxSurge in total, never above replicas; Recreate: all.
 *
 * Kubernetes counts spec.replicas alone, so the new ReplicaSet may create a pod before an old
 * one just scaled down has deleted its own, briefly passing replicas + maxSurge. Here a
 * ReplicaSet counts as max(spec, status.replicas): its pods count until its controller has
 * seen their termination start, which keeps the documented bound on pods, not only on specs.
 * `livePods` (the controller's pod informer: pods of a ReplicaSet not being deleted) counts
 * too: right after a controller-manager failover a ReplicaSet's status can be behind the pods
 * the previous leader created before it died. And no scale-up while an old ReplicaSet's
 * status.observedGeneration is behind its generation.
 */
export function newRSNewReplicas(d: Deployment, allRSs: readonly MaybeRS[], newRS: ReplicaSet, livePods: (rs: ReplicaSet) => number = () => 0): number {
  const want = desiredReplicas(d);
  if (!isRollingUpdate(d)) return want;
  const surge = scaledValueFromIntOrPercent(d.spec?.strategy?.rollingUpdate?.maxSurge ?? 0, want, true);
  // An old ReplicaSet whose controller has not yet acted on its latest spec may still be
  // creating pods for its previous size (the informers here lag its creates): wait for its
  // status, whose update brings the next sync.
  const unsettled = present(allRSs).some((rs) => rs !== newRS && rs.status?.observedGeneration !== undefined && (rs.metadata?.generation ?? 0) > rs.status.observedGeneration);
  if (unsettled) return replicasOf(newRS);
  const current = present(allRSs).reduce((n, rs) => n + Math.max(replicasOf(rs), rs.status?.replicas ?? 0, livePods(rs)), 0);
  const maxTotal = want + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, want - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}
