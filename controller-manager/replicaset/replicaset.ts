// The ReplicaSet controller, which also serves ReplicationControllers (as Kubernetes runs its
// RS controller for RCs through an adapter): keeps `spec.replicas` active pods matching the
// selector, owned through a controller ownerReference, created from the template with
// generateName `<name>-`. Level-based: every sync compares the cache with the spec.
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1';
import type { ReplicaSet, ReplicaSetStatus } from 'kubernetes-types/apps/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import {
  WorkQueue,
  deletedObject,
  isConflict,
  metaNamespaceKey,
  splitKey,
  type ResourceClient,
  type SharedInformer,
} from '../../client/index.js';
import { labelSelectorFromObject, selectorFromSet, type LabelSelector } from '../../api/labels.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { ownerEventHandler } from '../controller/owner-events.js';
import { BURST_REPLICAS, ControllerExpectations, isPodActive, isPodReady, nextAvailableInMs, podFromTemplate, podKey, resolveControllerRef } from '../controller/controller-utils.js';
import { controllerFlags, intFlag, type FlagDeclarations } from '../options.js';
import { claimObjects, getControllerOf, newControllerRef, recheckDeletionTimestamp, type GroupVersionKind } from '../controller/controller-ref-manager.js';
import { podsToDelete } from '../controller/pod-ranking.js';
import { createPods, deletePods } from '../controller/pod-control.js';
import { calculateReplicaSetStatus, replicaSetStatusChanged } from './status.js';

type Owner = ReplicaSet | ReplicationController;

/** What differs between the two kinds this controller serves. */
interface ReplicaKind {
  name: string;
  /** Event source (`replicaset-controller`, `replication-controller`). */
  component: string;
  resource: 'replicasets.apps' | 'replicationcontrollers';
  gvk: GroupVersionKind;
  /** Its workers flag, read typed. */
  workers(ctx: ControllerContext): number;
  selector(owner: Owner): LabelSelector;
}

const REPLICA_SET: ReplicaKind = {
  name: 'replicaset',
  component: 'replicaset-controller',
  resource: 'replicasets.apps',
  gvk: { apiVersion: 'apps/v1', kind: 'ReplicaSet' },
  workers: (ctx) => controllerFlags(ctx, REPLICA_SET_FLAGS)['concurrent-replicaset-syncs'],
  selector: (o) => labelSelectorFromObject((o as ReplicaSet).spec?.selector),
};

const REPLICATION_CONTROLLER: ReplicaKind = {
  name: 'replicationcontroller',
  component: 'replication-controller',
  resource: 'replicationcontrollers',
  gvk: { apiVersion: 'v1', kind: 'ReplicationController' },
  workers: (ctx) => controllerFlags(ctx, REPLICATION_CONTROLLER_FLAGS)['concurrent-rc-syncs'],
  // An RC selector is a plain map; an empty one would select everything, so it selects nothing.
  selector: (o) => {
    const sel = (o as ReplicationController).spec?.selector;
    return sel && Object.keys(sel).length > 0 ? selectorFromSet(sel) : selectorFromSet({ 'tskube.io/never': 'never' });
  },
};

const REPLICA_SET_FLAGS = {
  'concurrent-replicaset-syncs': intFlag(5, 'ReplicaSets synced at once'),
} satisfies FlagDeclarations;
const REPLICATION_CONTROLLER_FLAGS = {
  'concurrent-rc-syncs': intFlag(5, 'ReplicationControllers synced at once'),
} satisfies FlagDeclarations;

/** The ReplicaSet controller; ReplicationManager is the same controller for ReplicationControllers. */
export class ReplicaSetController implements Controller {
  static readonly controllerName: string = 'replicaset';
  static readonly flags: FlagDeclarations = REPLICA_SET_FLAGS;
  readonly name: string;
  readonly expectations = new ControllerExpectations();
  private readonly log: ControllerContext['log'];
  private readonly owners: SharedInformer<Owner>;
  private readonly pods: SharedInformer<Pod>;
  private readonly queue: WorkQueue<string>;
  private readonly workers: number;

