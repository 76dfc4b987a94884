import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Code, CycleState } from '../framework/interface.js';
import { newPodInfo } from '../framework/types.js';
import { nodeInfo } from '../testing/fixtures.js';
import { claim, listers, podWith, volume } from '../testing/volumes.js';
import { VolumeBinding } from './volume-binding.js';

const plugin = () =>
  new VolumeBinding({
    listers: listers(
      [claim('bound', { volumeName: 'pv1' }), claim('imm', { className: 'standard' }), claim('wffc', { className: 'local' }), claim('gone', { deleting: true })],
      [volume('pv1', { node: 'n1', phase: 'Bound' }), volume('free', { node: 'n2' })],
    ),
  });

test('VolumeBinding PreFilter: upstream messages and codes', () => {
  const p = plugin();
  const pre = (...claims: string[]) => p.preFilter(new CycleState(), newPodInfo(podWith(...claims)));
  assert.deepEqual(pre()?.status?.code, Code.Skip, 'a pod without claims skips the plugin');
  assert.deepEqual(pre('x')?.status, { code: Code.UnschedulableAndUnresolvable, reasons: ['persistentvolumeclaim "x" not found'] });
  assert.deepEqual(pre('gone')?.status, { code: Code.UnschedulableAndUnresolvable, reasons: ['persistentvolumeclaim "gone" is being deleted'] });
  assert.deepEqual(pre('imm')?.status, { code: Code.UnschedulableAndUnresolvable, reasons: ['pod has unbound immediate PersistentVolumeClaims'] });
  assert.equal(pre('bound', 'wffc'), undefined);
});

test('VolumeBinding Filter and Reserve: node affinity conflict; a reserved static PV is not offered twice', () => {
  const p = plugin();
  const s = new CycleState();
  const pod = newPodInfo(podWith('bound'));
  p.preFilter(s, pod);
  assert.equal(p.filter(s, pod, nodeInfo({ name: 'n1' })), undefined);
  assert.deepEqual(p.filter(s, pod, nodeInfo({ name: 'n2' })), { code: Code.UnschedulableAndUnresolvable, reasons: ['node(s) had volume node affinity conflict'] });

  // Two pods' WaitForFirstConsumer claims, one static PV on n2: the first reserves it.
  const v = new VolumeBinding({ listers: listers([claim('wffc', { className: 'local' }), claim('wffc2', { className: 'local' })], [volume('free', { node: 'n2' })]) });
  const a = newPodInfo(podWith('wffc'));
  const sa = new CycleState();
  v.preFilter(sa, a);
  assert.equal(v.filter(sa, a, nodeInfo({ name: 'n2' })), undefined);
  assert.equal(v.reserve(sa, a, 'n2'), undefined);
  const b = newPodInfo({ ...podWith('wffc2'), metadata: { name: 'q', namespace: 'ns' } });
  const sb = new CycleState();
  v.preFilter(sb, b);
  assert.deepEqual(v.filter(sb, b, nodeInfo({ name: 'n2' })), { code: Code.UnschedulableAndUnresolvable, reasons: ["node(s) didn't find available persistent volumes to bind"] });
  v.unreserve(sa);
  const sc = new CycleState();
  v.preFilter(sc, b);
  assert.equal(v.filter(sc, b, nodeInfo({ name: 'n2' })), undefined, 'unreserved: the PV is free again');
});
