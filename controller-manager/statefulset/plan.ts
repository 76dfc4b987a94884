// The StatefulSet controller's decisions (pkg/controller/statefulset), pure. Pods have stable
// names `<set>-<ordinal>`, hostnames and PVCs `<claim>-<set>-<ordinal>`. OrderedReady (the
// default) creates them one at a time in ordinal order, each once its predecessors are Running
// and Ready, and removes them from the highest ordinal down; Parallel does both at once.
// RollingUpdate replaces pods of an old revision from the highest ordinal down to `partition`,
// one at a time; OnDelete leaves that to the user.
import type { StatefulSet, StatefulSetStatus } from 'kubernetes-types/apps/v1';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { isPodAvailable, isPodReady } from '../controller/controller-utils.js';
import { REVISION_HASH_LABEL } from '../controller/controller-utils.js';

export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export function podName(set: StatefulSet, ordinal: number): string {
  return `${set.metadata?.name ?? ''}-${ordinal}`;
}

/** The ordinal of one of this set's pods, from its name; undefined for anything else. */
export function ordinalOf(set: StatefulSet, pod: Pod): number | undefined {
  const prefix = `${set.metadata?.name ?? ''}-`;
  const name = pod.metadata?.name ?? '';
  if (!name.startsWith(prefix)) return undefined;
  const rest = name.slice(prefix.length);
  return /^(0|[1-9]\d*)$/.test(rest) ? Number(rest) : undefined;
}

export function claimName(template: PersistentVolumeClaim, set: StatefulSet, ordinal: number): string {
  return `${template.metadata?.name ?? ''}-${podName(set, ordinal)}`;
}

/** The pod for one ordinal (newVersionedStatefulSetPod): identity labels, hostname, subdomain, claims. */
export function statefulPod(set: StatefulSet, ordinal: number, revision: string, controllerRef: OwnerReference): Pod {
  const tmpl = set.spec?.template ?? {};
  const name = podName(set, ordinal);
  const spec = structuredClone(tmpl.spec ?? { containers: [] });
  spec.hostname = name;
  if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
  const claims = set.spec?.volumeClaimTemplates ?? [];
  const volumes = (spec.volumes ?? []).filter((v) => !claims.some((c) => c.metadata?.name === v.name));
  for (const c of claims) volumes.push({ name: c.metadata?.name ?? '', persistentVolumeClaim: { claimName: claimName(c, set, ordinal) } });
  if (volumes.length > 0) spec.volumes = volumes;
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name,
      namespace: set.metadata?.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}), [POD_NAME_LABEL]: name, [POD_INDEX_LABEL]: String(ordinal), [REVISION_HASH_LABEL]: revision },
      ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
      ownerReferences: [controllerRef],
    },
    spec,
  };
}

export interface StatefulSetPlan {
  /** Ordinals to create now. */
  create: number[];
  remove: Pod[];
  status: StatefulSetStatus;
}

const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
const revisionOf = (p: Pod): string | undefined => p.metadata?.labels?.[REVISION_HASH_LABEL];

/**
 * newVersionedStatefulSetPod's choice: under RollingUpdate an ordinal below the partition is
 * (re)created at the current revision; everything else at the update revision.
 */
