import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { PersistentVolume, PersistentVolumeClaim } from 'kubernetes-types/core/v1';
import { checkVolumeSatisfyClaim, findBestMatch, isVolumeBoundToClaim } from './matching.js';
import { bindClaimToVolume, bindVolumeToClaim, boundClaimStatus, unbindVolume, volumeAction } from './binding.js';

const pv = (name: string, size: string, extra: Partial<PersistentVolume['spec']> = {}, labels?: Record<string, string>): PersistentVolume => ({
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { capacity: { storage: size }, accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', hostPath: { path: `/data/${name}` }, ...extra },
});
const pvc = (size: string, extra: Partial<PersistentVolumeClaim['spec']> = {}): PersistentVolumeClaim => ({
  metadata: { name: 'c', namespace: 'ns', uid: 'uid-c', resourceVersion: '7' },
  spec: { accessModes: ['ReadWriteOnce'], volumeMode: 'Filesystem', resources: { requests: { storage: size } }, ...extra },
});
const names = (v: PersistentVolume | undefined): string | undefined => v?.metadata?.name;

describe('findBestMatch (FindMatchingVolume)', () => {
  test('the smallest volume big enough', () => {
    const vols = [pv('big', '10Gi'), pv('small', '1Gi'), pv('fit', '2Gi'), pv('exact', '1500Mi')];
    assert.equal(names(findBestMatch(pvc('1500Mi'), vols, false)), 'exact');
    assert.equal(names(findBestMatch(pvc('3Gi'), vols, false)), 'big');
    assert.equal(findBestMatch(pvc('20Gi'), vols, false), undefined);
  });
  test('access modes: the fewest-mode set containing the claim\'s modes wins over a smaller volume', () => {
    const vols = [pv('rwo-rwx-small', '1Gi', { accessModes: ['ReadWriteOnce', 'ReadWriteMany'] }), pv('rwo-big', '5Gi')];
    assert.equal(names(findBestMatch(pvc('1Gi'), vols, false)), 'rwo-big');
    assert.equal(names(findBestMatch(pvc('1Gi', { accessModes: ['ReadWriteMany'] }), vols, false)), 'rwo-rwx-small');
    assert.equal(findBestMatch(pvc('1Gi', { accessModes: ['ReadOnlyMany'] }), vols, false), undefined);
  });
  test('storage class and label selector must match', () => {
    const vols = [pv('fast', '1Gi', { storageClassName: 'fast' }, { tier: 'gold' }), pv('plain', '1Gi', {}, { tier: 'silver' })];
    assert.equal(names(findBestMatch(pvc('1Gi'), vols, false)), 'plain');
    assert.equal(names(findBestMatch(pvc('1Gi', { storageClassName: 'fast' }), vols, false)), 'fast');
    assert.equal(names(findBestMatch(pvc('1Gi', { selector: { matchLabels: { tier: 'gold' } } }), vols, false)), undefined);
    assert.equal(names(findBestMatch(pvc('1Gi', { storageClassName: 'fast', selector: { matchLabels: { tier: 'gold' } } }), vols, false)), 'fast');
    assert.equal(names(findBestMatch(pvc('1Gi', { selector: { matchExpressions: [{ key: 'tier', operator: 'In', values: ['silver'] }] } }), vols, false)), 'plain');
  });
  test('volumes bound elsewhere, being deleted, or of another volumeMode are skipped', () => {
    const vols = [
      pv('taken', '1Gi', { claimRef: { namespace: 'ns', name: 'other', uid: 'x' } }),
      { ...pv('going', '1Gi'), metadata: { name: 'going', deletionTimestamp: '2026-01-01T00:00:00Z' } },
      pv('block', '1Gi', { volumeMode: 'Block' }),
    ];
    assert.equal(findBestMatch(pvc('1Gi'), vols, false), undefined);
  });
  test('a volume pre-bound to the claim wins even when larger, and even with delayed binding', () => {
    const vols = [pv('small', '1Gi'), pv('mine', '10Gi', { claimRef: { namespace: 'ns', name: 'c' } })];
    assert.equal(names(findBestMatch(pvc('1Gi'), vols, false)), 'mine');
    assert.equal(names(findBestMatch(pvc('1Gi'), vols, true)), 'mine');
    assert.equal(names(findBestMatch(pvc('1Gi'), [pv('small', '1Gi')], true)), undefined);
    // pre-bound, but too small: not taken
    assert.equal(names(findBestMatch(pvc('20Gi'), vols, false)), undefined);
  });
  test('isVolumeBoundToClaim honours the uid when set', () => {
    assert.equal(isVolumeBoundToClaim(pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' } }), pvc('1Gi')), true);
    assert.equal(isVolumeBoundToClaim(pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'old' } }), pvc('1Gi')), false);
  });
  test('checkVolumeSatisfyClaim names what is wrong', () => {
    assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi'), pvc('2Gi')), 'requested PV is too small');
    assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi', { storageClassName: 'x' }), pvc('1Gi')), 'storageClassName does not match');
    assert.equal(checkVolumeSatisfyClaim(pv('a', '1Gi'), pvc('1Gi')), undefined);
  });
});

