// The persistent volume controller, `persistentvolume-binder` (pkg/controller/volume/
// persistentvolume/pv_controller.go): binds claims to volumes, keeps both sides' phases, hands
// claims with a StorageClass to their provisioner (the storage-provisioner annotations; for a
// WaitForFirstConsumer class only once the scheduler chose a node), and applies a released
// volume's reclaim policy. The choices are pure (matching.ts, binding.ts); this file is the
// informers, queues and writes. Every write goes through resourceVersion preconditions, so a
// stale cache costs a 409 and a retry, never a double binding.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { NAMESPACE_INDEX, WorkQueue, deletedObject, isNotFound, type EventRecorder, type SharedInformer } from '../../../client/index.js';
import { defaultStorageClass } from '../../../api/storage.js';
import { controllerFlags, durationFlag, type FlagDeclarations } from '../../options.js';
import type { Controller, ControllerContext } from '../../controller.js';
import { runQueue } from '../../run-queue.js';
import {
  ANN_BETA_STORAGE_CLASS,
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
  EVENTS,
  claimClass,
  claimKey,
  claimRefKey,
  hasAnnotation,
} from './annotations.js';
import { checkVolumeSatisfyClaim, findBestMatch, isVolumeBoundToClaim } from './matching.js';
import { delayBindingEvent, nonScheduledPodsUsing } from './pods.js';
import { NewerCache } from './newer-cache.js';
import { bindClaimToVolume, bindVolumeToClaim, boundClaimStatus, isClaimBindCompleted, unbindVolume, volumeAction } from './binding.js';

/** In-tree provisioner names have no plugin here: such classes fail to provision, as upstream without the plugin. */
const IN_TREE_PREFIX = 'kubernetes.io/';

export class PersistentVolumeBinderController implements Controller {
  static readonly controllerName = 'persistentvolume-binder';
  static readonly flags = {
    'pvclaimbinder-sync-period': durationFlag('15s', 'The period for syncing persistent volumes and persistent volume claims'),
  } satisfies FlagDeclarations;
  readonly name = PersistentVolumeBinderController.controllerName;
  private readonly volumes: SharedInformer<PersistentVolume>;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly classes: SharedInformer<StorageClass>;
  private readonly pods: SharedInformer<Pod>;
  private readonly volumeQueue = new WorkQueue<string>({ name: 'volumes' });
  private readonly claimQueue = new WorkQueue<string>({ name: 'claims' });
  private readonly recorder: EventRecorder;
  /** What this controller wrote last, ahead of the informers. */
  private readonly newerVolumes = new NewerCache<PersistentVolume>();
  private readonly newerClaims = new NewerCache<PersistentVolumeClaim>();

  constructor(private readonly ctx: ControllerContext) {
    this.volumes = ctx.factory.informerFor('persistentvolumes');
    this.claims = ctx.factory.informerFor('persistentvolumeclaims');
    this.classes = ctx.factory.informerFor('storageclasses.storage.k8s.io');
    this.pods = ctx.factory.informerFor('pods');
    this.recorder = ctx.recorder('persistentvolume-controller');
    const onVolume = (v: PersistentVolume): void => {
      this.volumeQueue.add(v.metadata?.name ?? '');
      const ref = claimRefKey(v);
      if (ref) this.claimQueue.add(ref);
    };
    this.volumes.addEventHandler({
      onAdd: onVolume,
      onUpdate: (_o, v) => onVolume(v),
      onDelete: (d) => {
        const v = deletedObject(d);
        this.newerVolumes.forget(v.metadata?.name ?? '');
        onVolume(v);
      },
    });
    this.claims.addEventHandler({
      onAdd: (c) => this.claimQueue.add(claimKey(c)),
      onUpdate: (_o, c) => this.claimQueue.add(claimKey(c)),
      // A deleted claim releases its volume: the volume's sync sees it gone.
      onDelete: (c) => {
        const key = claimKey(deletedObject(c));
        this.newerClaims.forget(key);
        this.enqueueVolumesOf(key);
      },
    });
  }

