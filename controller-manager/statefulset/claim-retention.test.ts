import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import { claimOwnerRefs } from './claim-retention.js';

const set = (whenDeleted: string, whenScaled: string): StatefulSet => ({
  metadata: { name: 'db', namespace: 'ns', uid: 'set-uid' },
  spec: { selector: {}, serviceName: 'db', template: {}, persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } },
});
const pod: Pod = { metadata: { name: 'db-1', uid: 'pod-uid' } };
const claim = (...uids: string[]): PersistentVolumeClaim => ({ metadata: { name: 'data-db-1', ownerReferences: uids.map((uid) => ({ apiVersion: 'x', kind: 'X', name: 'x', uid })) } });
const uids = (r: ReturnType<typeof claimOwnerRefs>) => r?.map((x) => x.uid);

test('claimOwnerRefs: every combination of whenDeleted and whenScaled, as upstream', () => {
  assert.equal(claimOwnerRefs(claim(), set('Retain', 'Retain'), pod, false), undefined);
  assert.deepEqual(uids(claimOwnerRefs(claim('set-uid', 'pod-uid'), set('Retain', 'Retain'), pod, true)), [], 'Retain removes what the controller set');
  assert.deepEqual(uids(claimOwnerRefs(claim(), set('Delete', 'Retain'), pod, false)), ['set-uid']);
  assert.deepEqual(uids(claimOwnerRefs(claim(), set('Delete', 'Retain'), pod, true)), ['set-uid'], 'whenScaled Retain: scaled-away claims stay owned by the set');
  assert.equal(claimOwnerRefs(claim(), set('Retain', 'Delete'), pod, false), undefined);
  assert.deepEqual(uids(claimOwnerRefs(claim(), set('Retain', 'Delete'), pod, true)), ['pod-uid']);
  assert.deepEqual(uids(claimOwnerRefs(claim('set-uid'), set('Delete', 'Delete'), pod, true)), ['pod-uid'], 'scaled away: from the set to the pod');
  assert.deepEqual(uids(claimOwnerRefs(claim('pod-uid'), set('Delete', 'Delete'), pod, false)), ['set-uid'], 'scaled back up: from the pod to the set');
  assert.deepEqual(uids(claimOwnerRefs(claim('other'), set('Delete', 'Retain'), undefined, false)), ['other', 'set-uid'], 'other owners are kept');
});
