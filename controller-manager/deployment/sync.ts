// The steps every Deployment sync shares (Kubernetes' deployment/sync.go): find or create the
// new ReplicaSet and keep revisions in order, scale ReplicaSets (proportionally during a
// rollout), clean up old ReplicaSets beyond revisionHistoryLimit, and write status. I/O goes
// through DeploymentIO so the controller file stays about wiring.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import { isAlreadyExists } from '../../client/index.js';
import { newControllerRef, getControllerOf } from '../controller/controller-ref-manager.js';
import { POD_TEMPLATE_HASH_LABEL, cloneAndAddLabel, cloneSelectorAndAddLabel } from './hash.js';
import { computeHash, namespaceTerminating } from '../controller/controller-utils.js';
import { proportionalScalePlan } from './proportion.js';
import {
  PROGRESSING,
  REASON,
  getCondition,
  newCondition,
  rolloutStatus,
  calculateStatus,
  setCondition,
  statusEqual,
  stuckRequeueAfterMs,
} from './progress.js';
import {
  REVISION_ANNOTATION,
  byRevision,
  desiredReplicas,
  desiredReplicasAnnotation,
  equalIgnoreHash,
  filterActive,
  findActiveOrLatest,
  findNewReplicaSet,
  findOldReplicaSets,
  hasProgressDeadline,
  hasRevisionHistoryLimit,
  isRollingUpdate,
  isSaturated,
  maxRevision,
  maxSurge,
  newRSNewReplicas,
  replicasAnnotationsNeedUpdate,
  replicasOf,
  setDeploymentRevision,
  setNewReplicaSetAnnotations,
  setReplicasAnnotations,
} from './util.js';

export const DEPLOYMENT_GVK = { apiVersion: 'apps/v1', kind: 'Deployment' };

/** Everything a Deployment sync does to the world. */
export interface DeploymentIO {
  now(): number;
  createReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  updateReplicaSet(rs: ReplicaSet): Promise<ReplicaSet>;
  deleteReplicaSet(rs: ReplicaSet): Promise<void>;
  /** Stores `d.status` (and `d`'s revision annotation when it changed); returns the stored object. */
  updateDeploymentStatus(d: Deployment): Promise<Deployment>;
  cachedReplicaSet(namespace: string, name: string): ReplicaSet | undefined;
  event(type: 'Normal' | 'Warning', reason: string, message: string): void;
  /** Asks for another sync of this Deployment after `ms`. */
  requeueAfter(ms: number): void;
  /** Pods of `rs` the informer holds that are not being deleted. */
  livePods?(rs: ReplicaSet): number;
}

type Mut<T> = { -readonly [K in keyof T]: T[K] };

/** One sync of one Deployment: `d` is a private copy that the steps update as they write. */
export class DeploymentSyncer {
  constructor(
    readonly d: Deployment,
    readonly io: DeploymentIO,
  ) {}

  /** Writes d.status, keeping `d` current (resourceVersion) so later writes do not conflict. */
  async writeStatus(): Promise<void> {
    const stored = await this.io.updateDeploymentStatus(this.d);
    (this.d.metadata as Mut<NonNullable<Deployment['metadata']>>).resourceVersion = stored.metadata?.resourceVersion;
  }

