// The pure core of the disruption controller (pkg/controller/disruption): from a PDB, the pods
// its selector picks and the scale of those pods' controllers, the status Kubernetes writes —
// expectedPods, desiredHealthy, currentHealthy, disruptionsAllowed, the pruned disruptedPods
// map and the DisruptionAllowed condition. No I/O here so every rule has a unit test.
import type { Pod } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget, PodDisruptionBudgetStatus } from 'kubernetes-types/policy/v1';
import type { Condition } from 'kubernetes-types/meta/v1';
import { isPodReady, scaledValueFromIntOrPercent } from '../controller/controller-utils.js';

/** How long an evicted pod may stay undeleted before it counts again (upstream DeletionTimeout). */
export const DELETION_TIMEOUT_MS = 2 * 60 * 1000;

export const DISRUPTION_ALLOWED_CONDITION = 'DisruptionAllowed';
export const REASON_SUFFICIENT_PODS = 'SufficientPods';
export const REASON_INSUFFICIENT_PODS = 'InsufficientPods';
export const REASON_SYNC_FAILED = 'SyncFailed';

/** The scale of the controller that owns a pod; undefined when the owner is unknown. */
export type ScaleOf = (pod: Pod) => { uid: string; replicas: number } | undefined;

export interface Expected {
  expectedCount: number;
  desiredHealthy: number;
  /** Selected pods with no controllerRef (upstream warns about them with an UnmanagedPods event). */
  unmanagedPods: string[];
}

/**
 * getExpectedScale: the sum of the selected pods' controllers' replicas, each controller once.
 * Pods whose owner has no known scale count one each (Kubernetes asks the owner's scale
 * subresource instead and fails the sync when there is none; this keeps the budget usable).
 */
export function expectedScale(pods: readonly Pod[], scaleOf: ScaleOf): { count: number; unmanaged: string[] } {
  const seen = new Map<string, number>();
  const unmanaged: string[] = [];
  let ownerless = 0;
  for (const pod of pods) {
    const ref = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (!ref) {
      unmanaged.push(pod.metadata?.name ?? '');
      continue;
    }
    const scale = scaleOf(pod);
    if (scale) seen.set(scale.uid, scale.replicas);
    else ownerless++;
  }
  let count = ownerless;
  for (const r of seen.values()) count += r;
  return { count, unmanaged };
}

