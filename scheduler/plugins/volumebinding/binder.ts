// The volume binder's decisions (k8s pkg/scheduler/framework/plugins/volumebinding/binder.go),
// pure over listers of claims, volumes and classes: which claims a pod uses and in what state
// (GetPodVolumeClaims), and for one node whether every bound volume's node affinity admits it
// and every unbound WaitForFirstConsumer claim can be met there — by an Available static PV
// whose affinity fits, or by dynamic provisioning through its class (FindPodVolumes). The
// plugin (../volume-binding.ts) turns these into Filter statuses and does the API writes.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import { parseBytes } from '../../../api/quantity.js';
import { nodeSelectorMatcher } from '../../../api/scheduling/node-selector.js';
import { labelSelectorFromObject } from '../../../api/labels.js';

import { ANN_BIND_COMPLETED, ANN_SELECTED_NODE, podClaimNames } from '../../../api/storage/volume.js';

export { ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_SELECTED_NODE, podClaimNames } from '../../../api/storage/volume.js';
/** The pre-GA class annotation claims may still carry (v1.BetaStorageClassAnnotation). */
export const ANN_BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';
/** A class with this provisioner only ever binds static PVs (local volumes). */
export const NOT_SUPPORTED_PROVISIONER = 'kubernetes.io/no-provisioner';

export const ERR_REASON_BIND_CONFLICT = "node(s) didn't find available persistent volumes to bind";
export const ERR_REASON_NODE_CONFLICT = 'node(s) had volume node affinity conflict';
export const ERR_REASON_PV_NOT_EXIST = 'node(s) unavailable due to one or more pvc(s) bound to non-existent pv(s)';
export const ERR_UNBOUND_IMMEDIATE = 'pod has unbound immediate PersistentVolumeClaims';

export interface VolumeListers {
  claim(namespace: string, name: string): PersistentVolumeClaim | undefined;
  volume(name: string): PersistentVolume | undefined;
  volumes(): readonly PersistentVolume[];
  storageClass(name: string): StorageClass | undefined;
}

export interface PodVolumeClaims {
  bound: PersistentVolumeClaim[];
  /** Unbound claims of WaitForFirstConsumer classes: decided per node. */
  unboundDelayBinding: PersistentVolumeClaim[];
  /** Unbound claims of Immediate classes: the PV controller must bind them first. */
  unboundImmediate: PersistentVolumeClaim[];
}

/** A lookup that failed: `unresolvable` ones are the user's to fix (UnschedulableAndUnresolvable), others are errors. */
export interface ClaimError {
  unresolvable: boolean;
  message: string;
}

export function claimClassName(pvc: PersistentVolumeClaim): string {
  return pvc.metadata?.annotations?.[ANN_BETA_STORAGE_CLASS] ?? pvc.spec?.storageClassName ?? '';
}

/** A claim the PV controller has finished binding (isPVCFullyBound). */
export function isFullyBound(pvc: PersistentVolumeClaim): boolean {
  return !!pvc.spec?.volumeName && pvc.metadata?.annotations?.[ANN_BIND_COMPLETED] !== undefined;
}

/** Sorts the pod's claims by state (GetPodVolumeClaims), or says why that is impossible. */
export function getPodVolumeClaims(pod: Pod, l: VolumeListers): PodVolumeClaims | ClaimError {
  const ns = pod.metadata?.namespace ?? 'default';
  const out: PodVolumeClaims = { bound: [], unboundDelayBinding: [], unboundImmediate: [] };
  for (const name of podClaimNames(pod)) {
    const pvc = l.claim(ns, name);
    if (!pvc) return { unresolvable: true, message: `persistentvolumeclaim "${name}" not found` };
    if (pvc.metadata?.deletionTimestamp) return { unresolvable: true, message: `persistentvolumeclaim "${name}" is being deleted` };
    if (pvc.spec?.volumeName) {
      out.bound.push(pvc);
      continue;
    }
    const className = claimClassName(pvc);
    if (!className) {
      out.unboundImmediate.push(pvc);
      continue;
    }
    const sc = l.storageClass(className);
    if (!sc) return { unresolvable: false, message: `storageclass.storage.k8s.io "${className}" not found` };
    if (sc.volumeBindingMode === 'WaitForFirstConsumer') out.unboundDelayBinding.push(pvc);
    else out.unboundImmediate.push(pvc);
  }
  return out;
}

export const isClaimError = (v: PodVolumeClaims | ClaimError): v is ClaimError => 'message' in v;

export interface NodeLabels {
  name: string;
  labels: Readonly<Record<string, string>>;
}

/** Does the PV's required node affinity admit the node? (volume.CheckNodeAffinity; no affinity = anywhere) */
export function volumeFitsNode(pv: PersistentVolume, node: NodeLabels): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return nodeSelectorMatcher(terms)(node.labels, node.name);
}

/** What binding the pod's claims on one node takes (PodVolumes). */
export interface PodVolumes {
  /** Unbound claim → the Available PV it will be bound to (the scheduler writes the PV's claimRef). */
  staticBindings: Array<{ pvc: PersistentVolumeClaim; pv: PersistentVolume }>;
  /** Claims to provision on this node (the scheduler writes the selected-node annotation). */
  dynamicProvisions: PersistentVolumeClaim[];
}

