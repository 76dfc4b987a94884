// Which pods a ReplicaSet/ReplicationController deletes first when it scales down: the order
// of Kubernetes' ActivePodsWithRanks (controller_utils.go), with LogarithmicScaleDown (on by
// default since 1.22, GA in 1.31) and pod-deletion-cost. The pods least useful to keep go
// first: unscheduled, then not running, not ready, cheap to delete, doubled up on a node,
// recently ready, crash-looping, young.
import type { Pod } from 'kubernetes-types/core/v1';
import { isPodActive, isPodReady, podReadyCondition } from './controller-utils.js';

/** The annotation that lets users order scale-down (lower cost goes first). */
export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

function phaseOrdinal(pod: Pod): number {
  return PHASE_ORDINAL[pod.status?.phase ?? ''] ?? 0;
}

/** An int32 deletion cost; invalid or missing counts as 0, as k8s (after validation). */
export function podDeletionCost(pod: Pod): number {
  const v = pod.metadata?.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^-?\d+$/.test(v.trim())) return 0;
  const n = Number(v.trim());
  return n >= -(2 ** 31) && n < 2 ** 31 ? n : 0;
}

function maxContainerRestarts(pod: Pod): number {
  return Math.max(0, ...(pod.status?.containerStatuses ?? []).map((c) => c.restartCount ?? 0));
}

function time(ts: string | undefined): number | undefined {
  if (!ts) return undefined;
  const t = Date.parse(ts);
  return Number.isNaN(t) ? undefined : t;
}

function readyTime(pod: Pod): number | undefined {
  return isPodReady(pod) ? time(podReadyCondition(pod)?.lastTransitionTime) : undefined;
}

/** a before b when a is later, with "no time" first (k8s' afterOrZero). */
function afterOrZero(a: number | undefined, b: number | undefined): boolean {
  if (a === undefined || b === undefined) return a === undefined;
  return a > b;
}

/**
 * Compares how long ago two instants were on a log2 scale (nanoseconds, as k8s), so pods of
 * roughly the same age are treated as equals and scale-down does not always pick the very
 * newest ones.
 */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const rank = (t: number): number => {
    const ns = (now - t) * 1e6;
    return ns > 0 ? Math.floor(Math.log2(ns)) : -1;
  };
  return rank(t1) - rank(t2);
}

/** Compares two timestamps where the more recent one should go first. */
function newerFirst(a: number | undefined, b: number | undefined, uidA: string, uidB: string, now: number | undefined): boolean {
  if (now === undefined || a === undefined || b === undefined) return afterOrZero(a, b);
  const diff = logarithmicRankDiff(a, b, now);
  if (diff === 0) return uidA < uidB;
  return diff < 0;
}

export interface RankedPod {
  pod: Pod;
  /** Active pods of the same owner family on this pod's node (more = delete first). */
  rank: number;
}

/** True when `a` should be deleted before `b` (ActivePodsWithRanks.Less). */
export function deleteBefore(a: RankedPod, b: RankedPod, now?: number): boolean {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  // 1. Unassigned < assigned.
  if (na !== nb && (na === '' || nb === '')) return na === '';
  // 2. Pending < Unknown < Running.
  if (phaseOrdinal(pa) !== phaseOrdinal(pb)) return phaseOrdinal(pa) < phaseOrdinal(pb);
  // 3. Not ready < ready.
  if (isPodReady(pa) !== isPodReady(pb)) return !isPodReady(pa);
  // 4. Lower pod-deletion-cost < higher.
  const ca = podDeletionCost(pa);
  const cb = podDeletionCost(pb);
  if (ca !== cb) return ca < cb;
  // 5. Doubled up on a node < not doubled up.
  if (a.rank !== b.rank) return a.rank > b.rank;
  const uidA = pa.metadata?.uid ?? '';
  const uidB = pb.metadata?.uid ?? '';
  // 6. Ready for less time < more time.
  if (isPodReady(pa) && isPodReady(pb)) {
    const ra = readyTime(pa);
    const rb = readyTime(pb);
    if (ra !== rb) return newerFirst(ra, rb, uidA, uidB, now);
  }
  // 7. More container restarts < fewer.
  const ma = maxContainerRestarts(pa);
  const mb = maxContainerRestarts(pb);
  if (ma !== mb) return ma > mb;
  // 8. Newer < older.
  const ta = time(pa.metadata?.creationTimestamp);
  const tb = time(pb.metadata?.creationTimestamp);
  if (ta !== tb) return newerFirst(ta, tb, uidA, uidB, now);
  return false;
}

/** Ranks each pod by the active pods of `related` on its node (getPodsRankedByRelatedPodsOnSameNode). */
export function rankByRelatedPodsOnSameNode(pods: readonly Pod[], related: readonly Pod[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of related) {
    if (!isPodActive(p)) continue;
    const node = p.spec?.nodeName ?? '';
    onNode.set(node, (onNode.get(node) ?? 0) + 1);
  }
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
}

/**
 * The `diff` pods to delete out of `pods` (getPodsToDelete): ranked against `related` (the
 * pods of every ReplicaSet of the same Deployment, or just `pods`) when choosing is needed.
 */
export function podsToDelete(pods: readonly Pod[], related: readonly Pod[], diff: number, now: number): Pod[] {
  if (diff >= pods.length) return [...pods];
  const ranked = rankByRelatedPodsOnSameNode(pods, related);
  ranked.sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
