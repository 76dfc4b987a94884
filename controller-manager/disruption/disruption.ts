// The disruption controller (pkg/controller/disruption, "disruption-controller"): keeps every
// PodDisruptionBudget's status — how many of its pods are expected, how many must stay healthy,
// how many are, and so how many voluntary disruptions (evictions) are allowed now. The
// apiserver's eviction handler spends `disruptionsAllowed` and records `disruptedPods`; this
// controller forgets a disrupted pod once it is deleted, or after DELETION_TIMEOUT if it never is.
import type { Pod, ReplicationController } from 'kubernetes-types/core/v1';
import type { Deployment, ReplicaSet, StatefulSet } from 'kubernetes-types/apps/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { labelSelectorFromObject } from '../../api/labels.js';
import {
  WorkQueue,
  deletedObject,
  isNotFound,
  metaNamespaceKey,
  splitKey,
  type EventRecorder,
  type ReconcileResult,
  type SharedInformer,
} from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { runQueue } from '../run-queue.js';
import { computeStatus, failSafeStatus, statusChanged, type ScaleOf } from './status.js';

/** Selects pods as policy/v1 does: a null selector none, `{}` every pod of the namespace. */
export function pdbSelects(pdb: PodDisruptionBudget, pod: Pod): boolean {
  if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
  try {
    return labelSelectorFromObject(pdb.spec?.selector).matches(pod.metadata?.labels ?? {});
  } catch {
    return false; // an invalid selector matches nothing, as upstream
  }
}

export class DisruptionController implements Controller {
  static readonly controllerName = 'disruption';
  static readonly flags = {
    'concurrent-disruption-syncs': intFlag(1, 'PodDisruptionBudgets synced at once', true),
  } satisfies FlagDeclarations;
  readonly name = DisruptionController.controllerName;
  private readonly flags: FlagValues<typeof DisruptionController.flags>;
  private readonly recorder: EventRecorder;
  private readonly pdbs: SharedInformer<PodDisruptionBudget>;
  private readonly pods: SharedInformer<Pod>;
  private readonly replicaSets: SharedInformer<ReplicaSet>;
  private readonly deployments: SharedInformer<Deployment>;
  private readonly statefulSets: SharedInformer<StatefulSet>;
  private readonly rcs: SharedInformer<ReplicationController>;
  private readonly queue = new WorkQueue<string>({ name: 'disruption' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, DisruptionController.flags);
    this.recorder = ctx.recorder('controllermanager');
    this.pdbs = ctx.factory.informerFor('poddisruptionbudgets.policy');
    this.pods = ctx.factory.informerFor('pods');
    this.replicaSets = ctx.factory.informerFor('replicasets.apps');
    this.deployments = ctx.factory.informerFor('deployments.apps');
    this.statefulSets = ctx.factory.informerFor('statefulsets.apps');
    this.rcs = ctx.factory.informerFor('replicationcontrollers');
    const enqueue = (pdb: PodDisruptionBudget): void => this.queue.add(metaNamespaceKey(pdb));
    this.pdbs.addEventHandler({ onAdd: enqueue, onUpdate: (_o, cur) => enqueue(cur) });
    const podChanged = (pod: Pod): void => this.pdbs.lister.list().filter((p) => pdbSelects(p, pod)).forEach(enqueue);
    this.pods.addEventHandler({
      onAdd: podChanged,
      onUpdate: (old, cur) => {
        podChanged(cur);
        if (JSON.stringify(old.metadata?.labels) !== JSON.stringify(cur.metadata?.labels)) podChanged(old);
      },
      onDelete: (obj) => podChanged(deletedObject(obj)),
    });
    // A controller's scale feeds expectedPods of the percent and maxUnavailable budgets.
    const scaleChanged = (): void => this.pdbs.lister.list().forEach(enqueue);
    for (const inf of [this.replicaSets, this.deployments, this.statefulSets, this.rcs] as unknown as SharedInformer<{ metadata?: { name?: string }; spec?: { replicas?: number } }>[]) {
      inf.addEventHandler({ onUpdate: (o, c) => o.spec?.replicas !== c.spec?.replicas && scaleChanged() });
    }
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'disruption', queue: this.queue, workers: this.flags['concurrent-disruption-syncs'], reconcile: (key) => this.sync(key) });
  }

  /** The finders of upstream (getPodReplicationController, getPodDeployment, getPodReplicaSet, getPodStatefulSet). */
  private readonly scaleOf: ScaleOf = (pod) => {
    const ns = pod.metadata?.namespace ?? '';
    const ref = pod.metadata?.ownerReferences?.find((o) => o.controller);
    if (!ref) return undefined;
    const sameUid = <T extends { metadata?: { uid?: string } }>(o: T | undefined): T | undefined => (o?.metadata?.uid === ref.uid ? o : undefined);
    if (ref.kind === 'ReplicaSet' && ref.apiVersion.startsWith('apps/')) {
      const rs = sameUid(this.replicaSets.lister.getByName(ns, ref.name));
      if (!rs) return undefined;
      const dref = rs.metadata?.ownerReferences?.find((o) => o.controller && o.kind === 'Deployment');
      const d = dref && this.deployments.lister.getByName(ns, dref.name);
      if (d && d.metadata?.uid === dref.uid) return { uid: dref.uid, replicas: d.spec?.replicas ?? 1 };
      return { uid: ref.uid, replicas: rs.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'StatefulSet' && ref.apiVersion.startsWith('apps/')) {
      const ss = sameUid(this.statefulSets.lister.getByName(ns, ref.name));
      return ss && { uid: ref.uid, replicas: ss.spec?.replicas ?? 1 };
    }
    if (ref.kind === 'ReplicationController' && ref.apiVersion === 'v1') {
      const rc = sameUid(this.rcs.lister.getByName(ns, ref.name));
      return rc && { uid: ref.uid, replicas: rc.spec?.replicas ?? 1 };
    }
    return undefined;
  };

  private async sync(key: string): Promise<ReconcileResult | void> {
    const { namespace, name } = splitKey(key);
    const pdb = this.pdbs.lister.getByName(namespace, name);
    if (!pdb) return;
    const pods = this.pods.lister.list().filter((p) => pdbSelects(pdb, p));
    const now = Date.now();
    let result: ReturnType<typeof computeStatus>;
    try {
      result = computeStatus(pdb, pods, this.scaleOf, now);
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
      await this.writeStatus(pdb, failSafeStatus(pdb, (e as Error).message, now));
      return;
    }
    if (result.unmanagedPods.length) {
      this.recorder.event(
        pdb,
        'Warning',
        'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${JSON.stringify(pdb.spec?.selector ?? null)}) were found to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.`,
      );
    }
    for (const pod of result.expiredDisruptions) this.recorder.event(pdb, 'Warning', 'NotDeleted', `Pod ${namespace}/${pod} was expected by PDB ${namespace}/${name} to be deleted but it wasn't`);
    if (statusChanged(pdb.status, result.status)) await this.writeStatus(pdb, result.status);
    if (result.recheckAt !== undefined) return { requeueAfterMs: Math.max(0, result.recheckAt - now) + 1 };
  }

  private async writeStatus(pdb: PodDisruptionBudget, status: PodDisruptionBudget['status']): Promise<void> {
    try {
      await this.ctx.client.resource('poddisruptionbudgets.policy').inNamespace(pdb.metadata?.namespace ?? '').updateStatus({ ...structuredClone(pdb), status });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e; // a Conflict is retried against the fresher cached object
    }
  }
}
