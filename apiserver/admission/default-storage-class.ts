// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a claim created
// without spec.storageClassName (nor the beta class annotation) gets the default StorageClass.
// An explicit "" means "no class" and is left alone. With several defaults — which the API
// allows — the newest wins (api/storage.ts).
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { ResourceInfo } from '../../api/resources.js';
import { isObject, type KObject } from '../../api/types.js';
import { defaultStorageClass } from '../../api/storage.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';

export type StorageClassLister = () => Promise<StorageClass[]>;

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export class DefaultStorageClass implements AdmissionPlugin {
  constructor(private readonly list: StorageClassLister) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, _old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (op !== 'CREATE' || attrs.subresource || info.group !== '' || info.resource !== 'persistentvolumeclaims') return;
    const spec = isObject(obj.spec) ? obj.spec : (obj.spec = {});
    if (spec['storageClassName'] !== undefined && spec['storageClassName'] !== null) return;
    if (obj.metadata?.annotations?.[BETA_STORAGE_CLASS] !== undefined) return;
    const def = defaultStorageClass(await this.list());
    if (def?.metadata?.name) spec['storageClassName'] = def.metadata.name;
  }
}