export function atCurrentRevision(set: StatefulSet, ordinal: number): boolean {
  const strategy = set.spec?.updateStrategy;
  if ((strategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') return false;
  if (!strategy?.rollingUpdate) return ordinal < (set.status?.currentReplicas ?? 0);
  return ordinal < (strategy.rollingUpdate.partition ?? 0);
}

export interface RevisionNames {
  /** status.currentRevision to report (the ControllerRevision found for it, else the update revision). */
  currentRevision?: string;
  collisionCount?: number;
}

export function planStatefulSet(set: StatefulSet, pods: readonly Pod[], updateRevision: string, now: number, revs: RevisionNames = {}): StatefulSetPlan {
  const replicas = set.spec?.replicas ?? 1;
  const parallel = set.spec?.podManagementPolicy === 'Parallel';
  const minReady = set.spec?.minReadySeconds ?? 0;
  const prev = set.status ?? { replicas: 0 };
  const byOrdinal = new Map<number, Pod>();
  const condemned: Pod[] = [];
  for (const p of pods) {
    const i = ordinalOf(set, p);
    if (i === undefined) continue;
    if (i < replicas) byOrdinal.set(i, p);
    else condemned.push(p);
  }
  condemned.sort((a, b) => ordinalOf(set, b)! - ordinalOf(set, a)!);
  const plan: StatefulSetPlan = { create: [], remove: [], status: { replicas: 0 } };
  const currentRevision = revs.currentRevision ?? prev.currentRevision ?? updateRevision;

  // Failed pods are deleted (recreated later); missing ones created in order.
  let blocked = false;
  for (let i = 0; i < replicas; i++) {
    const p = byOrdinal.get(i);
    if (p && !p.metadata?.deletionTimestamp && (p.status?.phase === 'Failed' || p.status?.phase === 'Succeeded')) {
      plan.remove.push(p);
      if (!parallel) blocked = true;
      continue;
    }
    if (!p) {
      if (!blocked) plan.create.push(i);
      if (!parallel) blocked = true;
      continue;
    }
    // OrderedReady: the next one waits for this one to be Running and Ready (and not terminating).
    if (!parallel && (p.metadata?.deletionTimestamp || !isRunningAndReady(p))) blocked = true;
  }
  // Scale down: highest ordinal first; OrderedReady one at a time and only with nothing else in flight.
  const inFlight = blocked || condemned.some((p) => p.metadata?.deletionTimestamp);
  if (parallel) plan.remove.push(...condemned.filter((p) => !p.metadata?.deletionTimestamp));
  else if (!inFlight && condemned[0]) plan.remove.push(condemned[0]);

  // RollingUpdate: once everything is in place, the highest ordinal >= partition of an old revision goes.
  const strategy = set.spec?.updateStrategy?.type ?? 'RollingUpdate';
  const partition = set.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  const settled = !inFlight && condemned.length === 0 && plan.create.length === 0 && plan.remove.length === 0;
  if (strategy === 'RollingUpdate' && settled) {
    for (let i = replicas - 1; i >= partition; i--) {
      const p = byOrdinal.get(i);
      if (p && revisionOf(p) !== updateRevision) {
        plan.remove.push(p);
        break;
      }
    }
  }

  // updateStatus + completeRollingUpdate: once every pod is updated and ready, the update revision becomes current.
  // Pods created in this pass count at the revision they get, as upstream counts them, so a
  // recreated pod below the partition does not make the update look complete meanwhile.
  const live = pods.filter((p) => ordinalOf(set, p) !== undefined && !p.metadata?.deletionTimestamp);
  const counted = (pred: (p: Pod) => boolean): number => live.filter(pred).length;
  const creating = (atCurrent: boolean): number => plan.create.filter((i) => atCurrentRevision(set, i) === atCurrent).length;
  const status: StatefulSetStatus = {
    observedGeneration: set.metadata?.generation,
    // Terminating pods still count as replicas (isCreated), so deleting one does not complete an update.
    replicas: pods.filter((p) => ordinalOf(set, p) !== undefined).length + plan.create.length,
    readyReplicas: counted(isRunningAndReady),
    availableReplicas: counted((p) => isPodAvailable(p, minReady, now)),
    currentReplicas: counted((p) => revisionOf(p) === currentRevision) + creating(true),
    updatedReplicas: counted((p) => revisionOf(p) === updateRevision) + creating(false),
    currentRevision,
    updateRevision,
    collisionCount: revs.collisionCount ?? prev.collisionCount ?? 0,
  };
  if (strategy === 'RollingUpdate' && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = updateRevision;
  }
  plan.status = status;
  return plan;
}
