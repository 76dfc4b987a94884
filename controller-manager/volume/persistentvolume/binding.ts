// The object edits binding is made of (pv_controller.go getBindVolumeToClaim,
// getBindClaimToVolume, unbindVolume) and the decision syncVolume makes for a volume, as pure
// functions over copies: the controller writes what they return.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DYNAMICALLY_PROVISIONED, hasAnnotation } from './annotations.js';
import { isVolumeBoundToClaim } from './matching.js';

function withAnnotation<T extends { metadata?: { annotations?: Record<string, string> } }>(obj: T, key: string, value: string): void {
  obj.metadata = { ...obj.metadata, annotations: { ...obj.metadata?.annotations, [key]: value } };
}

/** getBindVolumeToClaim: the volume with claimRef to the claim, or undefined when nothing changes. */
export function bindVolumeToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): PersistentVolume | undefined {
  const ref = volume.spec?.claimRef;
  const setRef = !ref || ref.name !== claim.metadata?.name || ref.namespace !== claim.metadata?.namespace || ref.uid !== claim.metadata?.uid;
  // The controller made the link unless the user had pre-bound the volume to this claim.
  const setBoundBy = !isVolumeBoundToClaim(volume, claim);
  if (!setRef && (!setBoundBy || hasAnnotation(volume, ANN_BOUND_BY_CONTROLLER))) return undefined;
  const out = structuredClone(volume);
  if (setRef) {
    out.spec = {
      ...out.spec,
      claimRef: {
        kind: 'PersistentVolumeClaim',
        namespace: claim.metadata?.namespace ?? '',
        name: claim.metadata?.name ?? '',
        uid: claim.metadata?.uid ?? '',
        apiVersion: 'v1',
        resourceVersion: claim.metadata?.resourceVersion ?? '',
      },
    };
  }
  if (setBoundBy) withAnnotation(out, ANN_BOUND_BY_CONTROLLER, 'yes');
  return out;
}

/** getBindClaimToVolume: spec.volumeName and the bind annotations, or undefined when already so. */
export function bindClaimToVolume(claim: PersistentVolumeClaim, volume: PersistentVolume): PersistentVolumeClaim | undefined {
  const name = volume.metadata?.name ?? '';
  const a = claim.metadata?.annotations ?? {};
  const setName = claim.spec?.volumeName !== name;
  // bound-by-controller marks a link the controller chose; a user's spec.volumeName stays unmarked.
  const setBoundBy = !claim.spec?.volumeName;
  if (!setName && a[ANN_BIND_COMPLETED] !== undefined && !setBoundBy) return undefined;
  const out = structuredClone(claim);
  if (setName) out.spec = { ...out.spec, volumeName: name };
  if (setBoundBy) withAnnotation(out, ANN_BOUND_BY_CONTROLLER, 'yes');
  withAnnotation(out, ANN_BIND_COMPLETED, 'yes');
  return out;
}

/** The Bound claim status: phase, the volume's access modes and capacity (updateClaimStatus). */
export function boundClaimStatus(claim: PersistentVolumeClaim, volume: PersistentVolume): PersistentVolumeClaim['status'] {
  return {
    ...claim.status,
    phase: 'Bound',
    accessModes: [...(volume.spec?.accessModes ?? [])],
    capacity: { ...volume.spec?.capacity },
  };
}

/**
 * unbindVolume: a link the controller made is removed; a user's pre-binding is kept, only
 * its uid cleared, so the volume waits for a claim of that name again.
 */
export function unbindVolume(volume: PersistentVolume): PersistentVolume {
  const out = structuredClone(volume);
  if (hasAnnotation(out, ANN_BOUND_BY_CONTROLLER)) {
    if (out.spec) delete out.spec.claimRef;
    delete out.metadata?.annotations?.[ANN_BOUND_BY_CONTROLLER];
  } else if (out.spec?.claimRef) {
    delete out.spec.claimRef.uid;
  }
  return out;
}

/** What syncVolume does with a volume, given the claim its claimRef names (if it exists). */
export type VolumeAction =
  | { kind: 'phase'; phase: 'Available' | 'Bound' }
  /** The claim is gone (or another claim by that name): Released, then the reclaim policy. */
  | { kind: 'release' }
  /** Bound to a claim that is bound elsewhere and no one else needs it: unbind. */
  | { kind: 'unbind' }
  /** Binding is half done: the claim's sync finishes it. */
  | { kind: 'sync-claim' };

export function volumeAction(volume: PersistentVolume, claim: PersistentVolumeClaim | undefined): VolumeAction {
  const ref = volume.spec?.claimRef;
  if (!ref) return { kind: 'phase', phase: 'Available' };
  // Pre-bound by a user to a claim that does not exist yet: it waits, Available.
  if (!ref.uid) return { kind: 'phase', phase: 'Available' };
  if (!claim || claim.metadata?.uid !== ref.uid) return { kind: 'release' };
  if (!claim.spec?.volumeName) return { kind: 'sync-claim' };
  if (claim.spec.volumeName === volume.metadata?.name) return { kind: 'phase', phase: 'Bound' };
  // The claim is bound to another volume.
  if (hasAnnotation(volume, ANN_DYNAMICALLY_PROVISIONED) && volume.spec?.persistentVolumeReclaimPolicy === 'Delete') return { kind: 'release' };
  return { kind: 'unbind' };
}

/** Whether the claim's sync is syncBoundClaim (bind completed) rather than syncUnboundClaim. */
export const isClaimBindCompleted = (claim: PersistentVolumeClaim): boolean => hasAnnotation(claim, ANN_BIND_COMPLETED);
