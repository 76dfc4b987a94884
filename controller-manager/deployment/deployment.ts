// The Deployment controller (Kubernetes' deployment_controller.go): watches Deployments,
// their ReplicaSets and (for Recreate) pods, and on every sync claims ReplicaSets by selector
// and hands the Deployment to the step its state calls for — status only while deleting,
// plain scaling while paused or resized, otherwise a RollingUpdate or Recreate rollout step.
import type { Deployment, ReplicaSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import {
  WorkQueue,
  deletedObject,
  isNotFound,
  metaNamespaceKey,
  splitKey,
  type SharedInformer,
} from '../../client/index.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { resolveControllerRef } from '../controller/controller-utils.js';
import { claimObjects, getControllerOf, recheckDeletionTimestamp } from '../controller/controller-ref-manager.js';
import { DEPLOYMENT_GVK, DeploymentSyncer, type DeploymentIO } from './sync.js';
import { rolloutRolling } from './rolling.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { REVISION_ANNOTATION } from './util.js';

export class DeploymentController implements Controller {
  static readonly controllerName = 'deployment';
  static readonly flags = {
    'concurrent-deployment-syncs': intFlag(5, 'Deployments synced at once'),
  } satisfies FlagDeclarations;
  readonly name = DeploymentController.controllerName;
  private readonly flags: FlagValues<typeof DeploymentController.flags>;
  private readonly deployments: SharedInformer<Deployment>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;
  private readonly pods: SharedInformer<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'deployment' });
  /**
   * The resourceVersion of our last write per Deployment key. A sync that starts from an
   * older cached copy would only conflict (409) and retry; the informer delivers our write
   * and queues the key again, so such a sync just waits for it.
   */
  private readonly written = new Map<string, bigint>();

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, DeploymentController.flags);
    this.deployments = ctx.factory.informerFor('deployments.apps');
    this.replicaSets = ctx.factory.informerFor('replicasets.apps');
    this.pods = ctx.factory.informerFor('pods');
    const enqueue = (d: Deployment): void => this.queue.add(metaNamespaceKey(d));
    this.deployments.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, cur) => enqueue(cur),
      onDelete: (d) => enqueue(deletedObject(d)),
    });
    this.replicaSets.addEventHandler({
      onAdd: (rs) => {
        if (rs.metadata?.deletionTimestamp) return this.ownerOf(rs).forEach(enqueue);
        this.ownerOrCandidates(rs).forEach(enqueue);
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        const curRef = getControllerOf(cur);
        if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(curRef)) this.ownerOf(old).forEach(enqueue);
        if (curRef) return this.ownerOf(cur).forEach(enqueue);
        const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
        if (labelsChanged || oldRef) this.ownerOrCandidates(cur).forEach(enqueue);
      },
      onDelete: (rs) => this.ownerOf(deletedObject(rs)).forEach(enqueue),
    });
    // Recreate waits for the old pods to be gone: their deletion is what lets it continue.
    this.pods.addEventHandler({
      onDelete: (p) => {
        for (const d of this.deploymentOfPod(deletedObject(p))) if (d.spec?.strategy?.type === 'Recreate') enqueue(d);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.deployments.waitForSync(signal), this.replicaSets.waitForSync(signal), this.pods.waitForSync(signal)]);
    await runQueue(this.ctx, signal, { name: 'deployment', queue: this.queue, workers: this.flags['concurrent-deployment-syncs'], reconcile: (key) => this.sync(key) });
  }

  private resolve(namespace: string, ref: OwnerReference | undefined): Deployment | undefined {
    return resolveControllerRef(this.deployments.lister, DEPLOYMENT_GVK, namespace, ref);
  }

  /** The Deployment controlling a ReplicaSet, if any. */
  private ownerOf(rs: ReplicaSet): Deployment[] {
    const d = this.resolve(rs.metadata?.namespace ?? '', getControllerOf(rs));
    return d ? [d] : [];
  }

  /** Its owner, or for an orphan every Deployment whose selector matches it (getDeploymentsForReplicaSet). */
  private ownerOrCandidates(rs: ReplicaSet): Deployment[] {
    if (getControllerOf(rs)) return this.ownerOf(rs);
    return this.deployments.lister.byIndex('namespace', rs.metadata?.namespace ?? '').filter((d) => {
      try {
        const sel = labelSelectorFromObject(d.spec?.selector);
        return !sel.empty && sel.matches(rs.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private deploymentOfPod(pod: Pod): Deployment[] {
    const rs = resolveControllerRef(this.replicaSets.lister, RS_GVK, pod.metadata?.namespace ?? '', getControllerOf(pod));
    return rs ? this.ownerOf(rs) : [];
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.deployments.lister.getByName(namespace, name);
    if (!cached) {
      this.written.delete(key);
      return;
    }
    const lastWrite = this.written.get(key);
    if (lastWrite !== undefined) {
      if (rvNumber(cached.metadata?.resourceVersion) < lastWrite) return;
      this.written.delete(key);
    }
    const d: Deployment = structuredClone(cached);
    const client = this.ctx.client.resource('deployments.apps', namespace);
    const selector = labelSelectorFromObject(d.spec?.selector);
    if (selector.empty) return this.selectingAll(d);
    const rsList = await claimObjects(
      this.replicaSets.lister.byIndex('namespace', namespace).map((rs) => structuredClone(rs) as ReplicaSet),
      {
        owner: d,
        ownerGvk: DEPLOYMENT_GVK,
        selector,
        objects: this.ctx.client.resource('replicasets.apps', namespace),
        recheckOwner: recheckDeletionTimestamp(() => client.get(name), d, 'Deployment'),
      },
    );
    let requeueAfterMs: number | undefined;
    const s = new DeploymentSyncer(
      d,
      this.deploymentIO(key, d, cached.metadata?.annotations?.[REVISION_ANNOTATION], (ms) => {
        requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
      }),
    );
    if (d.metadata?.deletionTimestamp) {
      await s.syncStatusOnly(rsList);
      return;
    }
    await s.checkPausedConditions();
    if (d.spec?.paused) await s.sync(rsList);
    else if (await s.isScalingEvent(rsList)) await s.sync(rsList);
    else if (d.spec?.strategy?.type === 'Recreate') await rolloutRecreate(s, rsList, this.podMap(rsList));
    else await rolloutRolling(s, rsList);
    return requeueAfterMs === undefined ? undefined : { requeueAfterMs };
  }

  /** An empty selector would adopt every pod: warn, and only record that the generation was seen. */
  private async selectingAll(d: Deployment): Promise<void> {
    this.ctx.recorder('deployment-controller').event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
      await this.ctx.client.resource('deployments.apps', d.metadata?.namespace ?? '').updateStatus({ ...d, status: { ...d.status, observedGeneration: d.metadata?.generation } });
    }
  }

  /** The API calls one sync of Deployment `key` makes (its DeploymentSyncer works through these). */
  private deploymentIO(key: string, d: Deployment, storedRevision: string | undefined, requeueAfter: (ms: number) => void): DeploymentIO {
    const { namespace, name } = splitKey(key);
    const recorder = this.ctx.recorder('deployment-controller');
    const client = this.ctx.client.resource('deployments.apps', namespace);
    const rsClient = this.ctx.client.resource('replicasets.apps', namespace);
    const written = this.written;
    return {
      now: () => Date.now(),
      createReplicaSet: (rs) => rsClient.create(rs),
      updateReplicaSet: (rs) => rsClient.update(rs),
      async deleteReplicaSet(rs) {
        try {
          await rsClient.delete(rs.metadata?.name ?? '');
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
      },
      async updateDeploymentStatus(dep) {
        // Kubernetes stores the revision annotation with the status write; our /status keeps
        // metadata as it is, so the annotation goes in a metadata-only patch first.
        let rv = dep.metadata?.resourceVersion;
        const revision = dep.metadata?.annotations?.[REVISION_ANNOTATION];
        if (revision !== undefined && revision !== storedRevision) {
          const patched = await client.patch(name, 'merge', {
            metadata: { annotations: { [REVISION_ANNOTATION]: revision }, resourceVersion: rv },
          });
          storedRevision = revision;
          rv = patched.metadata?.resourceVersion;
        }
        const stored = await client.updateStatus({ ...dep, metadata: { ...dep.metadata, resourceVersion: rv } });
        written.set(key, rvNumber(stored.metadata?.resourceVersion));
        return stored;
      },
      cachedReplicaSet: (ns, n) => this.replicaSets.lister.getByName(ns, n),
      livePods: (rs) => {
        const uid = rs.metadata?.uid ?? '';
        return uid ? this.pods.lister.byIndex('ownerUid', uid).filter((p) => getControllerOf(p)?.uid === uid && !p.metadata?.deletionTimestamp).length : 0;
      },
      event: (type, reason, message) => recorder.event(d, type, reason, message),
      requeueAfter,
    };
  }

  /** Pods (terminating ones too) by the uid of the claimed ReplicaSet controlling them (getPodMapForDeployment). */
  private podMap(rsList: ReplicaSet[]): PodMap {
    const map = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = rs.metadata?.uid ?? '';
      map.set(uid, this.pods.lister.byIndex('ownerUid', uid).filter((p) => getControllerOf(p)?.uid === uid));
    }
    return map;
  }
}

/** etcd revisions as the apiserver hands them out (decimal strings). */
function rvNumber(rv: string | undefined): bigint {
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : 0n;
}

const RS_GVK = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