export interface FindResult {
  /** The reasons the node does not fit; empty = it fits. */
  reasons: string[];
  podVolumes: PodVolumes;
}

/**
 * FindPodVolumes for one node. `taken(pv)` says a PV is already promised to another claim
 * (the plugin's assume cache), so two pods scheduled back to back never get the same PV.
 */
export function findPodVolumes(claims: PodVolumeClaims, node: NodeLabels, l: VolumeListers, taken: (pv: PersistentVolume, pvc: PersistentVolumeClaim) => boolean = () => false): FindResult {
  const reasons: string[] = [];
  const podVolumes: PodVolumes = { staticBindings: [], dynamicProvisions: [] };
  for (const pvc of claims.bound) {
    const pv = l.volume(pvc.spec?.volumeName ?? '');
    if (!pv) {
      reasons.push(ERR_REASON_PV_NOT_EXIST);
      break;
    }
    if (!volumeFitsNode(pv, node)) {
      reasons.push(ERR_REASON_NODE_CONFLICT);
      break;
    }
  }
  const toMatch: PersistentVolumeClaim[] = [];
  let unboundOk = true;
  for (const pvc of claims.unboundDelayBinding) {
    const selected = pvc.metadata?.annotations?.[ANN_SELECTED_NODE];
    if (selected === undefined) toMatch.push(pvc);
    else if (selected === node.name) podVolumes.dynamicProvisions.push(pvc);
    else unboundOk = false; // being provisioned for another node
  }
  if (unboundOk) {
    const chosen = new Set<string>();
    for (const pvc of toMatch) {
      const pv = findMatchingVolume(pvc, node, l.volumes(), (v) => chosen.has(v.metadata?.name ?? '') || taken(v, pvc));
      if (pv) {
        chosen.add(pv.metadata?.name ?? '');
        podVolumes.staticBindings.push({ pvc, pv });
      } else if (canProvision(pvc, node, l)) podVolumes.dynamicProvisions.push(pvc);
      else {
        unboundOk = false;
        break;
      }
    }
  }
  if (!unboundOk) reasons.push(ERR_REASON_BIND_CONFLICT);
  return { reasons, podVolumes };
}

const request = (pvc: PersistentVolumeClaim): number => {
  const r = pvc.spec?.resources?.requests?.['storage'];
  return r === undefined ? 0 : parseBytes(String(r));
};
const capacity = (pv: PersistentVolume): number => {
  const c = pv.spec?.capacity?.['storage'];
  return c === undefined ? 0 : parseBytes(String(c));
};

/**
 * The smallest Available PV that satisfies the claim on this node (pvutil.FindMatchingVolume):
 * same class, enough capacity, every requested access mode, the same volume mode, the claim's
 * selector, node affinity; a PV pre-bound to this claim (claimRef) wins outright.
 */
export function findMatchingVolume(pvc: PersistentVolumeClaim, node: NodeLabels, pvs: readonly PersistentVolume[], excluded: (pv: PersistentVolume) => boolean): PersistentVolume | undefined {
  const want = request(pvc);
  const className = claimClassName(pvc);
  const modes = pvc.spec?.accessModes ?? [];
  const selector = pvc.spec?.selector ? labelSelectorFromObject(pvc.spec.selector) : undefined;
  let best: PersistentVolume | undefined;
  for (const pv of pvs) {
    if (pv.metadata?.deletionTimestamp || excluded(pv)) continue;
    const ref = pv.spec?.claimRef;
    const preBound = !!ref && ref.namespace === pvc.metadata?.namespace && ref.name === pvc.metadata?.name && (!ref.uid || ref.uid === pvc.metadata?.uid);
    if (ref && !preBound) continue;
    if (!preBound && pv.status?.phase && pv.status.phase !== 'Available') continue;
    if ((pv.spec?.volumeMode ?? 'Filesystem') !== (pvc.spec?.volumeMode ?? 'Filesystem')) continue;
    if (capacity(pv) < want) continue;
    if ((pv.spec?.storageClassName ?? '') !== className) continue;
    if (!modes.every((m) => pv.spec?.accessModes?.includes(m))) continue;
    if (!volumeFitsNode(pv, node)) continue;
    if (preBound) return pv;
    if (selector && !selector.matches(pv.metadata?.labels)) continue;
    if (!best || capacity(pv) < capacity(best)) best = pv;
  }
  return best;
}

/** Can the claim's class provision a volume reachable from this node? (checkVolumeProvisions) */
export function canProvision(pvc: PersistentVolumeClaim, node: NodeLabels, l: VolumeListers): boolean {
  const sc = l.storageClass(claimClassName(pvc));
  if (!sc?.provisioner || sc.provisioner === NOT_SUPPORTED_PROVISIONER) return false;
  const topologies = sc.allowedTopologies ?? [];
  if (topologies.length === 0) return true;
  // allowedTopologies: any term whose every expression's key has one of its values on the node.
  return topologies.some((t) => (t.matchLabelExpressions ?? []).every((e) => e.values.includes(node.labels[e.key] ?? '\0')));
}
