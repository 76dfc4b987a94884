import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import { CycleState, Code } from '../framework/interface.js';
import { clusterOf, makePod } from '../testing/fixtures.js';
import { PodTopologySpread, ERR_REASON_CONSTRAINTS_NOT_MATCH, ERR_REASON_NODE_LABEL_NOT_MATCH } from './pod-topology-spread.js';

const web = (n: number, extra: object = {}) => Array.from({ length: n }, () => makePod({ labels: { app: 'web' }, ...extra }));
const zoneConstraint = (when: 'DoNotSchedule' | 'ScheduleAnyway', maxSkew = 1): TopologySpreadConstraint => ({
  maxSkew,
  topologyKey: 'topology.kubernetes.io/zone',
  whenUnsatisfiable: when,
  labelSelector: { matchLabels: { app: 'web' } },
});

test('PodTopologySpread filter: placing the pod must keep each zone within maxSkew of the emptiest', () => {
  // zone a: 2 web pods (over 2 nodes), zone b: 0, node c has no zone label.
  const { handle, cache } = clusterOf([
    { node: { name: 'a1', labels: { 'topology.kubernetes.io/zone': 'a' } }, pods: web(1) },
    { node: { name: 'a2', labels: { 'topology.kubernetes.io/zone': 'a' } }, pods: web(1) },
    { node: { name: 'b1', labels: { 'topology.kubernetes.io/zone': 'b' } } },
    { node: { name: 'c1' } },
  ]);
  const plugin = new PodTopologySpread(handle);
  const pod = makePod({ labels: { app: 'web' }, spec: { topologySpreadConstraints: [zoneConstraint('DoNotSchedule')] } });
  const state = new CycleState();
  assert.equal(plugin.preFilter(state, pod, cache.list()), undefined);
  const result = (name: string) => plugin.filter(state, pod, cache.get(name)!);
  assert.deepEqual([result('a1')?.code, result('a1')?.reasons[0]], [Code.Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH]);
  assert.equal(result('b1'), undefined);
  assert.deepEqual([result('c1')?.code, result('c1')?.reasons[0]], [Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL_NOT_MATCH]);
  // maxSkew 2 lets zone a take one more (2 + 1 - 0 = 3 > 2 still fails; with maxSkew 3 it fits).
  const loose = makePod({ labels: { app: 'web' }, spec: { topologySpreadConstraints: [zoneConstraint('DoNotSchedule', 3)] } });
  const s2 = new CycleState();
  plugin.preFilter(s2, loose, cache.list());
  assert.equal(plugin.filter(s2, loose, cache.get('a1')!), undefined);
  // Pods of other apps do not count.
  assert.equal(plugin.preFilter(new CycleState(), makePod({ labels: { app: 'db' } }), cache.list())?.status?.code, Code.Skip);
});

test('PodTopologySpread filter honours the pod node affinity when counting domains', () => {
  const { handle, cache } = clusterOf([
    { node: { name: 'a1', labels: { 'topology.kubernetes.io/zone': 'a', pool: 'x' } }, pods: web(1) },
    { node: { name: 'b1', labels: { 'topology.kubernetes.io/zone': 'b', pool: 'y' } } },
  ]);
  const plugin = new PodTopologySpread(handle);
  // Only pool x is eligible, so zone b is not a domain and the min is zone a's own count.
  const pod = makePod({ labels: { app: 'web' }, spec: { nodeSelector: { pool: 'x' }, topologySpreadConstraints: [zoneConstraint('DoNotSchedule')] } });
  const state = new CycleState();
  plugin.preFilter(state, pod, cache.list());
  assert.equal(plugin.filter(state, pod, cache.get('a1')!), undefined);
});

test('PodTopologySpread score: fewer matching pods in the domain scores higher', () => {
  const { handle, cache } = clusterOf([
    { node: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'a' } }, pods: web(3) },
    { node: { name: 'n2', labels: { 'topology.kubernetes.io/zone': 'a' } }, pods: web(1) },
    { node: { name: 'n3', labels: { 'topology.kubernetes.io/zone': 'b' } } },
  ]);
  const plugin = new PodTopologySpread(handle);
  const pod = makePod({ labels: { app: 'web' }, spec: { topologySpreadConstraints: [zoneConstraint('ScheduleAnyway')] } });
  const state = new CycleState();
  assert.equal(plugin.preScore(state, pod, cache.list()), undefined);
  const scores = cache.list().map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
  // zone a has 4 matching pods, weight ln(2+2); zone b none.
  assert.deepEqual(scores.map((s) => s.score), [Math.round(4 * Math.log(4)), Math.round(4 * Math.log(4)), 0]);
  plugin.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [0, 0, 100]);
});

test('PodTopologySpread default constraints spread the pods of one owner across nodes', () => {
  const owner = 'rs-uid';
  const { handle, cache } = clusterOf([
    { node: { name: 'n1' }, pods: web(2, { owner }) },
    { node: { name: 'n2' }, pods: web(1, { owner }) },
    { node: { name: 'n3' }, pods: web(5) },
  ]);
  const plugin = new PodTopologySpread(handle);
  const pod = makePod({ labels: { app: 'web' }, owner });
  const state = new CycleState();
  assert.equal(plugin.preScore(state, pod, cache.list()), undefined);
  const scores = cache.list().map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
  plugin.normalizeScore(state, pod, scores);
  const [n1, n2, n3] = scores.map((s) => s.score);
  assert.ok(n3! > n2! && n2! > n1!, `n3 (no pods of the owner) > n2 (1) > n1 (2): ${scores.map((s) => s.score)}`);
  // No owner, no constraints: nothing to spread.
  assert.equal(plugin.preScore(new CycleState(), makePod(), cache.list())?.code, Code.Skip);
});

test('the selector counts stay current as pods come and go (memoised in the cache)', () => {
  const { handle, cache } = clusterOf([
    { node: { name: 'a1', labels: { 'topology.kubernetes.io/zone': 'a' } } },
    { node: { name: 'b1', labels: { 'topology.kubernetes.io/zone': 'b' } } },
  ]);
  const plugin = new PodTopologySpread(handle);
  const pod = makePod({ labels: { app: 'web' }, spec: { topologySpreadConstraints: [zoneConstraint('DoNotSchedule')] } });
  const check = (node: string) => {
    const s = new CycleState();
    plugin.preFilter(s, pod, cache.list());
    return plugin.filter(s, pod, cache.get(node)!) === undefined;
  };
  assert.equal(check('a1'), true);
  const placed = makePod({ labels: { app: 'web' } });
  cache.assumePod(placed, 'a1');
  assert.equal(check('a1'), false);
  assert.equal(check('b1'), true);
  cache.forgetPod(placed.uid);
  assert.equal(check('a1'), true);
});
