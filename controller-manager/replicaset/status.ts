// The status a ReplicaSet (or ReplicationController) reports, computed from the pods it owns
// (replica_set_utils.go calculateStatus), and whether it differs from what is stored, so the
// controller writes /status only when something changed.
import type { Pod } from 'kubernetes-types/core/v1';
import type { ReplicaSetCondition, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import { selectorFromSet } from '../../api/labels.js';
import { isPodAvailable, isPodReady } from '../controller/controller-utils.js';
import { metaTime } from '../../api/time.js';

/** What calculateStatus needs of an RS or RC (their specs/statuses have the same shape). */
export interface ReplicaOwnerLike {
  metadata?: { generation?: number };
  spec?: { replicas?: number; minReadySeconds?: number; template?: { metadata?: { labels?: Record<string, string> } } };
  status?: ReplicaSetStatus;
}

export const REPLICA_FAILURE = 'ReplicaFailure';

/**
 * The new status: counts over `pods` (the active pods this owner claimed) and the
 * ReplicaFailure condition, set when creating/deleting pods failed (FailedCreate when short of
 * pods, FailedDelete when over) and removed once a sync succeeds.
 */
export function calculateReplicaSetStatus(
  owner: ReplicaOwnerLike,
  pods: readonly Pod[],
  manageError: unknown,
  now: number,
): ReplicaSetStatus {
  const templateLabels = selectorFromSet(owner.spec?.template?.metadata?.labels);
  const minReady = owner.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of pods) {
    if (templateLabels.matches(pod.metadata?.labels)) fullyLabeled++;
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, minReady, now)) available++;
    }
  }
  let conditions: ReplicaSetCondition[] = [...(owner.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === REPLICA_FAILURE);
  if (manageError !== undefined && !failure) {
    const diff = pods.length - (owner.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    conditions.push({
      type: REPLICA_FAILURE,
      status: 'True',
      lastTransitionTime: metaTime(now),
      reason,
      message: manageError instanceof Error ? manageError.message : String(manageError),
    });
  } else if (manageError === undefined && failure) {
    conditions = conditions.filter((c) => c.type !== REPLICA_FAILURE);
  }
  const status: ReplicaSetStatus = {
    ...owner.status,
    replicas: pods.length,
    fullyLabeledReplicas: fullyLabeled,
    readyReplicas: ready,
    availableReplicas: available,
    observedGeneration: owner.metadata?.generation,
  };
  if (conditions.length > 0) status.conditions = conditions;
  else delete status.conditions;
  return status;
}

/** True when the stored status must be rewritten (updateReplicaSetStatus' steady-state check). */
export function replicaSetStatusChanged(owner: ReplicaOwnerLike, next: ReplicaSetStatus): boolean {
  const cur: ReplicaSetStatus = owner.status ?? { replicas: 0 };
  return (
    (cur.replicas ?? 0) !== (next.replicas ?? 0) ||
    (cur.fullyLabeledReplicas ?? 0) !== (next.fullyLabeledReplicas ?? 0) ||
    (cur.readyReplicas ?? 0) !== (next.readyReplicas ?? 0) ||
    (cur.availableReplicas ?? 0) !== (next.availableReplicas ?? 0) ||
    (owner.metadata?.generation ?? 0) !== (cur.observedGeneration ?? 0) ||
    JSON.stringify(cur.conditions ?? []) !== JSON.stringify(next.conditions ?? [])
  );
}