  /** getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created if asked) and all old ones. */
  async allReplicaSets(rsList: ReplicaSet[], createIfMissing: boolean): Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const oldRSs = findOldReplicaSets(this.d, rsList);
    const newRS = await this.getNewReplicaSet(rsList, oldRSs, createIfMissing);
    return { newRS, oldRSs };
  }

  /** getNewReplicaSet: the Deployment's current-template ReplicaSet, brought up to date, or created when asked. */
  private async getNewReplicaSet(rsList: ReplicaSet[], oldRSs: ReplicaSet[], createIfMissing: boolean): Promise<ReplicaSet | undefined> {
    const now = this.io.now();
    const existing = findNewReplicaSet(this.d, rsList);
    const newRevision = maxRevision(oldRSs) + 1;
    if (existing) return this.syncNewReplicaSet(existing, newRevision, now);
    if (!createIfMissing) return undefined;
    const candidate = this.newReplicaSetFor(oldRSs, newRevision);
    const { created, alreadyExisted } = await this.createNewReplicaSet(candidate, now);
    const d = this.d;
    const replicas = candidate.spec?.replicas ?? 0;
    if (!alreadyExisted && replicas > 0) {
      this.io.event('Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata?.name ?? ''} from 0 to ${replicas}`);
    }
    let needsUpdate = setDeploymentRevision(d, String(newRevision));
    if (!alreadyExisted && hasProgressDeadline(d)) {
      setCondition(this.status(), newCondition(PROGRESSING, 'True', REASON.newRSCreated, `Created new replica set "${created.metadata?.name ?? ''}"`, now));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus();
    return created;
  }

  /** The existing new ReplicaSet: annotations and minReadySeconds updated, the Deployment's revision mirrored. */
  private async syncNewReplicaSet(existing: ReplicaSet, newRevision: number, now: number): Promise<ReplicaSet> {
    const d = this.d;
    const rs: ReplicaSet = structuredClone(existing);
    const annotationsUpdated = setNewReplicaSetAnnotations(d, rs, newRevision, true);
    const minReadyChanged = (rs.spec?.minReadySeconds ?? 0) !== (d.spec?.minReadySeconds ?? 0);
    if (annotationsUpdated || minReadyChanged) {
      (rs.spec as Mut<NonNullable<ReplicaSet['spec']>>).minReadySeconds = d.spec?.minReadySeconds;
      return this.io.updateReplicaSet(rs);
    }
    // The revision on the ReplicaSet is the truth; the Deployment mirrors it.
    let needsUpdate = setDeploymentRevision(d, rs.metadata?.annotations?.[REVISION_ANNOTATION] ?? '');
    if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
      setCondition(this.status(), newCondition(PROGRESSING, 'True', REASON.foundNewRS, `Found new replica set "${rs.metadata?.name ?? ''}"`, now));
      needsUpdate = true;
    }
    if (needsUpdate) await this.writeStatus();
    return rs;
  }

  /** `<deployment>-<pod-template-hash>` with the hash label on template and selector, sized and annotated. */
  private newReplicaSetFor(oldRSs: ReplicaSet[], newRevision: number): ReplicaSet {
    const d = this.d;
    const template = structuredClone(d.spec?.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...template.metadata, labels: cloneAndAddLabel(d.spec?.template?.metadata?.labels, POD_TEMPLATE_HASH_LABEL, hash) };
    const candidate: ReplicaSet = {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: {
        name: `${d.metadata?.name ?? ''}-${hash}`,
        namespace: d.metadata?.namespace ?? '',
        ownerReferences: [newControllerRef(d, DEPLOYMENT_GVK)],
        labels: template.metadata.labels,
      },
      spec: {
        replicas: 0,
        minReadySeconds: d.spec?.minReadySeconds,
        selector: cloneSelectorAndAddLabel(d.spec?.selector, POD_TEMPLATE_HASH_LABEL, hash),
        template,
      },
    };
    (candidate.spec as Mut<NonNullable<ReplicaSet['spec']>>).replicas = newRSNewReplicas(d, [...oldRSs, candidate], candidate, (rs) => this.io.livePods?.(rs) ?? 0);
    setNewReplicaSetAnnotations(d, candidate, newRevision, false);
    return candidate;
  }

  /**
   * Creates the new ReplicaSet. Our own from an earlier sync counts as created; someone else's
   * under our name bumps collisionCount (the next hash differs) and fails this sync.
   */
  private async createNewReplicaSet(candidate: ReplicaSet, now: number): Promise<{ created: ReplicaSet; alreadyExisted: boolean }> {
    const d = this.d;
    try {
      return { created: await this.io.createReplicaSet(candidate), alreadyExisted: false };
    } catch (e) {
      if (isAlreadyExists(e)) {
        const found = this.io.cachedReplicaSet(d.metadata?.namespace ?? '', candidate.metadata?.name ?? '');
        // Not in our informer yet (e.g. created by a controller-manager that just died, or by our
        // own earlier sync): retry later, as upstream does with the lister's NotFound. Bumping
        // collisionCount here would start a new ReplicaSet for the same template (chaos: 7 of them).
        if (!found) throw e;
        if (getControllerOf(found)?.uid === d.metadata?.uid && equalIgnoreHash(d.spec?.template, found.spec?.template)) {
          return { created: structuredClone(found), alreadyExisted: true };
        }
        // Someone else's ReplicaSet holds our name: perturb the hash and try again next sync.
        this.status().collisionCount = (d.status?.collisionCount ?? 0) + 1;
        await this.writeStatus().catch(() => undefined);
        throw e;
      }
      if (namespaceTerminating(e)) throw e;
      const msg = `Failed to create new replica set "${candidate.metadata?.name ?? ''}": ${e instanceof Error ? e.message : String(e)}`;
      if (hasProgressDeadline(d)) {
        setCondition(this.status(), newCondition(PROGRESSING, 'False', REASON.failedRSCreate, msg, now));
        await this.writeStatus().catch(() => undefined);
      }
      this.io.event('Warning', REASON.failedRSCreate, msg);
      throw e;
    }
  }

  private status(): NonNullable<Deployment['status']> {
    const d = this.d as Mut<Deployment>;
    d.status ??= {};
    return d.status;
  }

  /** Scales to `size` if different (scaleReplicaSetAndRecordEvent). */
  async scaleAndRecord(rs: ReplicaSet, size: number): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    if (replicasOf(rs) === size) return { scaled: false, rs };
    return this.scaleReplicaSet(rs, size, replicasOf(rs) < size ? 'up' : 'down');
  }

  /** Writes size and desired/max-replicas annotations when either is stale (scaleReplicaSet). */
  async scaleReplicaSet(rs: ReplicaSet, size: number, operation: string): Promise<{ scaled: boolean; rs: ReplicaSet }> {
    const want = desiredReplicas(this.d);
    const max = want + maxSurge(this.d);
    const sizeChanged = replicasOf(rs) !== size;
    if (!sizeChanged && !replicasAnnotationsNeedUpdate(rs, want, max)) return { scaled: false, rs };
    const before = replicasOf(rs);
    const copy: ReplicaSet = structuredClone(rs);
    (copy.spec as Mut<NonNullable<ReplicaSet['spec']>>).replicas = size;
    setReplicasAnnotations(copy, want, max);
    const updated = await this.io.updateReplicaSet(copy);
    if (sizeChanged) {
      this.io.event('Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${rs.metadata?.name ?? ''} from ${before} to ${size}`);
    }
    return { scaled: sizeChanged, rs: updated };
  }

  /**
   * sync.go scale(): one active ReplicaSet takes the whole count; a saturated new ReplicaSet
   * zeroes the old ones; otherwise (rolling) the change is spread proportionally.
   */
  async scale(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    const only = findActiveOrLatest(newRS, oldRSs);
    if (only) {
      if (replicasOf(only) !== desiredReplicas(d)) await this.scaleAndRecord(only, desiredReplicas(d));
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleAndRecord(old, 0);
      return;
    }
    if (isRollingUpdate(d)) {
      const plan = proportionalScalePlan(d, newRS, oldRSs);
      for (const { rs, size } of plan.sizes) await this.scaleReplicaSet(rs, size, plan.operation);
    }
  }

  /** Deletes the oldest fully scaled-down ReplicaSets beyond revisionHistoryLimit. */
  async cleanupDeployment(oldRSs: ReplicaSet[]): Promise<void> {
    const d = this.d;
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata?.deletionTimestamp).sort(byRevision);
    const diff = cleanable.length - (d.spec?.revisionHistoryLimit ?? 0);
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      // Never delete one that still has (or is about to have) pods.
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata?.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      await this.io.deleteReplicaSet(rs);
    }
  }

  /** Writes calculateStatus when it differs (syncDeploymentStatus). */
  async syncDeploymentStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): Promise<void> {
    const next = calculateStatus(allRSs, newRS, this.d, this.io.now());
    if (statusEqual(this.d.status, next)) return;
    (this.d as Mut<Deployment>).status = next;
    await this.writeStatus();
  }

  /** Only status (a Deployment being deleted). */
  async syncStatusOnly(rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSets(rsList, false);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** Scaling (and, when paused, cleanup) without rolling anything (sync.go sync). */
  async sync(rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.allReplicaSets(rsList, false);
    await this.scale(newRS, oldRSs);
    if (this.d.spec?.paused) await this.cleanupDeployment(oldRSs);
    await this.syncDeploymentStatus([...oldRSs, newRS], newRS);
  }

  /** Progressing=Unknown DeploymentPaused/DeploymentResumed as spec.paused flips (checkPausedConditions). */
  async checkPausedConditions(): Promise<void> {
    const d = this.d;
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === REASON.timedOut) return;
    const pausedCondExists = cond?.reason === REASON.paused;
    const now = this.io.now();
    if (d.spec?.paused && !pausedCondExists) {
      setCondition(this.status(), newCondition(PROGRESSING, 'Unknown', REASON.paused, 'Deployment is paused', now));
    } else if (!d.spec?.paused && pausedCondExists) {
      setCondition(this.status(), newCondition(PROGRESSING, 'Unknown', REASON.resumed, 'Deployment is resumed', now));
    } else return;
    await this.writeStatus();
  }

  /** A replica-count change rather than a template change (isScalingEvent). */
  async isScalingEvent(rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.allReplicaSets(rsList, false);
    return filterActive([...oldRSs, newRS]).some((rs) => {
      const desired = desiredReplicasAnnotation(rs);
      return desired !== undefined && desired !== desiredReplicas(this.d);
    });
  }

  /** Writes the rollout status when it changed; otherwise schedules the deadline check. */
  async syncRolloutStatus(allRSs: Array<ReplicaSet | undefined>, newRS: ReplicaSet | undefined): Promise<void> {
    const now = this.io.now();
    const next = rolloutStatus(allRSs, newRS, this.d, now);
    if (statusEqual(this.d.status, next)) {
      const after = stuckRequeueAfterMs(this.d, next, now);
      if (after !== undefined) this.io.requeueAfter(after);
      return;
    }
    (this.d as Mut<Deployment>).status = next;
    await this.writeStatus();
  }
}
