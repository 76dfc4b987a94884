// The expansion controller, `persistentvolume-expander` (pkg/controller/volume/expand). A
// bound claim whose spec.resources.requests.storage grew past its status.capacity is resized.
// tskube's volumes are directories, which have no size of their own to grow, so both of
// upstream's halves — the controller's ExpandVolumeDevice and the kubelet's filesystem resize
// — reduce to bookkeeping: the PV's capacity is raised first, then the claim's
// status.capacity, with the resize conditions cleared as MarkFSResizeFinished does.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { WorkQueue, type EventRecorder, type SharedInformer } from '../../../client/index.js';
import { compareQuantities } from '../../../api/quantity.js';
import type { Controller, ControllerContext } from '../../controller.js';
import type { FlagDeclarations } from '../../options.js';
import { runQueue } from '../../run-queue.js';
import { EVENTS, claimKey } from '../persistentvolume/annotations.js';
import { claimRequest, volumeCapacity } from '../persistentvolume/matching.js';
import { parseQuantity } from '../../../api/quantity.js';

/** The resize conditions upstream sets while a resize is under way. */
const RESIZE_CONDITIONS = new Set(['Resizing', 'FileSystemResizePending', 'ControllerResizeError', 'NodeResizeError']);

/** What expanding this claim takes now: nothing, the PV's capacity, or the claim's status. */
export function expansionStep(claim: PersistentVolumeClaim, pv: PersistentVolume | undefined): 'none' | 'volume' | 'claim' {
  if (claim.status?.phase !== 'Bound' || !pv || pv.metadata?.name !== claim.spec?.volumeName) return 'none';
  // Only directory-backed volumes: anything else would need a real resizer.
  if (!pv.spec?.local && !pv.spec?.hostPath) return 'none';
  const request = claimRequest(claim);
  const status = claim.status?.capacity?.['storage'];
  let current;
  try {
    current = status ? parseQuantity(status) : undefined;
  } catch {
    current = undefined;
  }
  if (current && compareQuantities(request, current) <= 0) return 'none';
  if (compareQuantities(volumeCapacity(pv), request) < 0) return 'volume';
  return current ? 'claim' : 'none';
}

/** MarkFSResizeFinished: the new capacity, resize conditions and allocation statuses cleared. */
export function resizedClaimStatus(claim: PersistentVolumeClaim, capacity: string): PersistentVolumeClaim['status'] {
  const status = { ...claim.status, capacity: { ...claim.status?.capacity, storage: capacity }, allocatedResources: { ...claim.status?.allocatedResources, storage: capacity } };
  const conditions = (claim.status?.conditions ?? []).filter((c) => !RESIZE_CONDITIONS.has(c.type));
  if (conditions.length) status.conditions = conditions;
  else delete status.conditions;
  delete status.allocatedResourceStatuses;
  return status;
}

export class ExpandController implements Controller {
  static readonly controllerName = 'persistentvolume-expander';
  static readonly flags = {} satisfies FlagDeclarations;
  readonly name = ExpandController.controllerName;
  private readonly claims: SharedInformer<PersistentVolumeClaim>;
  private readonly volumes: SharedInformer<PersistentVolume>;
  private readonly queue = new WorkQueue<string>({ name: 'volume_expand' });
  private readonly recorder: EventRecorder;

  constructor(private readonly ctx: ControllerContext) {
    this.claims = ctx.factory.informerFor('persistentvolumeclaims');
    this.volumes = ctx.factory.informerFor('persistentvolumes');
    this.recorder = ctx.recorder('volume_expand');
    this.claims.addEventHandler({ onAdd: (c) => this.queue.add(claimKey(c)), onUpdate: (_o, c) => this.queue.add(claimKey(c)) });
    this.volumes.addEventHandler({
      onUpdate: (_o, v) => {
        const ref = v.spec?.claimRef;
        if (ref) this.queue.add(`${ref.namespace ?? ''}/${ref.name ?? ''}`);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await runQueue(this.ctx, signal, { name: 'persistentvolume-expander', queue: this.queue, workers: 1, reconcile: (k) => this.sync(k) });
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const claim = this.claims.lister.getByName(namespace, name);
    if (!claim) return;
    const pv = claim.spec?.volumeName ? this.volumes.lister.getByName('', claim.spec.volumeName) : undefined;
    const step = expansionStep(claim, pv);
    const request = claim.spec?.resources?.requests?.['storage'] ?? '';
    if (step === 'volume' && pv) {
      await this.ctx.client.resource('persistentvolumes').update({ ...pv, spec: { ...pv.spec, capacity: { ...pv.spec?.capacity, storage: request } } });
      return; // the PV's update event brings the claim back for its half
    }
    if (step !== 'claim') return;
    const capacity = pv?.spec?.capacity?.['storage'] ?? request;
    await this.ctx.client.resource('persistentvolumeclaims', namespace).updateStatus({ ...claim, status: resizedClaimStatus(claim, capacity) });
    this.recorder.event(claim, 'Normal', EVENTS.VolumeResizeSuccess, `ExpandVolume succeeded for volume ${namespace}/${name}`);
  }
}
