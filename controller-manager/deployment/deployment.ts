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
import { intOption } from '../options.js';
import { resolveControllerRef } from '../controller/controller-utils.js';
import { claimObjects, getControllerOf, recheckDeletionTimestamp } from '../controller/controller-ref-manager.js';
import { DEPLOYMENT_GVK, DeploymentSyncer, type DeploymentIO } from './sync.js';
import { rolloutRolling } from './rolling.js';
import { rolloutRecreate, type PodMap } from './recreate.js';
import { REVISION_ANNOTATION } from './util.js';

export function newDeploymentController(): Controller {
  return new DeploymentController();
}

export class DeploymentController implements Controller {
  readonly name = 'deployment';

  run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const deployments = ctx.factory.informerFor('deployments.apps');
    const replicaSets = ctx.factory.informerFor('replicasets.apps');
    const pods = ctx.factory.informerFor('pods');
    const queue = new WorkQueue<string>({ name: 'deployment' });
    const sync = new DeploymentSync(ctx, deployments, replicaSets, pods);
    const enqueue = (d: Deployment): void => queue.add(metaNamespaceKey(d));

    deployments.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, cur) => enqueue(cur),
      onDelete: (d) => enqueue(deletedObject(d)),
    });
    replicaSets.addEventHandler({
      onAdd: (rs) => {
        if (rs.metadata?.deletionTimestamp) return sync.ownerOf(rs).forEach(enqueue);
        sync.ownerOrCandidates(rs).forEach(enqueue);
      },
      onUpdate: (old, cur) => {
        if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
        const oldRef = getControllerOf(old);
        const curRef = getControllerOf(cur);
        if (oldRef && JSON.stringify(oldRef) !== JSON.stringify(curRef)) sync.ownerOf(old).forEach(enqueue);
        if (curRef) return sync.ownerOf(cur).forEach(enqueue);
        const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
        if (labelsChanged || oldRef) sync.ownerOrCandidates(cur).forEach(enqueue);
      },
      onDelete: (rs) => sync.ownerOf(deletedObject(rs)).forEach(enqueue),
    });
    // Recreate waits for the old pods to be gone: their deletion is what lets it continue.
    pods.addEventHandler({
      onDelete: (p) => {
        for (const d of sync.deploymentOfPod(deletedObject(p))) if (d.spec?.strategy?.type === 'Recreate') enqueue(d);
      },
    });

    return (async () => {
      await Promise.all([deployments.waitForSync(signal), replicaSets.waitForSync(signal), pods.waitForSync(signal)]);
      await runQueue(ctx, signal, {
        name: 'deployment',
        queue,
        workers: intOption(ctx, 'concurrent-deployment-syncs', 5),
        reconcile: (key) => sync.sync(key),
      });
    })();
  }
}

/** etcd revisions as the apiserver hands them out (decimal strings). */
function rvNumber(rv: string | undefined): bigint {
  return rv && /^\d+$/.test(rv) ? BigInt(rv) : 0n;
}

class DeploymentSync {
  /**
   * The resourceVersion of our last write per Deployment key. A sync that starts from an
   * older cached copy would only conflict (409) and retry; the informer delivers our write
   * and queues the key again, so such a sync just waits for it.
   */
  private readonly written = new Map<string, bigint>();

  constructor(
    private readonly ctx: ControllerContext,
    private readonly deployments: SharedInformer<Deployment>,
    private readonly replicaSets: SharedInformer<ReplicaSet>,
    private readonly pods: SharedInformer<Pod>,
  ) {}

  private resolve(namespace: string, ref: OwnerReference | undefined): Deployment | undefined {
    return resolveControllerRef(this.deployments.lister, DEPLOYMENT_GVK, namespace, ref);
  }

  /** The Deployment controlling a ReplicaSet, if any. */
  ownerOf(rs: ReplicaSet): Deployment[] {
    const d = this.resolve(rs.metadata?.namespace ?? '', getControllerOf(rs));
    return d ? [d] : [];
  }

  /** Its owner, or for an orphan every Deployment whose selector matches it (getDeploymentsForReplicaSet). */
  ownerOrCandidates(rs: ReplicaSet): Deployment[] {
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

  deploymentOfPod(pod: Pod): Deployment[] {
    const ref = getControllerOf(pod);
    if (!ref || ref.kind !== 'ReplicaSet') return [];
    const rs = this.replicaSets.lister.getByName(pod.metadata?.namespace ?? '', ref.name);
    return rs && rs.metadata?.uid === ref.uid ? this.ownerOf(rs) : [];
  }

  async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
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
    const recorder = this.ctx.recorder('deployment-controller');
    const client = this.ctx.client.resource('deployments.apps', namespace);
    const rsClient = this.ctx.client.resource('replicasets.apps', namespace);

    const selector = labelSelectorFromObject(d.spec?.selector);
    if (selector.empty) {
      recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) {
        await client.updateStatus({ ...d, status: { ...d.status, observedGeneration: d.metadata?.generation } });
      }
      return;
    }

    const rsList = await claimObjects(
      this.replicaSets.lister.byIndex('namespace', namespace).map((rs) => structuredClone(rs) as ReplicaSet),
      {
        owner: d,
        ownerGvk: DEPLOYMENT_GVK,
        selector,
        objects: rsClient,
        recheckOwner: recheckDeletionTimestamp(() => client.get(name), d, 'Deployment'),
      },
    );

    let requeueAfterMs: number | undefined;
    const written = this.written;
    let storedRevision = cached.metadata?.annotations?.[REVISION_ANNOTATION];
    const io: DeploymentIO = {
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
      event: (type, reason, message) => recorder.event(d, type, reason, message),
      requeueAfter: (ms) => {
        requeueAfterMs = requeueAfterMs === undefined ? ms : Math.min(requeueAfterMs, ms);
      },
    };
    const s = new DeploymentSyncer(d, io);

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
