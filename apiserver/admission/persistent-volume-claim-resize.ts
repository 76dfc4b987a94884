// PersistentVolumeClaimResize (plugin/pkg/admission/storage/persistentvolume/resize): a claim's
// storage request may only grow when the claim is bound and its StorageClass (unchanged)
// allows volume expansion. Shrinking is the validation's business (422), not this plugin's.
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { compareQuantities, parseQuantity, type Quantity } from '../../api/quantity.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';
import type { StorageClassLister } from './default-storage-class.js';

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function requestOf(obj: KObject): Quantity | undefined {
  const spec = isObject(obj.spec) ? obj.spec : {};
  const resources = isObject(spec['resources']) ? spec['resources'] : {};
  const requests = isObject(resources['requests']) ? resources['requests'] : {};
  const s = requests['storage'];
  if (typeof s !== 'string') return undefined;
  try {
    return parseQuantity(s);
  } catch {
    return undefined;
  }
}

function classOf(obj: KObject): string {
  const ann = obj.metadata?.annotations?.[BETA_STORAGE_CLASS];
  if (ann !== undefined) return ann;
  const spec = isObject(obj.spec) ? obj.spec : {};
  return typeof spec['storageClassName'] === 'string' ? spec['storageClassName'] : '';
}

export class PersistentVolumeClaimResize implements AdmissionPlugin {
  constructor(private readonly list: StorageClassLister) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (op !== 'UPDATE' || !old || attrs.subresource || info.group !== '' || info.resource !== 'persistentvolumeclaims') return;
    const oldSize = requestOf(old);
    const newSize = requestOf(obj);
    if (!newSize || (oldSize && compareQuantities(newSize, oldSize) <= 0)) return;
    const name = obj.metadata?.name ?? '';
    const gr = { group: '', resource: 'persistentvolumeclaims' };
    const oldStatus = isObject(old.status) ? old.status : {};
    if (oldStatus['phase'] !== 'Bound') throw errors.forbidden(gr, name, 'Only bound persistent volume claims can be expanded');
    if (!(await this.allowResize(obj, old)))
      throw errors.forbidden(gr, name, 'only dynamically provisioned pvc can be resized and the storageclass that provisions the pvc must support resize');
  }

  /** allowResize: a named, unchanged class that exists and sets allowVolumeExpansion. */
  private async allowResize(obj: KObject, old: KObject): Promise<boolean> {
    const name = classOf(obj);
    if (!name || name !== classOf(old)) return false;
    const cls = (await this.list()).find((c) => c.metadata?.name === name);
    return cls?.allowVolumeExpansion === true;
  }
}
