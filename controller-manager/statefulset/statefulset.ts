// The StatefulSet controller: pods with stable identities `<set>-<ordinal>` (hostname, the
// governing service as subdomain, a PVC per volumeClaimTemplate that outlives the pod),
// created and removed in order (OrderedReady) or all at once (Parallel), rolled from the
// highest ordinal down (RollingUpdate with partition) or left for the user (OnDelete).
// Decisions are in plan.ts. Templates are kept as ControllerRevisions `<set>-<hash>`
// (revisions.ts); pods carry the revision's name as `controller-revision-hash`.
import type { ControllerRevision, StatefulSet } from 'kubernetes-types/apps/v1';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { WorkQueue, isAlreadyExists, isNotFound, splitKey, type SharedInformer } from '../../client/index.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { ownedPodEventHandler, ownerEventHandler } from '../controller/owner-events.js';
import { ControllerExpectations, nextAvailableInMs, putStatus } from '../controller/controller-utils.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { claimObjects, newControllerRef, recheckDeletionTimestamp } from '../controller/controller-ref-manager.js';
import { createPods, deletePods } from '../controller/pod-control.js';
import { ControllerHistory, ownedRevisionEventHandler } from '../history/controller-history.js';
import { applyRevision } from '../history/revision.js';
import { atCurrentRevision, claimName, ordinalOf, planStatefulSet, statefulPod } from './plan.js';
import { getStatefulSetRevisions, truncateHistory } from './revisions.js';
import { claimOwnerRefs } from './claim-retention.js';

const GVK = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const COMPONENT = 'statefulset-controller';

