import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolume, Pod } from 'kubernetes-types/core/v1';
import { isDeletionCandidate, needToAddFinalizer } from './protection-util.js';
import { podUsesPVC } from './pvc-protection.js';
import { pvInUse } from './pv-protection.js';

const pod = (o: { nodeName?: string; phase?: string; claim?: string; ephemeral?: string } = {}): Pod => ({
  metadata: { name: 'p', namespace: 'ns' },
  spec: {
    containers: [{ name: 'c' }],
    ...(o.nodeName ? { nodeName: o.nodeName } : {}),
    volumes: [...(o.claim ? [{ name: 'v', persistentVolumeClaim: { claimName: o.claim } }] : []), ...(o.ephemeral ? [{ name: o.ephemeral, ephemeral: {} }] : [])],
  },
  ...(o.phase ? { status: { phase: o.phase } } : {}),
});

test('podUsesPVC: only scheduled, non-terminated pods hold a claim (also ephemeral ones)', () => {
  assert.equal(podUsesPVC(pod({ nodeName: 'n', claim: 'data' }), 'data'), true);
  assert.equal(podUsesPVC(pod({ claim: 'data' }), 'data'), false, 'not scheduled: the kubelet will refuse it anyway');
  assert.equal(podUsesPVC(pod({ nodeName: 'n', claim: 'data', phase: 'Succeeded' }), 'data'), false);
  assert.equal(podUsesPVC(pod({ nodeName: 'n', claim: 'data', phase: 'Failed' }), 'data'), false);
  assert.equal(podUsesPVC(pod({ nodeName: 'n', claim: 'other' }), 'data'), false);
  assert.equal(podUsesPVC(pod({ nodeName: 'n', ephemeral: 'scratch' }), 'p-scratch'), true);
});

test('pv-protection: only a Bound PV is in use; finalizer bookkeeping', () => {
  const pv = (phase: string, deleting = false): PersistentVolume => ({ metadata: { name: 'v', finalizers: ['kubernetes.io/pv-protection'], ...(deleting ? { deletionTimestamp: 'x' } : {}) }, status: { phase } });
  assert.equal(pvInUse(pv('Bound')), true);
  assert.equal(pvInUse(pv('Released')), false);
  assert.equal(isDeletionCandidate(pv('Bound', true), 'kubernetes.io/pv-protection'), true);
  assert.equal(isDeletionCandidate(pv('Bound'), 'kubernetes.io/pv-protection'), false);
  assert.equal(needToAddFinalizer({ metadata: {} }, 'kubernetes.io/pv-protection'), true);
  assert.equal(needToAddFinalizer({ metadata: { deletionTimestamp: 'x' } }, 'kubernetes.io/pv-protection'), false);
});
