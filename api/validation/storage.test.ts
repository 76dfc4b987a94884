import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validatePersistentVolumeClaimUpdate } from './storage.js';

type Obj = Record<string, unknown>;
// Through JSON, as the apiserver sees objects: no keys with undefined values.
const claim = (request: string, extra: Obj = {}, status: Obj = { phase: 'Bound', capacity: { storage: '1Gi' } }): Obj => JSON.parse(JSON.stringify({
  metadata: { name: 'c', namespace: 'ns' },
  spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'local-path', volumeName: 'pv1', volumeMode: 'Filesystem', resources: { requests: { storage: request } }, ...extra },
  status,
}));
const fields = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message.split('\n')[0]}`);

describe('PersistentVolumeClaim update validation', () => {
  test('a bound claim may grow', () => {
    assert.deepEqual(validatePersistentVolumeClaimUpdate(claim('2Gi'), claim('1Gi')), []);
  });
  test('shrinking below the capacity is forbidden', () => {
    assert.deepEqual(fields(validatePersistentVolumeClaimUpdate(claim('500Mi'), claim('1Gi'))), [
      'spec.resources.requests.storage: Forbidden: field can not be less than status.capacity',
    ]);
  });
  test('other spec fields are immutable', () => {
    assert.deepEqual(fields(validatePersistentVolumeClaimUpdate(claim('1Gi', { accessModes: ['ReadWriteMany'] }), claim('1Gi'))), [
      'spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
    ]);
    const pending = { phase: 'Pending' };
    assert.equal(validatePersistentVolumeClaimUpdate(claim('2Gi', {}, pending), claim('1Gi', {}, pending)).length, 1);
  });
  test('the binder may set volumeName once; a class may be given to an unbound claim without one', () => {
    const unbound = (extra: Obj): Obj => claim('1Gi', { volumeName: undefined, ...extra }, { phase: 'Pending' });
    assert.deepEqual(validatePersistentVolumeClaimUpdate(claim('1Gi', {}, { phase: 'Pending' }), unbound({})), []);
    assert.equal(validatePersistentVolumeClaimUpdate(claim('1Gi', { volumeName: 'other' }), claim('1Gi')).length, 1);
    assert.deepEqual(validatePersistentVolumeClaimUpdate(unbound({}), unbound({ storageClassName: undefined })), []);
  });
});

describe('PersistentVolume update validation', async () => {
  const { validatePersistentVolumeUpdate } = await import('./storage.js');
  const pv = (path: string, extra: Obj = {}): Obj => ({
    metadata: { name: 'v' },
    spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', local: { path }, ...extra },
  });
  test('capacity, claimRef, policy may change; the source and volumeMode may not', () => {
    assert.deepEqual(validatePersistentVolumeUpdate(pv('/a', { capacity: { storage: '2Gi' }, persistentVolumeReclaimPolicy: 'Retain', claimRef: { name: 'c' } }), pv('/a')), []);
    assert.deepEqual(fields(validatePersistentVolumeUpdate(pv('/etc'), pv('/a'))), ['spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation']);
    assert.deepEqual(fields(validatePersistentVolumeUpdate(pv('/a', { volumeMode: 'Block' }), pv('/a'))), ['volumeMode: Invalid value: "Block": field is immutable']);
  });
});
