import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { StorageObjectInUseProtection } from './storage-object-in-use-protection.js';

test('StorageObjectInUseProtection admission: finalizers on create of PVCs and PVs only', () => {
  const admit = new StorageObjectInUseProtection();
  const run = (resource: string, obj: KObject, op: 'CREATE' | 'UPDATE' = 'CREATE', subresource?: string) => {
    admit.admit(op, findResource('', resource)!, obj, undefined, { dryRun: false, ...(subresource ? { subresource } : {}) });
    return obj.metadata?.finalizers;
  };
  assert.deepEqual(run('persistentvolumeclaims', { metadata: { name: 'c' } }), ['kubernetes.io/pvc-protection']);
  assert.deepEqual(run('persistentvolumes', { metadata: { name: 'v', finalizers: ['a'] } }), ['a', 'kubernetes.io/pv-protection']);
  assert.deepEqual(run('persistentvolumeclaims', { metadata: { name: 'c', finalizers: ['kubernetes.io/pvc-protection'] } }), ['kubernetes.io/pvc-protection'], 'not twice');
  assert.equal(run('persistentvolumeclaims', { metadata: { name: 'c' } }, 'UPDATE'), undefined, 'updates may remove it (the controller does)');
  assert.equal(run('configmaps', { metadata: { name: 'c' } }), undefined);
});
