import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { checkClaim, resolvePersistentVolume } from './persistent-volume.js';
import { VolumeSetupError } from './sources.js';

const pvc = (o: Partial<{ phase: string; volumeName: string; deleting: boolean }> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'data', namespace: 'ns', uid: 'claim-uid', ...(o.deleting ? { deletionTimestamp: '2026-01-01T00:00:00Z' } : {}) },
  spec: { ...(o.volumeName !== undefined ? { volumeName: o.volumeName } : { volumeName: 'pv1' }) },
  status: { phase: o.phase ?? 'Bound' },
});
const pv = (spec: Partial<NonNullable<PersistentVolume['spec']>> = {}): PersistentVolume => ({
  metadata: { name: 'pv1' },
  spec: {
    claimRef: { namespace: 'ns', name: 'data', uid: 'claim-uid' },
    local: { path: '/mnt/pv1' },
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1'] }] }] } },
    ...spec,
  },
});
const labels = (n: string) => ({ 'kubernetes.io/hostname': n });
const rejects = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof VolumeSetupError && re.test(e.message));

test('checkClaim: missing, being deleted, not Bound — with the kubelet\'s messages', () => {
  rejects(() => checkClaim(undefined, 'ns', 'data'), /error processing PVC ns\/data: persistentvolumeclaim "data" not found/);
  rejects(() => checkClaim(pvc({ deleting: true }), 'ns', 'data'), /PVC is being deleted/);
  rejects(() => checkClaim(pvc({ phase: 'Pending', volumeName: '' }), 'ns', 'data'), /has non-bound phase \("Pending"\) or empty pvc.Spec.VolumeName \(""\)/);
  assert.equal(checkClaim(pvc(), 'ns', 'data').pvName, 'pv1');
});

test('resolvePersistentVolume: claimRef must point back; node affinity; local and hostPath paths', () => {
  const c = pvc();
  assert.deepEqual(resolvePersistentVolume(c, pv(), 'pv1', 'n1', labels('n1')), { hostPath: '/mnt/pv1', mustExist: true, pvName: 'pv1' });
  rejects(() => resolvePersistentVolume(c, pv(), 'pv1', 'n2', labels('n2')), /MountVolume.NodeAffinity check failed for volume "pv1"/);
  rejects(() => resolvePersistentVolume(c, pv({ claimRef: { name: 'data', namespace: 'ns', uid: 'other' } }), 'pv1', 'n1', labels('n1')), /does not point to claim.UID \("claim-uid"\)/);
  rejects(() => resolvePersistentVolume(c, undefined, 'pv1', 'n1', labels('n1')), /persistentvolumes "pv1" not found/);
  const host = resolvePersistentVolume(c, { metadata: { name: 'pv1' }, spec: { claimRef: { uid: 'claim-uid' }, hostPath: { path: '/srv/x' } } }, 'pv1', 'n9', labels('n9'));
  assert.deepEqual(host, { hostPath: '/srv/x', mustExist: false, pvName: 'pv1' });
});
