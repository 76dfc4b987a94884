// DefaultStorageClass (plugin/pkg/admission/storage/storageclass/setdefault): a claim created
// without spec.storageClassName (nor the beta class annotation) gets the default StorageClass.
// An explicit "" means "no class" and is left alone. With several defaults — which the API
// allows — the newest wins, ties broken by name, as storageutil.GetDefaultClass picks since 1.26.
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { ResourceInfo } from '../../api/resources.js';
import { isObject, type KObject } from '../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from './interfaces.js';

export type StorageClassLister = () => Promise<StorageClass[]>;

const DEFAULT_ANNOTATIONS = ['storageclass.kubernetes.io/is-default-class', 'storageclass.beta.kubernetes.io/is-default-class'];
const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

export const isDefaultClass = (c: StorageClass): boolean => DEFAULT_ANNOTATIONS.some((a) => c.metadata?.annotations?.[a] === 'true');

export function defaultStorageClass(classes: readonly StorageClass[]): StorageClass | undefined {
  const defaults = classes.filter(isDefaultClass);
  defaults.sort((a, b) => {
    const ta = Date.parse(a.metadata?.creationTimestamp ?? '') || 0;
    const tb = Date.parse(b.metadata?.creationTimestamp ?? '') || 0;
    return tb - ta || (a.metadata?.name ?? '').localeCompare(b.metadata?.name ?? '');
  });
  return defaults[0];
}

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
