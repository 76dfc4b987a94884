// The PVC protection controller (k8s pkg/controller/volume/pvcprotection): a claim marked for
// deletion keeps its `kubernetes.io/pvc-protection` finalizer — and so stays Terminating — while
// a scheduled pod that has not terminated uses it; then the finalizer goes and the claim with it.
// "In use" is decided from the informer and confirmed with a live list of the namespace's pods
// before the finalizer is removed (the informer may not have seen a pod just created).
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, splitKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { PVC_PROTECTION_FINALIZER, podClaimNames } from '../../api/storage/volume.js';
import { addFinalizer, isDeletionCandidate, needToAddFinalizer, removeFinalizer } from './protection-util.js';

const isTerminated = (pod: Pod): boolean => pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';

/**
 * Does the pod hold the claim? Only scheduled pods count: the kubelet sees a pod once it is
 * bound and refuses to start one whose claim is being deleted (podUsesPVC).
 */
export function podUsesPVC(pod: Pod, claimName: string): boolean {
  return !!pod.spec?.nodeName && !isTerminated(pod) && podClaimNames(pod).includes(claimName);
}

export class PVCProtectionController implements Controller {
  static readonly controllerName = 'persistentvolumeclaim-protection';
  static readonly flags = {};
  readonly name = PVCProtectionController.controllerName;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly pods: SharedInformer<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'pvcprotection' });

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.factory.informerFor('persistentvolumeclaims');
    this.pods = ctx.factory.informerFor('pods');
    const enqueueClaim = (pvc: PersistentVolumeClaim): void => {
      if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) this.queue.add(`${pvc.metadata?.namespace}/${pvc.metadata?.name}`);
    };
    this.claims.addEventHandler({ onAdd: enqueueClaim, onUpdate: (_o, pvc) => enqueueClaim(pvc) });
    // A pod that goes away (or terminates) may release claims waiting for deletion.
    const enqueuePodClaims = (pod: Pod): void => {
      for (const c of podClaimNames(pod)) this.queue.add(`${pod.metadata?.namespace}/${c}`);
    };
    this.pods.addEventHandler({
      onAdd: () => undefined,
      onUpdate: (old, pod) => {
        if (isTerminated(pod) !== isTerminated(old) || !!pod.metadata?.deletionTimestamp !== !!old.metadata?.deletionTimestamp) enqueuePodClaims(pod);
      },
      onDelete: (obj) => enqueuePodClaims(deletedObject(obj)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.claims.waitForSync(signal), this.pods.waitForSync(signal)]);
    await runQueue(this.ctx, signal, { name: 'pvcprotection', queue: this.queue, workers: 1, reconcile: (key) => this.sync(key) });
  }

  private async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pvc = this.claims.lister.getByName(namespace, name);
    if (!pvc) return;
    const client = this.ctx.client.resource<PersistentVolumeClaim>('persistentvolumeclaims', namespace);
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) return addFinalizer(client, pvc, PVC_PROTECTION_FINALIZER);
    if (!isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) return;
    if (await this.isBeingUsed(namespace, name)) {
      this.ctx.log.debug({ pvc: key }, 'claim is in use by a pod: keeping its protection finalizer');
      return;
    }
    await removeFinalizer(client, pvc, PVC_PROTECTION_FINALIZER);
    this.ctx.log.info({ pvc: key }, 'removed the pvc-protection finalizer: no pod uses the claim');
  }

  /** The informer first; "not used" is confirmed by a live list (askAPIServer). */
  private async isBeingUsed(namespace: string, name: string): Promise<boolean> {
    if (this.pods.lister.byIndex('namespace', namespace).some((p) => podUsesPVC(p, name))) return true;
    const live = await this.ctx.client.resource<Pod>('pods', namespace).list();
    return live.items.some((p) => podUsesPVC(p, name));
  }
}
