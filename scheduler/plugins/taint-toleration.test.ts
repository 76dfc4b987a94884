import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Taint, Toleration } from 'kubernetes-types/core/v1';
import { CycleState } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { TaintToleration } from './taint-toleration.js';

test('TaintToleration filter: NoSchedule/NoExecute taints need a toleration; PreferNoSchedule never filters', () => {
  const gpu: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
  const cases: Array<{ name: string; taints: Taint[]; tolerations: Toleration[]; want?: string }> = [
    { name: 'no taints', taints: [], tolerations: [] },
    { name: 'untolerated NoSchedule', taints: [gpu], tolerations: [], want: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'Equal toleration', taints: [gpu], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] },
    { name: 'Equal, other value', taints: [gpu], tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'cpu' }], want: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'Exists on the key', taints: [gpu], tolerations: [{ key: 'dedicated', operator: 'Exists' }] },
    { name: 'Exists without key tolerates all', taints: [gpu], tolerations: [{ operator: 'Exists' }] },
    { name: 'wrong effect', taints: [gpu], tolerations: [{ key: 'dedicated', operator: 'Exists', effect: 'NoExecute' }], want: 'node(s) had untolerated taint {dedicated: gpu}' },
    { name: 'NoExecute taint', taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }], tolerations: [], want: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }' },
    { name: 'PreferNoSchedule only', taints: [{ key: 'soft', effect: 'PreferNoSchedule' }], tolerations: [] },
  ];
  const plugin = new TaintToleration();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod({ spec: { tolerations: c.tolerations } }), nodeInfo({ name: 'n', taints: c.taints }));
    assert.equal(s?.reasons[0], c.want, c.name);
  }
});

test('TaintToleration score: fewer untolerated PreferNoSchedule taints is better (reversed normalization)', () => {
  const soft = (key: string): Taint => ({ key, effect: 'PreferNoSchedule' });
  const nodes = [nodeInfo({ name: 'clean' }), nodeInfo({ name: 'one', taints: [soft('a')] }), nodeInfo({ name: 'two', taints: [soft('a'), soft('b')] }), nodeInfo({ name: 'tolerated', taints: [soft('t')] })];
  const pod = makePod({ spec: { tolerations: [{ key: 't', operator: 'Exists', effect: 'PreferNoSchedule' }] } });
  const plugin = new TaintToleration();
  const state = new CycleState();
  plugin.preScore(state, pod);
  const scores = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [0, 1, 2, 0]);
  plugin.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 50, 0, 100]);
});
