import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PersistentVolumeClaim, Pod } from 'kubernetes-types/core/v1';
import {
  ANN_BIND_COMPLETED,
  ANN_SELECTED_NODE,
  ERR_REASON_BIND_CONFLICT,
  ERR_REASON_NODE_CONFLICT,
  ERR_REASON_PV_NOT_EXIST,
  findPodVolumes,
  getPodVolumeClaims,
  isClaimError,
  type PodVolumeClaims,
  type VolumeListers,
} from './binder.js';
import { checkBindings, waitForBindings } from './wait.js';
import { claim, listers, podWith, volume } from '../../testing/volumes.js';

const node = (name: string) => ({ name, labels: { 'kubernetes.io/hostname': name } });

function claimsOf(pod: Pod, l: VolumeListers): PodVolumeClaims {
  const c = getPodVolumeClaims(pod, l);
  assert.ok(!isClaimError(c), JSON.stringify(c));
  return c;
}

test('getPodVolumeClaims: missing, deleting, bound, WaitForFirstConsumer, Immediate and missing classes', () => {
  const l = listers([claim('bound', { volumeName: 'pv1' }), claim('wffc', { className: 'local' }), claim('imm', { className: 'standard' }), claim('none', { className: '' }), claim('gone', { deleting: true }), claim('nosc', { className: 'nope' })], []);
  assert.deepEqual(getPodVolumeClaims(podWith('missing'), l), { unresolvable: true, message: 'persistentvolumeclaim "missing" not found' });
  assert.deepEqual(getPodVolumeClaims(podWith('gone'), l), { unresolvable: true, message: 'persistentvolumeclaim "gone" is being deleted' });
  assert.deepEqual(getPodVolumeClaims(podWith('nosc'), l), { unresolvable: false, message: 'storageclass.storage.k8s.io "nope" not found' });
  const c = claimsOf(podWith('bound', 'wffc', 'imm', 'none'), l);
  assert.deepEqual(c.bound.map((x) => x.metadata?.name), ['bound']);
  assert.deepEqual(c.unboundDelayBinding.map((x) => x.metadata?.name), ['wffc']);
  assert.deepEqual(c.unboundImmediate.map((x) => x.metadata?.name), ['imm', 'none']);
});

test('findPodVolumes: a bound volume admits only the nodes of its affinity; a missing PV fits nowhere', () => {
  const l = listers([claim('c', { volumeName: 'pv1' }), claim('d', { volumeName: 'ghost' })], [volume('pv1', { node: 'n1', phase: 'Bound' })]);
  assert.deepEqual(findPodVolumes(claimsOf(podWith('c'), l), node('n1'), l).reasons, []);
  assert.deepEqual(findPodVolumes(claimsOf(podWith('c'), l), node('n2'), l).reasons, [ERR_REASON_NODE_CONFLICT]);
  assert.deepEqual(findPodVolumes(claimsOf(podWith('d'), l), node('n1'), l).reasons, [ERR_REASON_PV_NOT_EXIST]);
});

test('findPodVolumes: static matching picks the smallest fitting Available PV on the node', () => {
  const pvs = [volume('big', { node: 'n1', size: '10Gi' }), volume('small', { node: 'n1', size: '2Gi' }), volume('tiny', { node: 'n1', size: '1Mi' }), volume('bound', { node: 'n1', size: '2Gi', phase: 'Bound', claimRef: { name: 'x', uid: 'x' } }), volume('other', { node: 'n2', size: '2Gi' })];
  const l = listers([claim('c', { className: 'local', size: '1Gi' })], pvs);
  const r = findPodVolumes(claimsOf(podWith('c'), l), node('n1'), l);
  assert.deepEqual(r.reasons, []);
  assert.deepEqual(r.podVolumes.staticBindings.map((b) => b.pv.metadata?.name), ['small']);
  assert.deepEqual(findPodVolumes(claimsOf(podWith('c'), l), node('n3'), l).reasons, [ERR_REASON_BIND_CONFLICT], 'no-provisioner class and no PV on n3');
  assert.deepEqual(findPodVolumes(claimsOf(podWith('c'), l), node('n1'), l, (pv) => pv.metadata?.name === 'small').podVolumes.staticBindings.map((b) => b.pv.metadata?.name), ['big'], 'a PV promised to another claim is skipped');
});

test('findPodVolumes: dynamic provisioning fits any node; a selected node pins the claim', () => {
  const l = listers([claim('c', { className: 'local-path' }), claim('s', { className: 'local-path', annotations: { [ANN_SELECTED_NODE]: 'n2' } })], []);
  const r = findPodVolumes(claimsOf(podWith('c'), l), node('n1'), l);
  assert.deepEqual(r.reasons, []);
  assert.deepEqual(r.podVolumes.dynamicProvisions.map((c) => c.metadata?.name), ['c']);
  assert.deepEqual(findPodVolumes(claimsOf(podWith('s'), l), node('n1'), l).reasons, [ERR_REASON_BIND_CONFLICT]);
  assert.deepEqual(findPodVolumes(claimsOf(podWith('s'), l), node('n2'), l).podVolumes.dynamicProvisions.length, 1);
});

test('checkBindings: waits for bind-completed, fails when a binding is reset', () => {
  const pending = claim('c', { className: 'local-path', annotations: { [ANN_SELECTED_NODE]: 'n1' } });
  const pv = volume('pv1', { node: 'n1', phase: 'Bound', claimRef: { name: 'c', uid: 'uid-c' } });
  const input = (c: PersistentVolumeClaim) => ({ claims: [pending], podVolumes: { staticBindings: [], dynamicProvisions: [pending] }, node: node('n1'), listers: listers([c], [pv]) });
  assert.equal(checkBindings(input(pending)), false);
  const bound = claim('c', { className: 'local-path', volumeName: 'pv1', annotations: { [ANN_SELECTED_NODE]: 'n1', [ANN_BIND_COMPLETED]: 'yes' } });
  assert.equal(checkBindings(input(bound)), true);
  assert.throws(() => checkBindings(input(claim('c', { className: 'local-path' }))), /selectedNode annotation reset for PVC "c"/);
  assert.throws(() => checkBindings({ ...input(bound), node: node('n2') }), /node affinity doesn't match node "n2"/);
});

test('waitForBindings: gives up after the bind timeout, or at once when the scheduler stops', async () => {
  const pending = claim('c', { className: 'local-path', annotations: { [ANN_SELECTED_NODE]: 'n1' } });
  const base = { claims: [pending], podVolumes: { staticBindings: [], dynamicProvisions: [pending] }, node: node('n1'), listers: listers([pending], []), pollIntervalMs: 5 };
  await assert.rejects(waitForBindings({ ...base, timeoutMs: 30 }), /timed out waiting for the condition/);
  const stop = new AbortController();
  stop.abort();
  await assert.rejects(waitForBindings({ ...base, timeoutMs: 60_000, signal: stop.signal }), /scheduler stopped/);
});
