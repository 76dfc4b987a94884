// The annotations and event reasons the persistent volume controllers share, by Kubernetes'
// own names (pkg/controller/volume/persistentvolume/util and storage/util helpers), so other
// components (the scheduler's VolumeBinding plugin, the provisioner, kubectl) read the same keys.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';

// AnnBindCompleted, AnnBoundByController and AnnSelectedNode are read by the scheduler and the
// kubelet too: they live in api/storage/volume.ts; the default-class keys in api/storage.ts.
export { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE } from '../../../api/storage/volume.js';
export { IS_DEFAULT_CLASS_ANNOTATION as ANN_IS_DEFAULT_CLASS, BETA_IS_DEFAULT_CLASS_ANNOTATION as ANN_BETA_IS_DEFAULT_CLASS } from '../../../api/storage.js';
/** On a PV: who provisioned it (AnnDynamicallyProvisioned). */
export const ANN_DYNAMICALLY_PROVISIONED = 'pv.kubernetes.io/provisioned-by';
/** On a claim: which provisioner should provision it (AnnStorageProvisioner and the beta twin). */
export const ANN_STORAGE_PROVISIONER = 'volume.kubernetes.io/storage-provisioner';
export const ANN_BETA_STORAGE_PROVISIONER = 'volume.beta.kubernetes.io/storage-provisioner';
/** The deprecated class annotation, still honoured before spec.storageClassName. */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

/** Event reasons (pkg/controller/volume/events). */
export const EVENTS = {
  FailedBinding: 'FailedBinding',
  VolumeMismatch: 'VolumeMismatch',
  VolumeFailedRecycle: 'VolumeFailedRecycle',
  VolumeFailedDelete: 'VolumeFailedDelete',
  ExternalProvisioning: 'ExternalProvisioning',
  ProvisioningFailed: 'ProvisioningFailed',
  ProvisioningSucceeded: 'ProvisioningSucceeded',
  ClaimLost: 'ClaimLost',
  ClaimMisbound: 'ClaimMisbound',
  WaitForFirstConsumer: 'WaitForFirstConsumer',
  ExternalExpanding: 'ExternalExpanding',
  VolumeResizeSuccess: 'VolumeResizeSuccessful',
} as const;

/** GetPersistentVolumeClaimClass: the beta annotation wins over spec.storageClassName. */
export function claimClass(claim: PersistentVolumeClaim): string {
  return claim.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? claim.spec?.storageClassName ?? '';
}

/** GetPersistentVolumeClass. */
export function volumeClass(volume: PersistentVolume): string {
  return volume.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? volume.spec?.storageClassName ?? '';
}

export function hasAnnotation(obj: { metadata?: { annotations?: Record<string, string> } }, key: string): boolean {
  return obj.metadata?.annotations?.[key] !== undefined;
}

/** `namespace/name` of a claim, the key both the claim queue and a claimRef use. */
export function claimKey(claim: PersistentVolumeClaim): string {
  return `${claim.metadata?.namespace ?? ''}/${claim.metadata?.name ?? ''}`;
}

export function claimRefKey(volume: PersistentVolume): string | undefined {
  const ref = volume.spec?.claimRef;
  return ref ? `${ref.namespace ?? ''}/${ref.name ?? ''}` : undefined;
}
