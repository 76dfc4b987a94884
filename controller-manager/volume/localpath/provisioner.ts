// The local-path provisioner (k3s' rancher/local-path-provisioner, run here as a controller of
// the controller-manager, `local-path-provisioner`). It provisions claims the PV controller
// annotated for `tskube.io/local-path`: a helper pod makes `<root>/<pv>_<ns>_<pvc>` on the
// chosen node (the scheduler's selected node for WaitForFirstConsumer, a Ready node of its own
// choice for Immediate), then the PV is created pre-bound to the claim. A Released PV of its
// own with reclaim policy Delete gets a helper pod that removes the directory, then the PV is
// deleted — but only when its path lies strictly inside the root (path.ts); otherwise the PV
// is marked Failed with a warning and nothing is touched. Each step is one pass of a level-
// based sync keyed by the claim (or PV); helper pod updates requeue their owner.
import { isAbsolute } from 'node:path';
import type { Node, PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { NAMESPACE_INDEX, WorkQueue, deletedObject, isAlreadyExists, isNotFound, type EventRecorder, type SharedInformer } from '../../../client/index.js';
import { controllerFlags, stringFlag, type FlagDeclarations } from '../../options.js';
import type { Controller, ControllerContext } from '../../controller.js';
import { runQueue } from '../../run-queue.js';
import { EVENTS, claimClass, claimKey } from '../persistentvolume/annotations.js';
import { HELPER_FOR_ANNOTATION, HELPER_LABEL, HELPER_NAMESPACE, helperPod, helperPodName, type HelperAction } from './helper-pod.js';
import { unsafePathReason, volumePath } from './path.js';
import { localPathStorageClass } from './storage-class.js';
import { pickNode, provisionTarget, provisionedVolume, pvNameFor, shouldDelete, unsupportedAccessModes, volumeDirectory, volumeNode } from './volume.js';

/** How long to wait before looking again for a Ready node. */
const NO_NODE_RETRY_MS = 5_000;

export class LocalPathProvisioner implements Controller {
  static readonly controllerName = 'local-path-provisioner';
  static readonly flags = {
    'local-path-root': stringFlag('/var/lib/tskube-local-path', 'Directory on every node under which local-path volumes are created'),
    'local-path-helper-image': stringFlag('busybox:1.35', 'Image of the helper pods that create and remove local-path volume directories'),
  } satisfies FlagDeclarations;
  readonly name = LocalPathProvisioner.controllerName;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly volumes: SharedInformer<PersistentVolume>;
  private readonly classes: SharedInformer<StorageClass>;
  private readonly nodes: SharedInformer<Node>;
  private readonly helpers: SharedInformer<Pod>;
  private readonly claimQueue = new WorkQueue<string>({ name: 'local_path_claims' });
  private readonly volumeQueue = new WorkQueue<string>({ name: 'local_path_volumes' });
  private readonly recorder: EventRecorder;
  private readonly root: string;
  private readonly image: string;

  constructor(private readonly ctx: ControllerContext) {
    const flags = controllerFlags(ctx, LocalPathProvisioner.flags);
    if (!isAbsolute(flags['local-path-root'])) throw new Error(`--local-path-root must be an absolute path, got "${flags['local-path-root']}"`);
    this.root = flags['local-path-root'].replace(/\/+$/, '') || '/';
    this.image = flags['local-path-helper-image'];
    this.claims = ctx.factory.informerFor('persistentvolumeclaims');
    this.volumes = ctx.factory.informerFor('persistentvolumes');
    this.classes = ctx.factory.informerFor('storageclasses.storage.k8s.io');
    this.nodes = ctx.factory.informerFor('nodes');
    this.helpers = ctx.factory.informerFor('pods', { namespace: HELPER_NAMESPACE, labelSelector: HELPER_LABEL });
    this.recorder = ctx.recorder(LocalPathProvisioner.controllerName);
    const onClaim = (c: PersistentVolumeClaim): void => this.claimQueue.add(claimKey(c));
    this.claims.addEventHandler({ onAdd: onClaim, onUpdate: (_o, c) => onClaim(c) });
    const onVolume = (v: PersistentVolume): void => this.volumeQueue.add(v.metadata?.name ?? '');
    this.volumes.addEventHandler({ onAdd: onVolume, onUpdate: (_o, v) => onVolume(v) });
    const onHelper = (p: Pod): void => {
      const owner = p.metadata?.annotations?.[HELPER_FOR_ANNOTATION];
      if (!owner) return;
      if (p.metadata?.labels?.[HELPER_LABEL] === 'create') this.claimQueue.add(owner);
      else this.volumeQueue.add(owner);
    };
    this.helpers.addEventHandler({ onAdd: onHelper, onUpdate: (_o, p) => onHelper(p), onDelete: (p) => onHelper(deletedObject(p)) });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await this.ensureStorageClass();
    await Promise.all([
      runQueue(this.ctx, signal, { name: 'local-path-provisioner-claims', queue: this.claimQueue, workers: 2, reconcile: (k) => this.syncClaim(k) }),
      runQueue(this.ctx, signal, { name: 'local-path-provisioner-volumes', queue: this.volumeQueue, workers: 2, reconcile: (k) => this.syncVolume(k) }),
    ]);
  }

  /** k3s ships the `local-path` class with the provisioner: create it unless it is there (an admin's edit wins). */
  private async ensureStorageClass(): Promise<void> {
    const cls = localPathStorageClass();
    if (this.classes.lister.getByName('', cls.metadata?.name ?? '')) return;
    try {
      await this.ctx.client.resource('storageclasses.storage.k8s.io').create(cls);
      this.ctx.log.info({ storageClass: cls.metadata?.name }, 'created the local-path StorageClass');
    } catch (e) {
      if (!isAlreadyExists(e)) this.ctx.log.warn({ err: e }, 'creating the local-path StorageClass failed');
    }
  }

  private async syncClaim(key: string): Promise<{ requeueAfterMs: number } | void> {
    const [namespace, name] = key.split('/') as [string, string];
    const claim = this.claims.lister.getByName(namespace, name);
    if (!claim) return this.dropOrphanHelpers('create', key);
    const cls = this.classes.lister.getByName('', claimClass(claim));
    const target = provisionTarget(claim, cls);
    if (target === undefined || target === 'wait' || !cls) return;
    const pvName = pvNameFor(claim);
    if (this.volumes.lister.getByName('', pvName)) return;
    const unsupported = unsupportedAccessModes(claim);
    if (unsupported) {
      this.recorder.event(claim, 'Warning', EVENTS.ProvisioningFailed, `failed to provision volume with StorageClass "${cls.metadata?.name ?? ''}": ${unsupported}`);
      return;
    }
    const node = target.node ?? pickNode(this.nodes.lister.list(), claim.metadata?.uid ?? '');
    if (!node) {
      this.recorder.event(claim, 'Warning', EVENTS.ProvisioningFailed, `failed to provision volume with StorageClass "${cls.metadata?.name ?? ''}": no Ready node to create the volume on`);
      return { requeueAfterMs: NO_NODE_RETRY_MS };
    }
    const path = volumePath(this.root, pvName, namespace, name);
    const done = await this.runHelper({ action: 'create', pvName, owner: key, node, root: this.root, path, image: this.image }, async () => {
      // The PV may have been made by an earlier pass whose event the cache has not seen yet.
      try {
        await this.ctx.client.resource('persistentvolumes').get(pvName);
        return true;
      } catch (e) {
        if (isNotFound(e)) return false;
        throw e;
      }
    });
    if (done === 'failed') {
      this.recorder.event(claim, 'Warning', EVENTS.ProvisioningFailed, `failed to provision volume with StorageClass "${cls.metadata?.name ?? ''}": create process failed`);
      throw new Error(`helper pod creating ${path} on ${node} failed`);
    }
    if (done !== 'succeeded') return;
    try {
      await this.ctx.client.resource('persistentvolumes').create(provisionedVolume(claim, cls, node, path));
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    this.recorder.event(claim, 'Normal', EVENTS.ProvisioningSucceeded, `Successfully provisioned volume ${pvName}`);
    await this.deleteHelper('create', pvName);
  }

  /**
   * One step of a helper pod's life: creates it if absent (unless `alreadyDone`), and reports
   * whether it has finished.
   */
  private async runHelper(spec: Parameters<typeof helperPod>[0], alreadyDone: () => Promise<boolean>): Promise<'succeeded' | 'failed' | 'running' | 'done'> {
    const pod = this.helpers.lister.getByName(HELPER_NAMESPACE, helperPodName(spec.action, spec.pvName));
    if (pod?.status?.phase === 'Succeeded') return 'succeeded';
    if (pod?.status?.phase === 'Failed') {
      await this.deleteHelper(spec.action, spec.pvName);
      return 'failed';
    }
    if (pod) return 'running';
    if (await alreadyDone()) return 'done';
    if (spec.action === 'create') {
      const [namespace, name] = spec.owner.split('/') as [string, string];
      const claim = this.claims.lister.getByName(namespace, name);
      if (claim) this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${spec.owner}"`);
    }
    try {
      await this.ctx.client.resource('pods', HELPER_NAMESPACE).create(helperPod(spec));
      this.ctx.log.info({ pv: spec.pvName, node: spec.node, path: spec.path, action: spec.action }, 'started a local-path helper pod');
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
    return 'running';
  }

  /**
   * A helper whose claim (or PV) went away meanwhile has nothing left to report to: remove the
   * pod. (A directory made for a claim deleted mid-provisioning stays, as in k3s.)
   */
  private async dropOrphanHelpers(action: HelperAction, owner: string): Promise<void> {
    for (const p of this.helpers.lister.byIndex(NAMESPACE_INDEX, HELPER_NAMESPACE)) {
      if (p.metadata?.labels?.[HELPER_LABEL] !== action || p.metadata?.annotations?.[HELPER_FOR_ANNOTATION] !== owner) continue;
      if (p.metadata?.deletionTimestamp) continue;
      const pvName = (p.metadata?.name ?? '').slice(helperPodName(action, '').length);
      await this.deleteHelper(action, pvName);
    }
  }

  private async deleteHelper(action: HelperAction, pvName: string): Promise<void> {
    try {
      await this.ctx.client.resource('pods', HELPER_NAMESPACE).delete(helperPodName(action, pvName), { gracePeriodSeconds: 0 });
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  private async syncVolume(name: string): Promise<void> {
    const pv = this.volumes.lister.getByName('', name);
    if (!pv) return this.dropOrphanHelpers('delete', name);
    if (!shouldDelete(pv)) return;
    const path = volumeDirectory(pv);
    const unsafe = unsafePathReason(this.root, path);
    const node = volumeNode(pv);
    if (unsafe || !node) {
      // The bad input: never run `rm -rf` outside the root. The PV stays, Failed.
      const message = `refusing to delete the directory of volume "${name}": ${unsafe ?? 'the volume has no kubernetes.io/hostname node affinity'}`;
      this.recorder.event(pv, 'Warning', EVENTS.VolumeFailedDelete, message);
      await this.ctx.client.resource('persistentvolumes').updateStatus({ ...pv, status: { ...pv.status, phase: 'Failed', message } });
      return;
    }
    const done = await this.runHelper({ action: 'delete', pvName: name, owner: name, node, root: this.root, path: path ?? '', image: this.image }, async () => false);
    if (done === 'failed') {
      this.recorder.event(pv, 'Warning', EVENTS.VolumeFailedDelete, `failed to delete volume ${name}: delete process failed`);
      throw new Error(`helper pod removing ${path ?? ''} on ${node} failed`);
    }
    if (done !== 'succeeded') return;
    try {
      await this.ctx.client.resource('persistentvolumes').delete(name, { preconditions: { uid: pv.metadata?.uid ?? '' } });
      this.ctx.log.info({ pv: name, path }, 'deleted a local-path volume');
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    await this.deleteHelper('delete', name);
  }
}