export class StatefulSetController implements Controller {
  static readonly controllerName = 'statefulset';
  static readonly flags = {
    'concurrent-statefulset-syncs': intFlag(5, 'StatefulSets synced at once'),
  } satisfies FlagDeclarations;
  readonly name = StatefulSetController.controllerName;
  private readonly flags: FlagValues<typeof StatefulSetController.flags>;
  private readonly expectations = new ControllerExpectations();
  private readonly sets: SharedInformer<StatefulSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly revisions: SharedInformer<ControllerRevision>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly queue = new WorkQueue<string>({ name: 'statefulset' });
  /**
   * The collision count each set was last synced with: the informer's copy of a set can lag
   * the status this controller just wrote, and a sync reading the older count would write it
   * back (the count only ever grows).
   */
  private readonly collisionCounts = new Map<string, number>();

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, StatefulSetController.flags);
    this.sets = ctx.factory.informerFor<StatefulSet>('statefulsets.apps');
    this.pods = ctx.factory.informerFor('pods');
    this.claims = ctx.factory.informerFor('persistentvolumeclaims');
    this.sets.addEventHandler(ownerEventHandler(this.queue, this.expectations));
    this.pods.addEventHandler(ownedPodEventHandler(this.sets, GVK, this.queue, this.expectations));
    this.revisions = ctx.factory.informerFor<ControllerRevision>('controllerrevisions.apps');
    this.revisions.addEventHandler(ownedRevisionEventHandler(this.sets, GVK, this.queue));
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.sets.waitForSync(signal), this.pods.waitForSync(signal), this.revisions.waitForSync(signal), this.claims.waitForSync(signal)]);
    await runQueue(this.ctx, signal, {
      name: 'statefulset',
      queue: this.queue,
      workers: this.flags['concurrent-statefulset-syncs'],
      reconcile: (key) => this.sync(key),
    });
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { ctx, sets, pods: podInformer, expectations } = this;
    const { namespace, name } = splitKey(key);
    const cached = sets.lister.getByName(namespace, name);
    if (!cached) {
      expectations.delete(key);
      this.collisionCounts.delete(key);
      return;
    }
    const set = structuredClone(cached) as StatefulSet;

    const client = ctx.client.resource<StatefulSet>('statefulsets.apps', namespace);
    const selector = labelSelectorFromObject(set.spec?.selector);
    const recheckOwner = recheckDeletionTimestamp(() => client.get(name), set, GVK.kind);
    const owned = await claimObjects(podInformer.lister.byIndex('namespace', namespace), {
      owner: set,
      ownerGvk: GVK,
      selector,
      objects: ctx.client.resource('pods', namespace),
      recheckOwner,
    });
    const history = new ControllerHistory(ctx.client.resource<ControllerRevision>('controllerrevisions.apps', namespace));
    const controlled = await history.claim(this.revisions.lister.byIndex('namespace', namespace), set, GVK, selector, recheckOwner);
    // Revisions are named with the highest collision count known; `set` keeps the informer's
    // status, so the status write below compares with what is stored.
    const knownCollisions = Math.max(set.status?.collisionCount ?? 0, this.collisionCounts.get(key) ?? 0);
    const probe: StatefulSet = { ...set, status: { ...set.status, replicas: set.status?.replicas ?? 0, collisionCount: knownCollisions } };
    const revs = await getStatefulSetRevisions(history, probe, GVK, controlled);
    this.collisionCounts.set(key, revs.collisionCount);
    const revision = revs.update.metadata?.name ?? '';
    const currentRevision = revs.current.metadata?.name ?? revision;
    const currentSet = applyRevision(set, revs.current);
    const now = Date.now();
    const plan = planStatefulSet(set, owned, revision, now, { currentRevision, collisionCount: revs.collisionCount });
    let manageError: unknown;
    if (expectations.satisfied(key) && !set.metadata?.deletionTimestamp) {
      const pc = { ctx, component: COMPONENT, expectations };
      try {
        // Before any pod goes: claims of ordinals being scaled away must already name their pod as owner.
        await this.updateClaimOwners(set, owned);
        if (plan.remove.length > 0) {
          const { error } = await deletePods(pc, key, set, plan.remove);
          if (error !== undefined) throw error;
        }
        if (plan.create.length > 0) {
          await createClaims(ctx, set, plan.create);
          const ref = newControllerRef(set, GVK);
          const podFor = (ordinal: number) =>
            atCurrentRevision(set, ordinal) ? statefulPod(currentSet, ordinal, currentRevision, ref) : statefulPod(set, ordinal, revision, ref);
          await createPods(pc, key, set, (i) => podFor(plan.create[i]!), plan.create.length);
        }
      } catch (e) {
        manageError = e;
      }
    }
    await putStatus(client, set, plan.status);
    if (manageError !== undefined) throw manageError;
    await truncateHistory(history, set, owned, controlled, revs);
    const minReady = set.spec?.minReadySeconds ?? 0;
    const waiting = minReady > 0 ? nextAvailableInMs(owned, minReady, now) : undefined;
    return waiting !== undefined ? { requeueAfterMs: waiting } : undefined;
  }

  /** The retention policy's owner references on the claims of every pod of the set (claim-retention.ts). */
  private async updateClaimOwners(set: StatefulSet, pods: readonly Pod[]): Promise<void> {
    const namespace = set.metadata?.namespace ?? '';
    const replicas = set.spec?.replicas ?? 1;
    const client = this.ctx.client.resource<PersistentVolumeClaim>('persistentvolumeclaims', namespace);
    for (const pod of pods) {
      const ordinal = ordinalOf(set, pod);
      if (ordinal === undefined) continue;
      for (const t of set.spec?.volumeClaimTemplates ?? []) {
        const claim = this.claims.lister.getByName(namespace, claimName(t, set, ordinal));
        const refs = claim && claimOwnerRefs(claim, set, pod, ordinal >= replicas);
        if (!claim || !refs) continue;
        try {
          await client.update({ ...structuredClone(claim), metadata: { ...structuredClone(claim.metadata), ownerReferences: refs } });
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      }
    }
  }
}


/** The PVCs of the pods about to be created; with whenDeleted: Delete owned by the set. */
async function createClaims(ctx: ControllerContext, set: StatefulSet, ordinals: readonly number[]): Promise<void> {
  const claims = ctx.client.resource('persistentvolumeclaims', set.metadata?.namespace ?? '');
  for (const ordinal of ordinals) {
    for (const t of set.spec?.volumeClaimTemplates ?? []) {
      try {
        const claim: PersistentVolumeClaim = {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: { name: claimName(t, set, ordinal), labels: { ...(set.spec?.selector?.matchLabels ?? {}), ...(t.metadata?.labels ?? {}) } },
          spec: structuredClone(t.spec ?? {}),
        };
        const refs = claimOwnerRefs(claim, set, undefined, false);
        if (refs) claim.metadata = { ...claim.metadata, ownerReferences: refs };
        await claims.create(claim);
        ctx.recorder(COMPONENT).event(set, 'Normal', 'SuccessfulCreate', `create Claim ${claimName(t, set, ordinal)} Pod ${set.metadata?.name ?? ''}-${ordinal} in StatefulSet ${set.metadata?.name ?? ''} success`);
      } catch (e) {
        if (!isAlreadyExists(e)) throw e;
      }
    }
  }
}
