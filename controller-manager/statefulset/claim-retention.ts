// persistentVolumeClaimRetentionPolicy (k8s statefulset stateful_set_utils.go,
// updateClaimOwnerRefForSetAndPod): the controller never deletes claims itself; it sets owner
// references and lets the garbage collector do it. whenDeleted: Delete → each claim is owned
// by the StatefulSet (deleted with it); whenScaled: Delete → the claim of an ordinal being
// scaled away is owned by its pod (deleted once the pod is). Retain removes the references
// the controller set, so changing the policy back keeps the claims.
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';

const setRef = (set: StatefulSet): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'StatefulSet', name: set.metadata?.name ?? '', uid: set.metadata?.uid ?? '' });
const podRef = (pod: Pod): OwnerReference => ({ apiVersion: 'v1', kind: 'Pod', name: pod.metadata?.name ?? '', uid: pod.metadata?.uid ?? '' });

/** The policy with upstream's defaults (Retain, Retain). */
export function retentionPolicy(set: StatefulSet): { whenDeleted: string; whenScaled: string } {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

function withRef(refs: OwnerReference[], ref: OwnerReference): OwnerReference[] {
  return refs.some((r) => r.uid === ref.uid) ? refs : [...refs, ref];
}
function withoutRef(refs: OwnerReference[], uid: string | undefined): OwnerReference[] {
  return refs.filter((r) => r.uid !== uid);
}

/**
 * The claim's ownerReferences under the set's policy, given the pod of its ordinal (absent
 * while being created) and whether that ordinal is being scaled away; undefined = unchanged.
 */
export function claimOwnerRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod | undefined, scaledDown: boolean): OwnerReference[] | undefined {
  const { whenDeleted, whenScaled } = retentionPolicy(set);
  const before = claim.metadata?.ownerReferences ?? [];
  let refs = before;
  const ownedBySet = whenDeleted === 'Delete' && !(whenScaled === 'Delete' && scaledDown);
  const ownedByPod = whenScaled === 'Delete' && scaledDown && pod !== undefined;
  refs = ownedBySet ? withRef(refs, setRef(set)) : withoutRef(refs, set.metadata?.uid);
  if (pod) refs = ownedByPod ? withRef(refs, podRef(pod)) : withoutRef(refs, pod.metadata?.uid);
  const same = refs.length === before.length && refs.every((r, i) => r.uid === before[i]?.uid);
  return same ? undefined : refs;
}
