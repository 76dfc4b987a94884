// A persistentVolumeClaim volume as the kubelet resolves it (k8s volumemanager
// desired_state_of_world_populator getPVCExtractPV / getPVSpec, and the node affinity check of
// operation_generator): the claim must exist, not be being deleted and be Bound; its PV must be
// bound back to this very claim; a PV with node affinity must admit this node. Then the PV is
// a directory on this host: spec.local.path or spec.hostPath.path, bind-mounted read-only when
// the pod's volume source says so. Pure: the lookups are done by the caller.
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { nodeSelectorMatcher } from '../../api/scheduling/node-selector.js';
import { VolumeSetupError } from './sources.js';

export interface ResolvedClaimVolume {
  hostPath: string;
  /** A local PV's path must exist (the local plugin never creates it); a hostPath PV's may be created. */
  mustExist: boolean;
  pvName: string;
}

/** The claim, if it can be mounted (exists, not being deleted, Bound); its volume's name. */
export function checkClaim(pvc: PersistentVolumeClaim | undefined, namespace: string, claimName: string): { pvc: PersistentVolumeClaim; pvName: string } {
  if (!pvc) throw new VolumeSetupError(`error processing PVC ${namespace}/${claimName}: persistentvolumeclaim "${claimName}" not found`);
  if (pvc.metadata?.deletionTimestamp) throw new VolumeSetupError(`error processing PVC ${namespace}/${claimName}: PVC is being deleted`);
  const volumeName = pvc.spec?.volumeName ?? '';
  if (pvc.status?.phase !== 'Bound' || !volumeName) {
    throw new VolumeSetupError(
      `error processing PVC ${namespace}/${claimName}: PVC ${namespace}/${claimName} has non-bound phase ("${pvc.status?.phase ?? 'Pending'}") or empty pvc.Spec.VolumeName ("${volumeName}")`,
    );
  }
  return { pvc, pvName: volumeName };
}

/** The PV behind a Bound claim, checked against the claim and this node. */
export function resolvePersistentVolume(pvc: PersistentVolumeClaim, pv: PersistentVolume | undefined, pvName: string, nodeName: string, nodeLabels: Readonly<Record<string, string>>): ResolvedClaimVolume {
  if (!pv) throw new VolumeSetupError(`error processing PVC ${pvc.metadata?.namespace ?? ''}/${pvc.metadata?.name ?? ''}: failed to fetch PV ${pvName} from API server: persistentvolumes "${pvName}" not found`);
  const ref = pv.spec?.claimRef;
  if (!ref) throw new VolumeSetupError(`found PV object "${pvName}" but it has a nil pv.Spec.ClaimRef indicating it is not yet bound to the claim`);
  if (ref.uid !== pvc.metadata?.uid) {
    throw new VolumeSetupError(`found PV object "${pvName}" but its pv.Spec.ClaimRef.UID ("${ref.uid ?? ''}") does not point to claim.UID ("${pvc.metadata?.uid ?? ''}")`);
  }
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (terms && !nodeSelectorMatcher(terms)(nodeLabels, nodeName)) {
    throw new VolumeSetupError(`MountVolume.NodeAffinity check failed for volume "${pvName}" : no matching NodeSelectorTerms`);
  }
  if (pv.spec?.local?.path) return { hostPath: pv.spec.local.path, mustExist: true, pvName };
  if (pv.spec?.hostPath?.path) return { hostPath: pv.spec.hostPath.path, mustExist: false, pvName };
  throw new VolumeSetupError(`persistentvolume "${pvName}": only hostPath and local volumes are supported by this kubelet`);
}
