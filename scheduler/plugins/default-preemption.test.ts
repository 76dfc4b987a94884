import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code, type Handle } from '../framework/interface.js';
import { Framework } from '../framework/runtime.js';
import { DEFAULT_PROFILE } from '../profile.js';
import { clusterOf, makePod } from '../testing/fixtures.js';
import { IN_TREE_REGISTRY } from './registry.js';
import { DefaultPreemption } from './default-preemption.js';
import type { PodInfo } from '../framework/types.js';

function setup(nodes: Parameters<typeof clusterOf>[0]) {
  const { cache } = clusterOf(nodes);
  const evicted: string[] = [];
  const handle: Handle = { nodes: cache, evictPod: async (v: PodInfo) => void evicted.push(v.key) };
  const fwk = new Framework(DEFAULT_PROFILE, IN_TREE_REGISTRY, handle);
  handle.runFilters = (s, p, n) => fwk.runFilter(s, p, n);
  return { cache, fwk, evicted, plugin: new DefaultPreemption(handle) };
}

test('DefaultPreemption explains why preemption cannot help', () => {
  const { cache, fwk, plugin } = setup([
    { node: { name: 'tainted', taints: [{ key: 'k', effect: 'NoSchedule' }] } },
    { node: { name: 'full', cpu: '1' }, pods: [makePod({ cpu: '1' })] },
  ]);
  const pod = makePod({ cpu: '1' });
  const state = new CycleState();
  const statuses = new Map(cache.list().map((n) => [n.name, fwk.runFilter(state, pod, n)!]));
  const r = plugin.postFilter(state, pod, statuses, cache.list());
  assert.equal(r.status.code, Code.Unschedulable);
  assert.equal(r.status.reasons[0], 'preemption: 0/2 nodes are available: 1 No preemption victims found for incoming pod, 1 Preemption is not helpful for scheduling.');
  assert.equal(r.nominatedNodeName, undefined);
});

test('DefaultPreemption evicts the fewest lower-priority pods and nominates their node', () => {
  const low = makePod({ name: 'low', cpu: '500m', priority: 1 });
  const lower = makePod({ name: 'lower', cpu: '500m', priority: 0 });
  const high = makePod({ name: 'high', cpu: '500m', priority: 100 });
  const { cache, fwk, plugin, evicted } = setup([
    { node: { name: 'n1', cpu: '1' }, pods: [low, lower] },
    { node: { name: 'n2', cpu: '1' }, pods: [high, makePod({ cpu: '500m', priority: 100 })] },
  ]);
  const pod = makePod({ name: 'urgent', cpu: '500m', priority: 10 });
  const state = new CycleState();
  const statuses = new Map(cache.list().map((n) => [n.name, fwk.runFilter(state, pod, n)!]));
  const r = plugin.postFilter(state, pod, statuses, cache.list());
  assert.equal(r.nominatedNodeName, 'n1');
  // Evicting only the lowest-priority pod frees enough: the other is reprieved.
  assert.deepEqual(evicted, ['default/lower']);
  const never = makePod({ cpu: '500m', priority: 10, spec: { preemptionPolicy: 'Never' } });
  assert.equal(plugin.postFilter(state, never, statuses, cache.list()).status.reasons[0], 'preemption: not eligible due to preemptionPolicy=Never.');
});