  private enqueueVolumesOf(key: string): void {
    for (const v of this.volumes.lister.list()) if (claimRefKey(v) === key) this.volumeQueue.add(v.metadata?.name ?? '');
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    // The periodic resync (resync() upstream): claims waiting for a volume or a class retry.
    const period = controllerFlags(this.ctx, PersistentVolumeBinderController.flags)['pvclaimbinder-sync-period'];
    const timer = setInterval(() => {
      for (const v of this.volumes.lister.list()) this.volumeQueue.add(v.metadata?.name ?? '');
      for (const c of this.claims.lister.list()) this.claimQueue.add(claimKey(c));
    }, period);
    try {
      // One worker per queue, as upstream: binding decisions are serialized per side.
      await Promise.all([
        runQueue(this.ctx, signal, { name: 'persistentvolume-binder-volumes', queue: this.volumeQueue, workers: 1, reconcile: (k) => this.syncVolume(k) }),
        runQueue(this.ctx, signal, { name: 'persistentvolume-binder-claims', queue: this.claimQueue, workers: 1, reconcile: (k) => this.syncClaim(k) }),
      ]);
    } finally {
      clearInterval(timer);
    }
  }

  private volume(name: string): PersistentVolume | undefined {
    return this.newerVolumes.pick(name, this.volumes.lister.getByName('', name));
  }

  private allVolumes(): PersistentVolume[] {
    return this.volumes.lister.list().map((v) => this.newerVolumes.pick(v.metadata?.name ?? '', v) ?? v);
  }

  private claim(key: string): PersistentVolumeClaim | undefined {
    return this.newerClaims.pick(key, this.claims.lister.get(key));
  }

  private writeVolume(v: PersistentVolume): PersistentVolume {
    return this.newerVolumes.note(v.metadata?.name ?? '', v);
  }

  private writeClaim(c: PersistentVolumeClaim): PersistentVolumeClaim {
    return this.newerClaims.note(claimKey(c), c);
  }

  private classOf(claim: PersistentVolumeClaim): StorageClass | undefined {
    const name = claimClass(claim);
    return name ? this.classes.lister.getByName('', name) : undefined;
  }

  private async syncClaim(key: string): Promise<void> {
    const claim = this.claim(key);
    if (!claim) return;
    if (isClaimBindCompleted(claim)) await this.syncBoundClaim(claim);
    else await this.syncUnboundClaim(claim);
  }

  /** syncUnboundClaim: find (or wait for, or ask a provisioner for) a volume. */
  private async syncUnboundClaim(cached: PersistentVolumeClaim): Promise<void> {
    let claim = cached;
    const volumeName = claim.spec?.volumeName;
    if (!volumeName) {
      const cls = this.classOf(claim);
      const delayBinding = cls?.volumeBindingMode === 'WaitForFirstConsumer';
      const volume = findBestMatch(claim, this.allVolumes(), delayBinding);
      if (volume) return this.bind(volume, claim);
      if (await this.assignDefaultStorageClass(claim)) return; // its update event syncs it again
      if (delayBinding && !hasAnnotation(claim, ANN_SELECTED_NODE)) {
        const pods = this.pods.lister.byIndex(NAMESPACE_INDEX, claim.metadata?.namespace ?? '');
        const { reason, message } = delayBindingEvent(nonScheduledPodsUsing(claim, pods));
        this.recorder.event(claim, 'Normal', reason, message);
      } else if (claimClass(claim)) claim = await this.provisionClaim(claim, cls);
      else this.recorder.event(claim, 'Normal', EVENTS.FailedBinding, 'no persistent volumes available for this claim and no storage class is set');
      return this.setClaimPending(claim);
    }
    // The user asked for a particular volume.
    const volume = this.volume(volumeName);
    if (!volume) return this.setClaimPending(claim);
    if (!volume.spec?.claimRef) {
      const why = checkVolumeSatisfyClaim(volume, claim);
      if (why) {
        this.recorder.event(claim, 'Warning', EVENTS.VolumeMismatch, `Cannot bind to requested volume "${volumeName}": ${why}`);
        return this.setClaimPending(claim);
      }
      return this.bind(volume, claim);
    }
    if (isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim);
    this.recorder.event(claim, 'Warning', EVENTS.FailedBinding, `volume "${volumeName}" already bound to a different claim.`);
    return this.setClaimPending(claim);
  }

