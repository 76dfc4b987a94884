// Names Kubernetes' volume code shares between the scheduler, the controllers, admission and
// the kubelet (k8s pkg/volume/util, pkg/controller/volume/persistentvolume/util): the
// protection finalizers, the binding annotations, and which claims a pod's volumes name.
import type { Pod } from 'kubernetes-types/core/v1';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

/** Set by the scheduler on a WaitForFirstConsumer claim it wants provisioned on a node (volume.AnnSelectedNode). */
export const ANN_SELECTED_NODE = 'volume.kubernetes.io/selected-node';
/** Set by the PV controller once it has bound a claim (pvutil.AnnBindCompleted). */
export const ANN_BIND_COMPLETED = 'pv.kubernetes.io/bind-completed';
/** Set on a PV whose claimRef a controller (or the scheduler) wrote (pvutil.AnnBoundByController). */
export const ANN_BOUND_BY_CONTROLLER = 'pv.kubernetes.io/bound-by-controller';

/** The claims a pod's volumes name; a generic ephemeral volume's claim is `<pod>-<volume>` (ephemeral.VolumeClaimName). */
export function podClaimNames(pod: Pod): string[] {
  const out: string[] = [];
  for (const v of pod.spec?.volumes ?? []) {
    if (v.persistentVolumeClaim?.claimName) out.push(v.persistentVolumeClaim.claimName);
    else if (v.ephemeral) out.push(`${pod.metadata?.name ?? ''}-${v.name}`);
  }
  return out;
}
