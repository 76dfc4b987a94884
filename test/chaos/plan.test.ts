import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAULTS, makePlan, parseFaults } from './plan.js';
import { seededRng } from './prng.js';
import { deriveSingleTopology, type Topology } from './topology.js';

const single = deriveSingleTopology('/nonexistent', {});
const ha: Topology = {
  ...single,
  mode: 'ha',
  etcd: [1, 2, 3].map((i) => ({ name: `etcd-${i}`, clientURL: `http://127.0.0.1:${2379 + i}` })),
  apiservers: [1, 2].map((i) => ({ name: `apiserver-${i}`, url: `https://127.0.0.1:${6440 + i}` })),
  kubelets: [1, 2].map((i) => ({ name: `kubelet-node-${i}`, node: `node-${i}`, gid: 64000 + i })),
};

test('one seed gives one plan; another seed another order', () => {
  const a = makePlan(7, 2, [...FAULTS], ha, seededRng(7));
  const b = makePlan(7, 2, [...FAULTS], ha, seededRng(7));
  assert.deepEqual(a, b);
  assert.equal(a.steps.length, 2 * FAULTS.length);
  const c = makePlan(8, 2, [...FAULTS], ha, seededRng(8));
  assert.notDeepEqual(a.steps.map((s) => s.fault), c.steps.map((s) => s.fault));
  // Every round runs every fault once.
  for (const r of [1, 2]) assert.deepEqual(a.steps.filter((s) => s.round === r).map((s) => s.fault).sort(), [...FAULTS].sort());
});

test('quorum loss kills a majority of the etcd members; faults a topology lacks are n/a', () => {
  const p = makePlan(3, 1, ['etcd-quorum-loss', 'etcd-member-kill', 'kubelet-partition'], ha, seededRng(3));
  assert.equal(p.steps.find((s) => s.fault === 'etcd-quorum-loss')!.targets.length, 2);
  assert.deepEqual(p.notApplicable, []);
  const s = makePlan(3, 1, ['etcd-quorum-loss', 'etcd-member-kill', 'kubelet-partition'], single, seededRng(3));
  assert.deepEqual(s.steps.map((x) => [x.fault, x.targets]), [['etcd-quorum-loss', ['etcd']]]);
  assert.deepEqual(s.notApplicable.map((n) => n.fault).sort(), ['etcd-member-kill', 'kubelet-partition']);
});

test('fault lists are checked', () => {
  assert.deepEqual(parseFaults('all'), [...FAULTS]);
  assert.deepEqual(parseFaults('kubelet-kill, apiserver-kill'), ['kubelet-kill', 'apiserver-kill']);
  assert.throws(() => parseFaults('kubelet-kill,reboot'), /unknown fault reboot/);
});

test('the generator is uniform enough to shuffle', () => {
  const rng = seededRng(42);
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 4000; i++) counts[rng.int(4)]!++;
  for (const c of counts) assert.ok(c > 800 && c < 1200, String(counts));
});
