import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { expansionStep, resizedClaimStatus } from './expand.js';

const claim = (request: string, capacity: string): PersistentVolumeClaim => ({
  metadata: { name: 'c', namespace: 'ns' },
  spec: { volumeName: 'v', resources: { requests: { storage: request } } },
  status: { phase: 'Bound', capacity: { storage: capacity }, conditions: [{ type: 'Resizing', status: 'True' }] },
});
const pv = (capacity: string, source: Partial<PersistentVolume['spec']> = { local: { path: '/x' } }): PersistentVolume => ({ metadata: { name: 'v' }, spec: { capacity: { storage: capacity }, ...source } });

describe('expansion steps', () => {
  test('PV first, then the claim, then nothing', () => {
    assert.equal(expansionStep(claim('2Gi', '1Gi'), pv('1Gi')), 'volume');
    assert.equal(expansionStep(claim('2Gi', '1Gi'), pv('2Gi')), 'claim');
    assert.equal(expansionStep(claim('2Gi', '2Gi'), pv('2Gi')), 'none');
    assert.equal(expansionStep(claim('1Gi', '2Gi'), pv('2Gi')), 'none');
  });
  test('only bound claims on directory-backed volumes', () => {
    assert.equal(expansionStep({ ...claim('2Gi', '1Gi'), status: { phase: 'Pending' } }, pv('1Gi')), 'none');
    assert.equal(expansionStep(claim('2Gi', '1Gi'), pv('1Gi', { nfs: { server: 's', path: '/' } })), 'none');
    assert.equal(expansionStep(claim('2Gi', '1Gi'), undefined), 'none');
  });
  test('the finished status: new capacity, resize conditions gone', () => {
    assert.deepEqual(resizedClaimStatus(claim('2Gi', '1Gi'), '2Gi'), { phase: 'Bound', capacity: { storage: '2Gi' }, allocatedResources: { storage: '2Gi' } });
  });
});
