// Proportional scaling (sync.go scale + util GetProportion): when a Deployment is resized in
// the middle of a rollout, the change is spread over every active ReplicaSet in proportion to
// its size, so the mix of old and new pods — and the rollout's safety margins — stay as they
// were. Pure: it returns the new size of each ReplicaSet.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { bySizeNewer, bySizeOlder, desiredReplicas, filterActive, maxReplicasAnnotation, maxSurge, replicaCount, replicasOf } from './util.js';

/**
 * This ReplicaSet's share of the change: its size scaled by new-max/old-max (old max from its
 * max-replicas annotation, else the Deployment's current status.replicas), minus its size.
 */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (desiredReplicas(d) === 0) return -replicasOf(rs);
  const deploymentMax = desiredReplicas(d) + maxSurge(d);
  let maxBefore = maxReplicasAnnotation(rs);
  if (maxBefore === undefined || maxBefore === 0) maxBefore = d.status?.replicas ?? 0;
  if (maxBefore === 0) return 0;
  const newSize = (replicasOf(rs) * deploymentMax) / maxBefore;
  return roundHalfAwayFromZero(newSize) - replicasOf(rs);
}

function roundHalfAwayFromZero(x: number): number {
  return Math.sign(x) * Math.round(Math.abs(x));
}

/**
 * GetProportion: the fraction, clamped so the replicas handed out never pass `toAdd`
 * (min when scaling up, max when scaling down).
 */
export function getProportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

export interface ScalePlan {
  /** `up`, `down` or '' (no change to the total). */
  operation: 'up' | 'down' | '';
  /** New size per ReplicaSet name, in the order they should be written. */
  sizes: Array<{ rs: ReplicaSet; size: number }>;
}

/**
 * The proportional part of sync.go scale(): new sizes for every active ReplicaSet so their
 * total becomes replicas + maxSurge (or 0). Largest first; on ties newer ones grow first and
 * older ones shrink first; rounding leftovers go to the first (largest).
 */
export function proportionalScalePlan(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[]): ScalePlan {
  const all = filterActive([...oldRSs, newRS]);
  const total = replicaCount(all);
  const allowed = desiredReplicas(d) > 0 ? desiredReplicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - total;
  let operation: ScalePlan['operation'] = '';
  if (toAdd > 0) {
    all.sort(bySizeNewer);
    operation = 'up';
  } else if (toAdd < 0) {
    all.sort(bySizeOlder);
    operation = 'down';
  }
  let added = 0;
  const sizes = all.map((rs) => {
    if (toAdd === 0) return { rs, size: replicasOf(rs) };
    const p = getProportion(rs, d, toAdd, added);
    added += p;
    return { rs, size: replicasOf(rs) + p };
  });
  if (sizes.length > 0 && toAdd !== 0) sizes[0].size = Math.max(0, sizes[0].size + (toAdd - added));
  return { operation, sizes };
}
