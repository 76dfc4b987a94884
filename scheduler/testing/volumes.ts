// Claims, volumes and classes for VolumeBinding unit tests.
import type { PersistentVolume, PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import type { StorageClass } from 'kubernetes-types/storage/v1';
import type { VolumeListers } from '../plugins/volumebinding/binder.js';

export function claim(name: string, o: { className?: string; volumeName?: string; size?: string; annotations?: Record<string, string>; deleting?: boolean } = {}): PersistentVolumeClaim {
  return {
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, ...(o.annotations ? { annotations: o.annotations } : {}), ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
    spec: {
      accessModes: ['ReadWriteOnce'],
      resources: { requests: { storage: o.size ?? '1Gi' } },
      ...(o.className !== undefined ? { storageClassName: o.className } : {}),
      ...(o.volumeName ? { volumeName: o.volumeName } : {}),
    },
  };
}

export function volume(name: string, o: { node?: string; className?: string; size?: string; phase?: string; claimRef?: { name: string; uid?: string } } = {}): PersistentVolume {
  return {
    metadata: { name },
    spec: {
      capacity: { storage: o.size ?? '1Gi' },
      accessModes: ['ReadWriteOnce'],
      storageClassName: o.className ?? 'local',
      local: { path: `/mnt/${name}` },
      ...(o.claimRef ? { claimRef: { namespace: 'ns', ...o.claimRef } } : {}),
      ...(o.node ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.node] }] }] } } } : {}),
    },
    status: { phase: o.phase ?? 'Available' },
  };
}

export const classes: Record<string, StorageClass> = {
  local: { metadata: { name: 'local' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' },
  'local-path': { metadata: { name: 'local-path' }, provisioner: 'tskube.io/local-path', volumeBindingMode: 'WaitForFirstConsumer' },
  standard: { metadata: { name: 'standard' }, provisioner: 'tskube.io/local-path', volumeBindingMode: 'Immediate' },
};

export function listers(pvcs: PersistentVolumeClaim[], pvs: PersistentVolume[]): VolumeListers {
  return {
    claim: (ns, name) => pvcs.find((c) => c.metadata?.namespace === ns && c.metadata?.name === name),
    volume: (name) => pvs.find((v) => v.metadata?.name === name),
    volumes: () => pvs,
    storageClass: (name) => classes[name],
  };
}

export const podWith = (...claimNames: string[]): Pod => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: { containers: [{ name: 'c' }], volumes: claimNames.map((c, i) => ({ name: `v${i}`, persistentVolumeClaim: { claimName: c } })) },
});

