import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { CycleState, type Handle } from '../framework/interface.js';
import { Framework } from '../framework/runtime.js';
import { DEFAULT_PROFILE } from '../profile.js';
import { clusterOf, makePod } from '../testing/fixtures.js';
import { IN_TREE_REGISTRY } from './registry.js';
import { DefaultPreemption } from './default-preemption.js';
import { filterPodsWithPDBViolation } from './pdb-violation.js';
import type { PodInfo } from '../framework/types.js';

function pdb(allowed: number, matchLabels: Record<string, string>, extra: Partial<NonNullable<PodDisruptionBudget['status']>> = {}, namespace = 'default'): PodDisruptionBudget {
  return {
    metadata: { name: 'pdb', namespace },
    spec: { selector: { matchLabels } },
    status: { disruptionsAllowed: allowed, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0, ...extra },
  };
}

const names = (ps: PodInfo[]): string[] => ps.map((p) => p.pod.metadata?.name ?? '');

test('filterPodsWithPDBViolation counts each PDB allowance down, in victim order', () => {
  const a = makePod({ name: 'a', labels: { app: 'db' } });
  const b = makePod({ name: 'b', labels: { app: 'db' } });
  const c = makePod({ name: 'c', labels: { app: 'web' } });
  const r = filterPodsWithPDBViolation([a, b, c], [pdb(1, { app: 'db' })]);
  assert.deepEqual([names(r.violating), names(r.nonViolating)], [['b'], ['a', 'c']]);
  // Already disrupted pods, other namespaces and empty selectors cost nothing.
  assert.deepEqual(names(filterPodsWithPDBViolation([a, b], [pdb(0, { app: 'db' }, { disruptedPods: { a: '2026-01-01T00:00:00Z', b: '2026-01-01T00:00:00Z' } })]).violating), []);
  assert.deepEqual(names(filterPodsWithPDBViolation([a], [pdb(0, { app: 'db' }, {}, 'other')]).violating), []);
  assert.deepEqual(names(filterPodsWithPDBViolation([a], [pdb(0, {})]).violating), []);
});

function setup(nodes: Parameters<typeof clusterOf>[0], pdbs: PodDisruptionBudget[]) {
  const { cache } = clusterOf(nodes);
  const evicted: string[] = [];
  const handle: Handle = { nodes: cache, evictPod: async (v: PodInfo) => void evicted.push(v.key), pdbs: () => pdbs };
  const fwk = new Framework(DEFAULT_PROFILE, IN_TREE_REGISTRY, handle);
  handle.runFilters = (s, p, n) => fwk.runFilter(s, p, n);
  return { cache, fwk, evicted, plugin: new DefaultPreemption(handle) };
}

test('DefaultPreemption prefers a node without PDB violations, even with higher-priority victims', () => {
  const { cache, fwk, plugin, evicted } = setup(
    [
      { node: { name: 'n1', cpu: '1' }, pods: [makePod({ name: 'guarded', cpu: '1', priority: 0, labels: { app: 'db' } })] },
      { node: { name: 'n2', cpu: '1' }, pods: [makePod({ name: 'free', cpu: '1', priority: 5 })] },
    ],
    [pdb(0, { app: 'db' })],
  );
  const pod = makePod({ name: 'urgent', cpu: '1', priority: 10 });
  const state = new CycleState();
  const statuses = new Map(cache.list().map((n) => [n.name, fwk.runFilter(state, pod, n)!]));
  const r = plugin.postFilter(state, pod, statuses, cache.list());
  assert.equal(r.nominatedNodeName, 'n2');
  assert.deepEqual(evicted, ['default/free']);
});

test('DefaultPreemption reprieves PDB-protected pods first on a node, and evicts them when nothing else helps', () => {
  const guarded = makePod({ name: 'guarded', cpu: '500m', priority: 0, labels: { app: 'db' } });
  const free = makePod({ name: 'free', cpu: '500m', priority: 1 });
  const { cache, fwk, plugin, evicted } = setup([{ node: { name: 'n1', cpu: '1' }, pods: [guarded, free] }], [pdb(0, { app: 'db' })]);
  const state = new CycleState();
  const half = makePod({ name: 'half', cpu: '500m', priority: 10 });
  const statuses = new Map(cache.list().map((n) => [n.name, fwk.runFilter(state, half, n)!]));
  assert.equal(plugin.postFilter(state, half, statuses, cache.list()).nominatedNodeName, 'n1');
  // Without the PDB the lowest-priority pod (guarded) would go; with it, free goes instead.
  assert.deepEqual(evicted, ['default/free']);
  const whole = makePod({ name: 'whole', cpu: '1', priority: 10 });
  const st2 = new Map(cache.list().map((n) => [n.name, fwk.runFilter(state, whole, n)!]));
  assert.equal(plugin.postFilter(state, whole, st2, cache.list()).nominatedNodeName, 'n1');
  assert.deepEqual(evicted.slice(1).sort(), ['default/free', 'default/guarded']);
});
