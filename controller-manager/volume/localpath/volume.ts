// The provisioner's decisions, pure: which claims it provisions, on which node, the PV it
// creates (the shape external-provisioner + k3s' Provision give), and which PVs it deletes.
import type { Node, PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import {
  ANN_BETA_STORAGE_PROVISIONER,
  ANN_DYNAMICALLY_PROVISIONED,
  ANN_SELECTED_NODE,
  ANN_STORAGE_PROVISIONER,
} from '../persistentvolume/annotations.js';
import { LOCAL_PATH_PROVISIONER } from './storage-class.js';

export const HOSTNAME_LABEL = 'kubernetes.io/hostname';

/** external-provisioner names a PV `pvc-<claim uid>`. */
export const pvNameFor = (claim: PersistentVolumeClaim): string => `pvc-${claim.metadata?.uid ?? ''}`;

/** k3s refuses shared access modes: a directory on one node cannot be mounted from others. */
export function unsupportedAccessModes(claim: PersistentVolumeClaim): string | undefined {
  const bad = (claim.spec?.accessModes ?? []).filter((m) => m !== 'ReadWriteOnce' && m !== 'ReadWriteOncePod');
  return bad.length ? 'NodePath only supports ReadWriteOnce and ReadWriteOncePod (1.22+) access modes' : undefined;
}

/**
 * What to do with a claim: undefined = not ours (or done); 'wait' = ours, but a
 * WaitForFirstConsumer claim without a chosen node yet; else the node to provision on
 * (undefined node = pick one: Immediate binding).
 */
export function provisionTarget(claim: PersistentVolumeClaim, cls: StorageClass | undefined): undefined | 'wait' | { node?: string } {
  if (claim.spec?.volumeName || claim.metadata?.deletionTimestamp) return undefined;
  const a = claim.metadata?.annotations ?? {};
  const asked = a[ANN_STORAGE_PROVISIONER] ?? a[ANN_BETA_STORAGE_PROVISIONER];
  if (asked !== LOCAL_PATH_PROVISIONER || cls?.provisioner !== LOCAL_PATH_PROVISIONER) return undefined;
  const selected = a[ANN_SELECTED_NODE];
  if (cls.volumeBindingMode === 'WaitForFirstConsumer') return selected ? { node: selected } : 'wait';
  return selected ? { node: selected } : {};
}

const isReady = (n: Node): boolean => (n.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/** Immediate mode: a Ready, schedulable node, spread by the claim's uid so claims do not pile on one node. */
export function pickNode(nodes: readonly Node[], claimUid: string): string | undefined {
  const ready = nodes.filter((n) => isReady(n) && !n.spec?.unschedulable).map((n) => n.metadata?.name ?? '').sort();
  if (!ready.length) return undefined;
  let h = 0;
  for (const ch of claimUid) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return ready[h % ready.length];
}

export function provisionedVolume(claim: PersistentVolumeClaim, cls: StorageClass, node: string, path: string): PersistentVolume {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: pvNameFor(claim), annotations: { [ANN_DYNAMICALLY_PROVISIONED]: LOCAL_PATH_PROVISIONER } },
    spec: {
      capacity: { storage: claim.spec?.resources?.requests?.['storage'] ?? '0' },
      accessModes: [...(claim.spec?.accessModes ?? [])],
      persistentVolumeReclaimPolicy: cls.reclaimPolicy ?? 'Delete',
      storageClassName: cls.metadata?.name ?? '',
      volumeMode: 'Filesystem',
      ...(cls.mountOptions ? { mountOptions: [...cls.mountOptions] } : {}),
      claimRef: {
        kind: 'PersistentVolumeClaim',
        apiVersion: 'v1',
        namespace: claim.metadata?.namespace ?? '',
        name: claim.metadata?.name ?? '',
        uid: claim.metadata?.uid ?? '',
        resourceVersion: claim.metadata?.resourceVersion ?? '',
      },
      local: { path },
      nodeAffinity: {
        required: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: 'In', values: [node] }] }] },
      },
    },
  };
}

/** The node a local PV lives on: its `kubernetes.io/hostname In [node]` affinity. */
export function volumeNode(pv: PersistentVolume): string | undefined {
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? [])
    for (const e of term.matchExpressions ?? []) if (e.key === HOSTNAME_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
  return undefined;
}

/** external-provisioner's shouldDelete: ours, Released, reclaim policy Delete. */
export function shouldDelete(pv: PersistentVolume): boolean {
  return (
    pv.metadata?.annotations?.[ANN_DYNAMICALLY_PROVISIONED] === LOCAL_PATH_PROVISIONER &&
    pv.spec?.persistentVolumeReclaimPolicy === 'Delete' &&
    pv.status?.phase === 'Released' &&
    !pv.metadata?.deletionTimestamp
  );
}

export const volumeDirectory = (pv: PersistentVolume): string | undefined => pv.spec?.local?.path ?? pv.spec?.hostPath?.path;
