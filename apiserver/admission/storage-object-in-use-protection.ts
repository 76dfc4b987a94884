// StorageObjectInUseProtection (k8s plugin/pkg/admission/storage/storageobjectinuseprotection):
// every new PersistentVolumeClaim gets the `kubernetes.io/pvc-protection` finalizer and every
// new PersistentVolume `kubernetes.io/pv-protection`, so deleting one that is in use only marks
// it Terminating; the pvc-protection / pv-protection controllers remove the finalizer once no
// pod uses the claim / the volume is no longer Bound.
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';

import { PVC_PROTECTION_FINALIZER, PV_PROTECTION_FINALIZER } from '../../api/storage/volume.js';

/** The finalizer a create of this resource gets, if any. */
export function protectionFinalizer(info: Pick<ResourceInfo, 'group' | 'resource'>): string | undefined {
  if (info.group !== '') return undefined;
  if (info.resource === 'persistentvolumeclaims') return PVC_PROTECTION_FINALIZER;
  if (info.resource === 'persistentvolumes') return PV_PROTECTION_FINALIZER;
  return undefined;
}

export class StorageObjectInUseProtection implements AdmissionPlugin {
  admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined, attrs: AdmissionAttributes): void {
    if (op !== 'CREATE' || attrs.subresource) return;
    const finalizer = protectionFinalizer(info);
    if (!finalizer) return;
    const meta = (obj.metadata ??= {});
    const finalizers = meta.finalizers ?? [];
    if (!finalizers.includes(finalizer)) meta.finalizers = [...finalizers, finalizer];
  }
}