  constructor(
    private readonly ctx: ControllerContext,
    private readonly kind: ReplicaKind = REPLICA_SET,
  ) {
    this.name = kind.name;
    this.log = ctx.log;
    this.workers = kind.workers(ctx);
    this.owners = ctx.factory.informerFor<Owner>(kind.resource);
    this.pods = ctx.factory.informerFor('pods');
    this.queue = new WorkQueue<string>({ name: kind.name });
    // A recreated owner (same name, new uid) must not inherit the old one's expectations.
    this.owners.addEventHandler(ownerEventHandler(this.queue, this.expectations));
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (old, cur) => this.podUpdated(old, cur),
      onDelete: (p) => this.podDeleted(deletedObject(p)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.owners.waitForSync(signal), this.pods.waitForSync(signal)]);
    await runQueue(this.ctx, signal, { name: this.kind.name, queue: this.queue, workers: this.workers, reconcile: (key) => this.sync(key) });
  }

  // ---- pod events → owner keys (and expectations) ----

  /** The owner a controllerRef points at, if it is ours and still the same object. */
  private resolveControllerRef(namespace: string, ref: OwnerReference): Owner | undefined {
    return resolveControllerRef(this.owners.lister, this.kind.gvk, namespace, ref);
  }

  /** Owners whose selector matches an orphan pod (they may adopt it). */
  private matchingOwners(pod: Pod): Owner[] {
    const ns = pod.metadata?.namespace ?? '';
    return this.owners.lister.byIndex('namespace', ns).filter((o) => {
      try {
        return this.kind.selector(o).matches(pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  podAdded(pod: Pod): void {
    if (pod.metadata?.deletionTimestamp) return this.podDeleted(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const owner = this.resolveControllerRef(pod.metadata?.namespace ?? '', ref);
      if (!owner) return;
      const key = metaNamespaceKey(owner);
      this.expectations.creationObserved(key);
      this.queue.add(key);
      return;
    }
    for (const o of this.matchingOwners(pod)) this.queue.add(metaNamespaceKey(o));
  }

  podUpdated(old: Pod, cur: Pod): void {
    if (old.metadata?.resourceVersion === cur.metadata?.resourceVersion) return;
    const labelsChanged = JSON.stringify(old.metadata?.labels ?? {}) !== JSON.stringify(cur.metadata?.labels ?? {});
    if (cur.metadata?.deletionTimestamp) {
      // A graceful delete shows up as an update; count it now so the owner can replace the pod.
      this.podDeleted(cur);
      if (labelsChanged) this.podDeleted(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const oldOwner = this.resolveControllerRef(old.metadata?.namespace ?? '', oldRef);
      if (oldOwner) this.queue.add(metaNamespaceKey(oldOwner));
    }
    if (curRef) {
      const owner = this.resolveControllerRef(cur.metadata?.namespace ?? '', curRef);
      if (!owner) return;
      const key = metaNamespaceKey(owner);
      this.queue.add(key);
      // Nothing else happens when minReadySeconds passes: look again then.
      const minReady = owner.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(key, minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || refChanged) for (const o of this.matchingOwners(cur)) this.queue.add(metaNamespaceKey(o));
  }

  podDeleted(pod: Pod): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const owner = this.resolveControllerRef(pod.metadata?.namespace ?? '', ref);
    if (!owner) return;
    const key = metaNamespaceKey(owner);
    this.expectations.deletionObserved(key, podKey(pod));
    this.queue.add(key);
  }

  // ---- reconcile ----

  async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.owners.lister.getByName(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const owner = structuredClone(cached) as Owner;
    const needsSync = this.expectations.satisfied(key);
    const selector = this.kind.selector(owner);
    const client = this.ownerClient(namespace);
    const active = this.pods.lister.byIndex('namespace', namespace).filter(isPodActive);
    const claimed = await claimObjects(active, {
      owner,
      ownerGvk: this.kind.gvk,
      selector,
      objects: this.ctx.client.resource('pods', namespace),
      recheckOwner: recheckDeletionTimestamp(() => client.get(name), owner, this.kind.gvk.kind),
    });
    let manageError: unknown;
    const deleted = new Set<string>();
    if (needsSync && !owner.metadata?.deletionTimestamp) {
      try {
        await this.manageReplicas(key, owner, claimed, deleted);
      } catch (e) {
        manageError = e;
      }
    }
    const now = Date.now();
    // Unlike k8s, pods this sync deleted are not counted: a Deployment reading this status
    // must not see them as still available (it would scale down again on their account).
    const remaining = deleted.size ? claimed.filter((p) => !deleted.has(p.metadata?.uid ?? '')) : claimed;
    const status = calculateReplicaSetStatus(owner, remaining, manageError, now);
    const updated = await this.updateStatus(client, owner, status);
    if (manageError !== undefined) throw manageError;
    const minReady = updated.spec?.minReadySeconds ?? 0;
    const st: ReplicaSetStatus = updated.status ?? { replicas: 0 };
    if (minReady > 0 && st.readyReplicas === updated.spec?.replicas && st.availableReplicas !== updated.spec?.replicas) {
      return { requeueAfterMs: nextAvailableInMs(remaining, minReady, now) ?? minReady * 1000 };
    }
  }

  private ownerClient(namespace: string): ResourceClient<Owner> {
    return this.ctx.client.resource<Owner>(this.kind.resource, namespace);
  }

  /** Creates or deletes pods toward spec.replicas; uids of the pods it deleted go into `deleted`. */
  private async manageReplicas(key: string, owner: Owner, pods: Pod[], deleted: Set<string>): Promise<void> {
    const want = owner.spec?.replicas ?? 1;
    const diff = pods.length - want;
    const pc = { ctx: this.ctx, component: this.kind.component, expectations: this.expectations };
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.log.info({ [this.kind.name]: key, need: want, creating: count }, 'too few replicas');
      await createPods(pc, key, owner, podFromTemplate(owner, newControllerRef(owner, this.kind.gvk)), count);
      return;
    }
    if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      this.log.info({ [this.kind.name]: key, need: want, deleting: count }, 'too many replicas');
      const victims = podsToDelete(pods, this.relatedPods(owner, pods), count, Date.now());
      const result = await deletePods(pc, key, owner, victims);
      for (const uid of result.deleted) deleted.add(uid);
      if (result.error !== undefined) throw result.error;
    }
  }

  /**
   * Pods of every sibling owned by the same controller (a Deployment's ReplicaSets), so
   * scale-down prefers nodes where the whole Deployment is doubled up (getIndirectlyRelatedPods).
   */
  private relatedPods(owner: Owner, own: Pod[]): Pod[] {
    const parent = getControllerOf(owner);
    if (!parent) return own;
    const siblings = this.owners.lister.byIndex('ownerUid', parent.uid).filter((o) => getControllerOf(o)?.uid === parent.uid);
    const seen = new Set<string>();
    const related: Pod[] = [];
    for (const sib of siblings) {
      for (const p of this.pods.lister.byIndex('ownerUid', sib.metadata?.uid ?? '')) {
        const uid = p.metadata?.uid ?? '';
        if (!seen.has(uid)) {
          seen.add(uid);
          related.push(p);
        }
      }
    }
    return related.length > 0 ? related : own;
  }

  /** PUT /status when it changed; one retry on conflict with a fresh GET (statusUpdateRetries). */
  private async updateStatus(client: ResourceClient<Owner>, owner: Owner, status: ReplicaSetStatus): Promise<Owner> {
    if (!replicaSetStatusChanged(owner, status)) return owner;
    let current = owner;
    for (let attempt = 0; ; attempt++) {
      try {
        return await client.updateStatus({ ...current, status: { ...status, observedGeneration: current.metadata?.generation } } as Owner);
      } catch (e) {
        if (attempt >= 1 || !isConflict(e)) throw e;
        current = await client.get(owner.metadata?.name ?? '');
      }
    }
  }
}

/** The ReplicationController controller (pkg/controller/replication): the ReplicaSet controller through a kind adapter. */
export class ReplicationManager extends ReplicaSetController {
  static override readonly controllerName: string = 'replicationcontroller';
  static override readonly flags: FlagDeclarations = REPLICATION_CONTROLLER_FLAGS;

  constructor(ctx: ControllerContext) {
    super(ctx, REPLICATION_CONTROLLER);
  }
}
