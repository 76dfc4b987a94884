// RollingUpdate (Kubernetes' deployment/rolling.go): grow the new ReplicaSet while the total
// stays within replicas + maxSurge, shrink old ones while availability stays at or above
// replicas − maxUnavailable, one step per sync; each step's effect arrives as ReplicaSet
// events that trigger the next. The arithmetic is pure (plan* functions); rollout applies it.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { DeploymentSyncer } from './sync.js';
import { deploymentComplete } from './progress.js';
import {
  byCreationTimestamp,
  desiredReplicas,
  filterActive,
  maxUnavailable,
  newRSNewReplicas,
  replicaCount,
  replicasOf,
} from './util.js';

/** The new ReplicaSet's next size (reconcileNewReplicaSet); undefined = leave it. */
export function planNewReplicaSet(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet, livePods?: (rs: ReplicaSet) => number): number | undefined {
  const want = desiredReplicas(d);
  if (replicasOf(newRS) === want) return undefined;
  if (replicasOf(newRS) > want) return want;
  const next = newRSNewReplicas(d, allRSs, newRS, livePods);
  return next === replicasOf(newRS) ? undefined : next;
}

/**
 * How many old replicas may go now (reconcileOldReplicaSets' maxScaledDown): everything above
 * minAvailable, minus the new ReplicaSet's not-yet-available pods (they may never come up).
 */
export function maxScaledDown(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, newRS: ReplicaSet): number {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const newUnavailable = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
  return replicaCount(allRSs) - minAvailable - newUnavailable;
}

/**
 * cleanupUnhealthyReplicas: scale old ReplicaSets down by their unavailable pods first (oldest
 * first, at most `max` in total) — removing those costs no availability, and they could
 * otherwise block the rollout forever. Returns the new sizes.
 */
export function planCleanupUnhealthy(oldRSs: readonly ReplicaSet[], max: number): Array<{ rs: ReplicaSet; size: number }> {
  const out: Array<{ rs: ReplicaSet; size: number }> = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= max) break;
    const replicas = replicasOf(rs);
    const available = rs.status?.availableReplicas ?? 0;
    if (replicas === 0 || replicas === available) continue;
    const down = Math.min(max - total, replicas - available);
    if (down <= 0) continue;
    out.push({ rs, size: replicas - down });
    total += down;
  }
  return out;
}

/**
 * The available pods that will remain once every ReplicaSet matches its spec: a ReplicaSet
 * just scaled down still reports the pods it is about to delete, and deletes unavailable ones
 * first, so it keeps at most min(available, replicas). Kubernetes sums status.availableReplicas
 * alone, which lets two quick syncs scale down twice on the same stale status and dip below
 * minAvailable; this is the same rule without that window.
 */
export function settledAvailable(list: ReadonlyArray<ReplicaSet | undefined>): number {
  return list.reduce((n, rs) => n + (rs ? Math.min(rs.status?.availableReplicas ?? 0, replicasOf(rs)) : 0), 0);
}

/**
 * scaleDownOldReplicaSetsForRollingUpdate: with availability above minAvailable, scale the
 * oldest old ReplicaSets down by the surplus. Returns the new sizes.
 */
export function planScaleDownOld(d: Deployment, allRSs: ReadonlyArray<ReplicaSet | undefined>, oldRSs: readonly ReplicaSet[]): Array<{ rs: ReplicaSet; size: number }> {
  const minAvailable = desiredReplicas(d) - maxUnavailable(d);
  const available = settledAvailable(allRSs);
  if (available <= minAvailable) return [];
  const budget = available - minAvailable;
  const out: Array<{ rs: ReplicaSet; size: number }> = [];
  let total = 0;
  for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
    if (total >= budget) break;
    const replicas = replicasOf(rs);
    if (replicas === 0) continue;
    const down = Math.min(replicas, budget - total);
    out.push({ rs, size: replicas - down });
    total += down;
  }
  return out;
}

/** rolloutRolling: scale up if possible, else scale down if possible, then cleanup and status. */
export async function rolloutRolling(s: DeploymentSyncer, rsList: ReplicaSet[]): Promise<void> {
  const { newRS, oldRSs } = await s.allReplicaSets(rsList, true);
  const allRSs = [...oldRSs, newRS];
  if (newRS) {
    const next = planNewReplicaSet(s.d, allRSs, newRS, (rs) => s.io.livePods?.(rs) ?? 0);
    if (next !== undefined && (await s.scaleAndRecord(newRS, next)).scaled) {
      return s.syncRolloutStatus(allRSs, newRS);
    }
    if (await reconcileOldReplicaSets(s, allRSs, filterActive(oldRSs), newRS)) {
      return s.syncRolloutStatus(allRSs, newRS);
    }
  }
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanupDeployment(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}

async function reconcileOldReplicaSets(s: DeploymentSyncer, allRSs: Array<ReplicaSet | undefined>, oldRSs: ReplicaSet[], newRS: ReplicaSet): Promise<boolean> {
  if (replicaCount(oldRSs) === 0) return false;
  const budget = maxScaledDown(s.d, allRSs, newRS);
  if (budget <= 0) return false;
  let scaledDown = 0;
  const olds = [...oldRSs];
  for (const { rs, size } of planCleanupUnhealthy(olds, budget)) {
    const before = replicasOf(rs);
    const { rs: updated } = await s.scaleAndRecord(rs, size);
    olds[olds.indexOf(rs)] = updated;
    scaledDown += before - size;
  }
  for (const { rs, size } of planScaleDownOld(s.d, [...olds, newRS], olds)) {
    const before = replicasOf(rs);
    await s.scaleAndRecord(rs, size);
    scaledDown += before - size;
  }
  return scaledDown > 0;
}
