import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../framework/interface.js';
import { newPodInfo } from '../framework/types.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { NodeResourcesFit, leastRequestedScore } from './node-resources-fit.js';

test('NodeResourcesFit filter: cpu, memory and pod count against what is left', () => {
  const used = [makePod({ cpu: '3', memory: '6Gi' })];
  const cases = [
    { name: 'fits', cpu: '1', memory: '2Gi', node: { cpu: '4', memory: '8Gi' }, want: [] },
    { name: 'cpu short', cpu: '1500m', memory: '1Gi', node: { cpu: '4', memory: '8Gi' }, want: ['Insufficient cpu'] },
    { name: 'memory short', cpu: '100m', memory: '3Gi', node: { cpu: '4', memory: '8Gi' }, want: ['Insufficient memory'] },
    { name: 'both short', cpu: '2', memory: '3Gi', node: { cpu: '4', memory: '8Gi' }, want: ['Insufficient cpu', 'Insufficient memory'] },
    { name: 'pod slots', cpu: '100m', memory: '1Mi', node: { cpu: '4', memory: '8Gi', pods: '1' }, want: ['Too many pods'] },
    { name: 'best-effort pod on a full node', cpu: undefined, memory: undefined, node: { cpu: '3', memory: '6Gi' }, want: [] },
  ];
  const plugin = new NodeResourcesFit();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod({ cpu: c.cpu, memory: c.memory }), nodeInfo({ name: 'n', ...c.node }, used));
    assert.deepEqual(s?.reasons ?? [], c.want, c.name);
    if (c.want.length) assert.equal(s?.code, Code.Unschedulable, c.name);
  }
});

test('pod requests: init containers count by their maximum, sidecars add up, limits stand in for requests, overhead adds', () => {
  const p = newPodInfo({
    metadata: { name: 'p', namespace: 'd' },
    spec: {
      initContainers: [
        { name: 'i1', image: 'x', resources: { requests: { cpu: '2' } } },
        { name: 'side', image: 'x', restartPolicy: 'Always', resources: { requests: { cpu: '500m' } } },
        { name: 'i2', image: 'x', resources: { requests: { cpu: '1' } } },
      ],
      containers: [
        { name: 'a', image: 'x', resources: { requests: { cpu: '300m', memory: '1Gi' } } },
        { name: 'b', image: 'x', resources: { limits: { cpu: '200m', memory: '512Mi' } } },
      ],
      overhead: { cpu: '100m' },
    },
  });
  // app: 500m + sidecar 500m = 1000m; init: max(2000, 500, 1000 + 500) = 2000m; + 100m overhead.
  assert.equal(p.requests.milliCPU, 2100);
  assert.equal(p.requests.memory, 1.5 * 1024 ** 3);
});

test('LeastAllocated: more room left is better, with non-zero defaults for request-less pods', () => {
  assert.equal(leastRequestedScore(1000, 4000), 75);
  assert.equal(leastRequestedScore(5000, 4000), 0);
  assert.equal(leastRequestedScore(0, 0), 0);
  const plugin = new NodeResourcesFit();
  const state = new CycleState();
  const pod = makePod({ cpu: '1', memory: '1Gi' });
  const empty = nodeInfo({ name: 'empty', cpu: '4', memory: '8Gi' });
  const busy = nodeInfo({ name: 'busy', cpu: '4', memory: '8Gi' }, [makePod({ cpu: '2', memory: '4Gi' })]);
  // empty: cpu (4000-1000)/4000 = 75, mem (8-1)/8 = 87 → 81; busy: cpu 25, mem 37 → 31.
  assert.equal(plugin.score(state, pod, empty), 81);
  assert.equal(plugin.score(state, pod, busy), 31);
  // A best-effort pod still counts as 100m / 200Mi so it is spread, not piled up.
  const be = nodeInfo({ name: 'be', cpu: '1', memory: '1Gi' }, [makePod()]);
  assert.equal(plugin.score(state, makePod(), be), Math.trunc((80 + 60) / 2));
});
