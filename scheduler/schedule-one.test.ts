import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fitErrorMessage } from './framework/fit-error.js';
import { Code, newStatus } from './framework/interface.js';
import { Framework } from './framework/runtime.js';
import { IN_TREE_REGISTRY } from './plugins/registry.js';
import { DEFAULT_PROFILE } from './profile.js';
import { numFeasibleNodesToFind, schedulePod, selectHost, ERR_NO_NODES_AVAILABLE } from './schedule-one.js';
import { clusterOf, makePod, type NodeSpec } from './testing/fixtures.js';

function framework(nodes: Array<{ node: NodeSpec; pods?: ReturnType<typeof makePod>[] }>, percentage = 0) {
  const { cache, handle } = clusterOf(nodes);
  const fwk = new Framework({ ...DEFAULT_PROFILE, percentageOfNodesToScore: percentage }, IN_TREE_REGISTRY, handle);
  handle.runFilters = (s, p, n) => fwk.runFilter(s, p, n);
  return { cache, fwk };
}

test('numFeasibleNodesToFind: all below 100 nodes, adaptive 50% − n/125 (≥ 5%), never under 100', () => {
  const cases: Array<[number, number, number]> = [
    [0, 50, 50],
    [0, 100, 100],
    [0, 1000, 420],
    [0, 5000, 500],
    [0, 6000, 300],
    [0, 200, 100],
    [10, 5000, 500],
    [100, 3000, 3000],
  ];
  for (const [pct, n, want] of cases) assert.equal(numFeasibleNodesToFind(pct, n), want, `${pct}% of ${n}`);
});

test('fit error message: "<count> <reason>" sorted as strings, then the PostFilter part', () => {
  const statuses = new Map([
    ['a', newStatus(Code.Unschedulable, 'Insufficient cpu')],
    ['b', newStatus(Code.Unschedulable, 'Insufficient cpu', 'Insufficient memory')],
    ['c', newStatus(Code.UnschedulableAndUnresolvable, 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }')],
  ]);
  assert.equal(
    fitErrorMessage(3, { statuses, postFilterMsg: 'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.' }),
    '0/3 nodes are available: 1 Insufficient memory, 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. ' +
      'preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.',
  );
  assert.equal(fitErrorMessage(2, { statuses: new Map(), preFilterMsg: 'something is missing' }), '0/2 nodes are available: something is missing.');
});

test('schedulePod: no nodes at all', () => {
  const { fwk } = framework([]);
  const out = schedulePod({ fwk, pod: makePod(), nodes: [], startIndex: 0 });
  assert.equal(out.kind, 'unschedulable');
  assert.equal(out.kind === 'unschedulable' && out.message, ERR_NO_NODES_AVAILABLE);
});

test('schedulePod: filters, then the best-scoring node; unfit pods get the full diagnosis', () => {
  const busy = [makePod({ cpu: '3' })];
  const { cache, fwk } = framework([
    { node: { name: 'busy', cpu: '4' }, pods: busy },
    { node: { name: 'free', cpu: '4' } },
    { node: { name: 'tainted', cpu: '8', taints: [{ key: 'k', effect: 'NoSchedule' }] } },
  ]);
  const out = schedulePod({ fwk, pod: makePod({ cpu: '500m' }), nodes: cache.list(), startIndex: 0 });
  assert.equal(out.kind === 'scheduled' && out.nodeName, 'free');
  const big = schedulePod({ fwk, pod: makePod({ cpu: '5' }), nodes: cache.list(), startIndex: 1 });
  assert.equal(big.kind, 'unschedulable');
  if (big.kind !== 'unschedulable') return;
  assert.equal(
    big.message,
    '0/3 nodes are available: 1 node(s) had untolerated taint {k: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.',
  );
  assert.deepEqual([...big.rejectedBy].sort(), ['NodeResourcesFit', 'TaintToleration']);
});

test('schedulePod: stops after enough feasible nodes and rotates where the next search starts', () => {
  const nodes = Array.from({ length: 200 }, (_, i) => ({ node: { name: `n${i}` } }));
  const { cache, fwk } = framework(nodes);
  const out = schedulePod({ fwk, pod: makePod(), nodes: cache.list(), startIndex: 150 });
  assert.equal(out.kind, 'scheduled');
  if (out.kind !== 'scheduled') return;
  assert.equal(out.feasibleNodes, 100);
  assert.equal(out.evaluatedNodes, 100);
  assert.equal(out.nextStartIndex, 50);
});

test('selectHost: highest total wins; ties are broken at random', () => {
  assert.equal(selectHost([{ name: 'a', score: 1 }, { name: 'b', score: 3 }, { name: 'c', score: 2 }], () => 0.99), 'b');
  const ties = [{ name: 'a', score: 5 }, { name: 'b', score: 5 }];
  assert.equal(selectHost(ties, () => 0), 'b');
  assert.equal(selectHost(ties, () => 0.99), 'a');
});
