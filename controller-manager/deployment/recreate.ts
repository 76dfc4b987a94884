// Recreate (Kubernetes' deployment/recreate.go): scale every old ReplicaSet to zero, wait
// until none of their pods is left running (terminating ones included), and only then create
// or scale up the new ReplicaSet — old and new pods never run side by side.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSet } from 'kubernetes-types/apps/v1';
import type { DeploymentSyncer } from './sync.js';
import { deploymentComplete } from './progress.js';
import { actualReplicaCount, desiredReplicas, filterActive } from './util.js';

/** Pods grouped by the uid of the ReplicaSet that controls them. */
export type PodMap = ReadonlyMap<string, readonly Pod[]>;

/** Any old pod that is not Succeeded/Failed still counts, even while terminating (oldPodsRunning). */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: readonly ReplicaSet[], podMap: PodMap): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [rsUid, pods] of podMap) {
    if (newRS && newRS.metadata?.uid === rsUid) continue;
    if (pods.some((p) => p.status?.phase !== 'Failed' && p.status?.phase !== 'Succeeded')) return true;
  }
  return false;
}

export async function rolloutRecreate(s: DeploymentSyncer, rsList: ReplicaSet[], podMap: PodMap): Promise<void> {
  // Do not create the new ReplicaSet yet: nothing may scale up before the old ones are down.
  let { newRS, oldRSs } = await s.allReplicaSets(rsList, false);
  let allRSs = [...oldRSs, newRS];
  let scaledDown = false;
  for (const rs of filterActive(oldRSs)) {
    if ((await s.scaleAndRecord(rs, 0)).scaled) scaledDown = true;
  }
  if (scaledDown) return s.syncRolloutStatus(allRSs, newRS);
  if (oldPodsRunning(newRS, oldRSs, podMap)) return s.syncRolloutStatus(allRSs, newRS);
  if (!newRS) {
    ({ newRS, oldRSs } = await s.allReplicaSets(rsList, true));
    allRSs = [...oldRSs, newRS];
  }
  if (newRS) await s.scaleAndRecord(newRS, desiredReplicas(s.d));
  if (deploymentComplete(s.d, s.d.status ?? {})) await s.cleanupDeployment(oldRSs);
  return s.syncRolloutStatus(allRSs, newRS);
}