/** getExpectedPodCount: an int minAvailable counts pods; percents and maxUnavailable use the controllers' scale. */
export function expectedPodCount(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf): Expected {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { count, unmanaged } = expectedScale(pods, scaleOf);
    const maxUnavailable = scaledValueFromIntOrPercent(spec.maxUnavailable, count, true);
    return { expectedCount: count, desiredHealthy: Math.max(0, count - maxUnavailable), unmanagedPods: unmanaged };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { count, unmanaged } = expectedScale(pods, scaleOf);
    return { expectedCount: count, desiredHealthy: scaledValueFromIntOrPercent(spec.minAvailable, count, true), unmanagedPods: unmanaged };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * buildDisruptedPodMap: keeps the entries of pods that still exist and are not yet being
 * deleted, dropping those older than DELETION_TIMEOUT (their eviction never happened).
 * `recheckAt` is when the oldest kept entry expires, so the controller syncs again then.
 */
export function pruneDisruptedPods(
  disrupted: Readonly<Record<string, string>> | undefined,
  pods: readonly Pod[],
  now: number,
): { kept: Record<string, string>; expired: string[]; recheckAt?: number } {
  const byName = new Map(pods.map((p) => [p.metadata?.name ?? '', p]));
  const kept: Record<string, string> = {};
  const expired: string[] = [];
  let recheckAt: number | undefined;
  for (const [name, at] of Object.entries(disrupted ?? {})) {
    const pod = byName.get(name);
    if (!pod || pod.metadata?.deletionTimestamp) continue;
    const expectedDeletion = Date.parse(at) + DELETION_TIMEOUT_MS;
    if (!(expectedDeletion > now)) {
      expired.push(name);
      continue;
    }
    kept[name] = at;
    recheckAt = recheckAt === undefined ? expectedDeletion : Math.min(recheckAt, expectedDeletion);
  }
  return { kept, expired, recheckAt };
}

/** countHealthyPods: Ready pods that are neither being deleted nor recently evicted. */
export function countHealthyPods(pods: readonly Pod[], disrupted: Readonly<Record<string, string>>, now: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata?.deletionTimestamp) continue;
    const at = disrupted[pod.metadata?.name ?? ''];
    if (at !== undefined && Date.parse(at) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

/** apimeta.SetStatusCondition: the transition time moves only when the status changes. */
export function setCondition(conditions: readonly Condition[] | undefined, next: Condition): Condition[] {
  const out = [...(conditions ?? [])];
  const i = out.findIndex((c) => c.type === next.type);
  if (i < 0) return [...out, next];
  const cur = out[i];
  out[i] = { ...next, lastTransitionTime: cur.status === next.status ? cur.lastTransitionTime : next.lastTransitionTime };
  return out;
}

export interface ComputedStatus {
  status: PodDisruptionBudgetStatus;
  unmanagedPods: string[];
  expiredDisruptions: string[];
  recheckAt?: number;
}

/** trySync + updatePdbStatus: the whole status for one PDB. `now` is ms since the epoch. */
export function computeStatus(pdb: PodDisruptionBudget, pods: readonly Pod[], scaleOf: ScaleOf, now: number): ComputedStatus {
  const { expectedCount, desiredHealthy, unmanagedPods } = expectedPodCount(pdb, pods, scaleOf);
  const { kept, expired, recheckAt } = pruneDisruptedPods(pdb.status?.disruptedPods, pods, now);
  const currentHealthy = countHealthyPods(pods, kept, now);
  const allowed = expectedCount <= 0 || currentHealthy - desiredHealthy <= 0 ? 0 : currentHealthy - desiredHealthy;
  const generation = pdb.metadata?.generation ?? 0;
  const condition: Condition = {
    type: DISRUPTION_ALLOWED_CONDITION,
    status: allowed > 0 ? 'True' : 'False',
    reason: allowed > 0 ? REASON_SUFFICIENT_PODS : REASON_INSUFFICIENT_PODS,
    message: '',
    observedGeneration: generation,
    lastTransitionTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
  };
  const status: PodDisruptionBudgetStatus = {
    observedGeneration: generation,
    ...(Object.keys(kept).length ? { disruptedPods: kept } : {}),
    disruptionsAllowed: allowed,
    currentHealthy,
    desiredHealthy,
    expectedPods: expectedCount,
    conditions: setCondition(pdb.status?.conditions, condition),
  };
  return { status, unmanagedPods, expiredDisruptions: expired, recheckAt };
}

/** failSafe: when the status cannot be computed no disruption is allowed. */
export function failSafeStatus(pdb: PodDisruptionBudget, err: string, now: number): PodDisruptionBudgetStatus {
  const generation = pdb.metadata?.generation ?? 0;
  return {
    ...pdb.status,
    observedGeneration: generation,
    disruptionsAllowed: 0,
    currentHealthy: pdb.status?.currentHealthy ?? 0,
    desiredHealthy: pdb.status?.desiredHealthy ?? 0,
    expectedPods: pdb.status?.expectedPods ?? 0,
    conditions: setCondition(pdb.status?.conditions, {
      type: DISRUPTION_ALLOWED_CONDITION,
      status: 'False',
      reason: REASON_SYNC_FAILED,
      message: err,
      observedGeneration: generation,
      lastTransitionTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
    }),
  };
}

/** True when two statuses differ in anything the controller writes. */
export function statusChanged(a: PodDisruptionBudgetStatus | undefined, b: PodDisruptionBudgetStatus): boolean {
  const norm = (s: PodDisruptionBudgetStatus | undefined): string =>
    JSON.stringify([s?.observedGeneration, s?.disruptedPods ?? {}, s?.disruptionsAllowed, s?.currentHealthy, s?.desiredHealthy, s?.expectedPods, s?.conditions ?? []]);
  return norm(a) !== norm(b);
}
