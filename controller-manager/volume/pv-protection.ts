// The PV protection controller (k8s pkg/controller/volume/pvprotection): a PersistentVolume
// marked for deletion keeps its `kubernetes.io/pv-protection` finalizer while it is Bound to a
// claim; once it is not (the claim released it, or it was never bound) the finalizer goes.
import type { PersistentVolume } from 'kubernetes-types/core/v1';
import { WorkQueue, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { PV_PROTECTION_FINALIZER } from '../../api/storage/volume.js';
import { addFinalizer, isDeletionCandidate, needToAddFinalizer, removeFinalizer } from './protection-util.js';

/** A Bound PV is in use (isBeingUsed). */
export const pvInUse = (pv: PersistentVolume): boolean => pv.status?.phase === 'Bound';

export class PVProtectionController implements Controller {
  static readonly controllerName = 'persistentvolume-protection';
  static readonly flags = {};
  readonly name = PVProtectionController.controllerName;
  private readonly volumes: SharedInformer<PersistentVolume>;
  private readonly queue = new WorkQueue<string>({ name: 'pvprotection' });

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.factory.informerFor('persistentvolumes');
    const enqueue = (pv: PersistentVolume): void => {
      if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER) || isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) this.queue.add(pv.metadata?.name ?? '');
    };
    this.volumes.addEventHandler({ onAdd: enqueue, onUpdate: (_o, pv) => enqueue(pv) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await this.volumes.waitForSync(signal);
    await runQueue(this.ctx, signal, { name: 'pvprotection', queue: this.queue, workers: 1, reconcile: (name) => this.sync(name) });
  }

  private async sync(name: string): Promise<void> {
    const pv = this.volumes.lister.get(name);
    if (!pv) return;
    const client = this.ctx.client.resource<PersistentVolume>('persistentvolumes');
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) return addFinalizer(client, pv, PV_PROTECTION_FINALIZER);
    if (!isDeletionCandidate(pv, PV_PROTECTION_FINALIZER) || pvInUse(pv)) return;
    await removeFinalizer(client, pv, PV_PROTECTION_FINALIZER);
    this.ctx.log.info({ pv: name }, 'removed the pv-protection finalizer: the volume is not bound');
  }
}
