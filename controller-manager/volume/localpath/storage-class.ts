// The `local-path` StorageClass as k3s ships it (manifests/local-storage.yaml), the default
// class, with this provisioner's name.
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { ANN_IS_DEFAULT_CLASS } from '../persistentvolume/annotations.js';

export const LOCAL_PATH_PROVISIONER = 'tskube.io/local-path';
export const LOCAL_PATH_CLASS = 'local-path';

export function localPathStorageClass(): StorageClass {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: LOCAL_PATH_CLASS, annotations: { [ANN_IS_DEFAULT_CLASS]: 'true' } },
    provisioner: LOCAL_PATH_PROVISIONER,
    volumeBindingMode: 'WaitForFirstConsumer',
    reclaimPolicy: 'Delete',
    allowVolumeExpansion: true,
  };
}