  /**
   * Retroactive default StorageClass (GA in 1.28): a claim created with no class at all (not
   * even "") while no default existed gets the default once there is one.
   */
  private async assignDefaultStorageClass(claim: PersistentVolumeClaim): Promise<boolean> {
    if (claim.spec?.storageClassName !== undefined && claim.spec.storageClassName !== null) return false;
    if (hasAnnotation(claim, ANN_BETA_STORAGE_CLASS)) return false;
    const def = defaultStorageClass(this.classes.lister.list());
    if (!def?.metadata?.name) return false;
    this.writeClaim(await this.ctx.client.resource('persistentvolumeclaims', claim.metadata?.namespace ?? '').update({ ...claim, spec: { ...claim.spec, storageClassName: def.metadata.name } }));
    return true;
  }

  /** provisionClaimOperationExternal: annotate the claim for its class's provisioner. */
  private async provisionClaim(claim: PersistentVolumeClaim, cls: StorageClass | undefined): Promise<PersistentVolumeClaim> {
    if (!cls) {
      this.recorder.event(claim, 'Warning', EVENTS.ProvisioningFailed, `storageclass.storage.k8s.io "${claimClass(claim)}" not found`);
      return claim;
    }
    if (cls.provisioner.startsWith(IN_TREE_PREFIX)) {
      this.recorder.event(claim, 'Warning', EVENTS.ProvisioningFailed, `no volume plugin matched name: ${cls.provisioner}`);
      return claim;
    }
    const a = claim.metadata?.annotations ?? {};
    if (a[ANN_STORAGE_PROVISIONER] !== cls.provisioner || a[ANN_BETA_STORAGE_PROVISIONER] !== cls.provisioner) {
      const annotations = { [ANN_STORAGE_PROVISIONER]: cls.provisioner, [ANN_BETA_STORAGE_PROVISIONER]: cls.provisioner };
      const pvcs = this.ctx.client.resource('persistentvolumeclaims', claim.metadata?.namespace ?? '');
      claim = this.writeClaim(await pvcs.update({ ...claim, metadata: { ...claim.metadata, annotations: { ...a, ...annotations } } }));
    }
    this.recorder.event(
      claim,
      'Normal',
      EVENTS.ExternalProvisioning,
      `Waiting for a volume to be created either by the external provisioner '${cls.provisioner}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
    );
    return claim;
  }

  /** syncBoundClaim: keep a bound claim's status, or mark it Lost. */
  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    const volume = claim.spec?.volumeName ? this.volume(claim.spec.volumeName) : undefined;
    if (!volume) {
      this.recorder.event(claim, 'Warning', EVENTS.ClaimLost, 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return this.setClaimPhase(claim, 'Lost');
    }
    if (!volume.spec?.claimRef || volume.spec.claimRef.uid === claim.metadata?.uid) return this.bind(volume, claim);
    this.recorder.event(claim, 'Warning', EVENTS.ClaimMisbound, 'Two claims are bound to the same volume, this one is bound incorrectly');
    return this.setClaimPhase(claim, 'Lost');
  }

  /** bind(): volume → claim link, volume Bound, claim → volume link, claim status Bound. */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    const pvs = this.ctx.client.resource('persistentvolumes');
    const pvcs = this.ctx.client.resource('persistentvolumeclaims', claim.metadata?.namespace ?? '');
    const v1 = bindVolumeToClaim(volume, claim);
    if (v1) volume = this.writeVolume(await pvs.update(v1));
    if (volume.status?.phase !== 'Bound') volume = this.writeVolume(await pvs.updateStatus({ ...volume, status: { phase: 'Bound' } }));
    const c1 = bindClaimToVolume(claim, volume);
    if (c1) claim = this.writeClaim(await pvcs.update(c1));
    const status = boundClaimStatus(claim, volume);
    if (JSON.stringify(status) !== JSON.stringify(claim.status)) this.writeClaim(await pvcs.updateStatus({ ...claim, status }));
  }

  private setClaimPending(claim: PersistentVolumeClaim): Promise<void> {
    return this.setClaimPhase(claim, 'Pending');
  }

  private async setClaimPhase(claim: PersistentVolumeClaim, phase: 'Pending' | 'Lost'): Promise<void> {
    if (claim.status?.phase === phase) return;
    const pvcs = this.ctx.client.resource('persistentvolumeclaims', claim.metadata?.namespace ?? '');
    this.writeClaim(await pvcs.updateStatus({ ...claim, status: { ...claim.status, phase } }));
  }

  private async setVolumePhase(volume: PersistentVolume, phase: string, message?: string): Promise<PersistentVolume> {
    if (volume.status?.phase === phase && (message === undefined || volume.status.message === message)) return volume;
    const status = { phase, ...(message !== undefined ? { message } : {}) };
    return this.writeVolume(await this.ctx.client.resource('persistentvolumes').updateStatus({ ...volume, status }));
  }

  private async syncVolume(name: string): Promise<void> {
    const volume = this.volume(name);
    if (!volume) return;
    const ref = claimRefKey(volume);
    let claim = ref ? this.claim(ref) : undefined;
    let action = volumeAction(volume, claim);
    if (action.kind === 'release' && ref) {
      // The cache may not have seen a new claim yet: ask the apiserver before releasing.
      const [ns, cname] = ref.split('/') as [string, string];
      try {
        claim = await this.ctx.client.resource('persistentvolumeclaims', ns).get(cname);
      } catch (e) {
        if (!isNotFound(e)) throw e;
        claim = undefined;
      }
      action = volumeAction(volume, claim);
    }
    switch (action.kind) {
      case 'phase':
        await this.setVolumePhase(volume, action.phase);
        return;
      case 'sync-claim':
        if (ref) this.claimQueue.add(ref);
        return;
      case 'unbind': {
        const updated = this.writeVolume(await this.ctx.client.resource('persistentvolumes').update(unbindVolume(volume)));
        await this.setVolumePhase(updated, 'Available');
        return;
      }
      case 'release': {
        const released = volume.status?.phase === 'Released' || volume.status?.phase === 'Failed' ? volume : await this.setVolumePhase(volume, 'Released');
        await this.reclaimVolume(released);
      }
    }
  }

  /** reclaimVolume: Retain keeps it Released; Delete is the provisioner's (or fails); Recycle is gone. */
  private async reclaimVolume(volume: PersistentVolume): Promise<void> {
    if (volume.status?.phase === 'Failed') return;
    switch (volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain') {
      case 'Retain':
        return;
      case 'Recycle': {
        const message = 'No recycler plugin found for the volume!';
        this.recorder.event(volume, 'Warning', EVENTS.VolumeFailedRecycle, message);
        await this.setVolumePhase(volume, 'Failed', message);
        return;
      }
      case 'Delete': {
        const provisioner = volume.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
        // An external provisioner deletes its own volumes (and then the PV object).
        if (provisioner && !provisioner.startsWith(IN_TREE_PREFIX)) return;
        const message = `error getting deleter volume plugin for volume "${volume.metadata?.name ?? ''}": no deletable volume plugin matched`;
        this.recorder.event(volume, 'Warning', EVENTS.VolumeFailedDelete, message);
        await this.setVolumePhase(volume, 'Failed', message);
      }
    }
  }
}