describe('binding edits and volume phases', () => {
  test('bindVolumeToClaim sets claimRef and bound-by-controller; a user pre-binding stays unmarked', () => {
    const v = bindVolumeToClaim(pv('a', '1Gi'), pvc('1Gi'));
    assert.deepEqual(v?.spec?.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'c', uid: 'uid-c', apiVersion: 'v1', resourceVersion: '7' });
    assert.equal(v?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const pre = bindVolumeToClaim(pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c' } }), pvc('1Gi'));
    assert.equal(pre?.spec?.claimRef?.uid, 'uid-c');
    assert.equal(pre?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
    assert.equal(bindVolumeToClaim(v!, pvc('1Gi')), undefined);
  });
  test('bindClaimToVolume sets volumeName and the annotations; status carries the volume\'s capacity', () => {
    const c = bindClaimToVolume(pvc('1Gi'), pv('a', '2Gi'));
    assert.equal(c?.spec?.volumeName, 'a');
    assert.equal(c?.metadata?.annotations?.['pv.kubernetes.io/bind-completed'], 'yes');
    assert.equal(c?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], 'yes');
    const user = bindClaimToVolume(pvc('1Gi', { volumeName: 'a' }), pv('a', '2Gi'));
    assert.equal(user?.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
    assert.deepEqual(boundClaimStatus(c!, pv('a', '2Gi')), { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '2Gi' } });
  });
  test('volumeAction: Available, Bound, Released, unbind', () => {
    const claim = pvc('1Gi', { volumeName: 'a' });
    const bound = pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'uid-c' } });
    assert.deepEqual(volumeAction(pv('a', '1Gi'), undefined), { kind: 'phase', phase: 'Available' });
    assert.deepEqual(volumeAction(pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c' } }), undefined), { kind: 'phase', phase: 'Available' });
    assert.deepEqual(volumeAction(bound, claim), { kind: 'phase', phase: 'Bound' });
    assert.deepEqual(volumeAction(bound, undefined), { kind: 'release' });
    assert.deepEqual(volumeAction(bound, { ...claim, metadata: { ...claim.metadata, uid: 'new' } }), { kind: 'release' });
    assert.deepEqual(volumeAction(bound, pvc('1Gi')), { kind: 'sync-claim' });
    assert.deepEqual(volumeAction(bound, pvc('1Gi', { volumeName: 'other' })), { kind: 'unbind' });
    const dyn = { ...bound, metadata: { name: 'a', annotations: { 'pv.kubernetes.io/provisioned-by': 'x' } }, spec: { ...bound.spec, persistentVolumeReclaimPolicy: 'Delete' } };
    assert.deepEqual(volumeAction(dyn, pvc('1Gi', { volumeName: 'other' })), { kind: 'release' });
  });
  test('unbindVolume drops a controller link, keeps a user pre-binding without its uid', () => {
    const ctl = unbindVolume({ ...pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'u' } }), metadata: { name: 'a', annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } } });
    assert.equal(ctl.spec?.claimRef, undefined);
    assert.equal(ctl.metadata?.annotations?.['pv.kubernetes.io/bound-by-controller'], undefined);
    const user = unbindVolume(pv('a', '1Gi', { claimRef: { namespace: 'ns', name: 'c', uid: 'u' } }));
    assert.deepEqual(user.spec?.claimRef, { namespace: 'ns', name: 'c' });
  });
});

describe('pods waiting on a claim (findNonScheduledPodsByPVC)', async () => {
  const { delayBindingEvent, nonScheduledPodsUsing, podClaimNames } = await import('./pods.js');
  const pod = (name: string, claimName: string, nodeName?: string, phase?: string) => ({
    metadata: { name },
    spec: { containers: [], ...(nodeName ? { nodeName } : {}), volumes: [{ name: 'd', persistentVolumeClaim: { claimName } }] },
    ...(phase ? { status: { phase } } : {}),
  });
  test('unscheduled, unfinished pods using the claim, sorted', () => {
    const pods = [pod('b', 'c'), pod('a', 'c'), pod('x', 'other'), pod('s', 'c', 'n1'), pod('f', 'c', undefined, 'Failed')];
    assert.deepEqual(nonScheduledPodsUsing(pvc('1Gi'), pods), ['a', 'b']);
    assert.deepEqual(podClaimNames({ metadata: { name: 'p' }, spec: { containers: [], volumes: [{ name: 'scratch', ephemeral: {} }] } }), ['p-scratch']);
  });
  test('the event names them', () => {
    assert.deepEqual(delayBindingEvent([]), { reason: 'WaitForFirstConsumer', message: 'waiting for first consumer to be created before binding' });
    assert.deepEqual(delayBindingEvent(['a']), { reason: 'WaitForPodScheduled', message: 'waiting for pod a to be scheduled' });
    assert.deepEqual(delayBindingEvent(['a', 'b']), { reason: 'WaitForPodScheduled', message: 'waiting for pods a,b to be scheduled' });
  });
});
