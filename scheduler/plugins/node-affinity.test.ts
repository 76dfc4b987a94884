import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { NodeSelectorRequirement } from 'kubernetes-types/core/v1';
import { CycleState } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { NodeAffinity, ERR_REASON_POD } from './node-affinity.js';

const required = (...exprs: NodeSelectorRequirement[]) => ({
  affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: exprs }] } } },
});

test('NodeAffinity filter: nodeSelector and required terms with every operator', () => {
  const node = { name: 'n1', labels: { zone: 'a', gen: '5', ssd: 'true' } };
  const cases: Array<{ name: string; spec: object; fits: boolean }> = [
    { name: 'no constraints', spec: {}, fits: true },
    { name: 'nodeSelector match', spec: { nodeSelector: { zone: 'a' } }, fits: true },
    { name: 'nodeSelector mismatch', spec: { nodeSelector: { zone: 'b' } }, fits: false },
    { name: 'nodeSelector missing label', spec: { nodeSelector: { gpu: 'yes' } }, fits: false },
    { name: 'In', spec: required({ key: 'zone', operator: 'In', values: ['a', 'b'] }), fits: true },
    { name: 'In mismatch', spec: required({ key: 'zone', operator: 'In', values: ['c'] }), fits: false },
    { name: 'NotIn', spec: required({ key: 'zone', operator: 'NotIn', values: ['b'] }), fits: true },
    { name: 'NotIn on a missing label', spec: required({ key: 'rack', operator: 'NotIn', values: ['r1'] }), fits: true },
    { name: 'NotIn mismatch', spec: required({ key: 'zone', operator: 'NotIn', values: ['a'] }), fits: false },
    { name: 'Exists', spec: required({ key: 'ssd', operator: 'Exists' }), fits: true },
    { name: 'DoesNotExist', spec: required({ key: 'ssd', operator: 'DoesNotExist' }), fits: false },
    { name: 'Gt', spec: required({ key: 'gen', operator: 'Gt', values: ['4'] }), fits: true },
    { name: 'Gt equal', spec: required({ key: 'gen', operator: 'Gt', values: ['5'] }), fits: false },
    { name: 'Lt', spec: required({ key: 'gen', operator: 'Lt', values: ['6'] }), fits: true },
    { name: 'Gt on a non-integer label', spec: required({ key: 'zone', operator: 'Gt', values: ['1'] }), fits: false },
    { name: 'expressions are ANDed', spec: required({ key: 'zone', operator: 'In', values: ['a'] }, { key: 'gen', operator: 'Lt', values: ['3'] }), fits: false },
    {
      name: 'terms are ORed',
      spec: {
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['x'] }] }, { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }],
            },
          },
        },
      },
      fits: true,
    },
    { name: 'empty term matches nothing', spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{}] } } } }, fits: false },
    {
      name: 'matchFields metadata.name',
      spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } } },
      fits: true,
    },
    { name: 'selector and affinity both apply', spec: { nodeSelector: { zone: 'b' }, ...required({ key: 'ssd', operator: 'Exists' }) }, fits: false },
  ];
  const plugin = new NodeAffinity();
  for (const c of cases) {
    const state = new CycleState();
    const pod = makePod({ spec: c.spec });
    plugin.preFilter(state, pod);
    const s = plugin.filter(state, pod, nodeInfo(node));
    assert.equal(s === undefined, c.fits, c.name);
    if (!c.fits) assert.equal(s?.reasons[0], ERR_REASON_POD, c.name);
  }
});

test('NodeAffinity PreFilter narrows to the nodes named by metadata.name matchFields', () => {
  const pod = makePod({
    spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['a', 'b'] }] }] } } } },
  });
  const r = new NodeAffinity().preFilter(new CycleState(), pod);
  assert.deepEqual([...(r?.nodeNames ?? [])], ['a', 'b']);
});

test('NodeAffinity score: sum of matching preferred weights, normalized to 100', () => {
  const pod = makePod({
    spec: {
      affinity: {
        nodeAffinity: {
          preferredDuringSchedulingIgnoredDuringExecution: [
            { weight: 80, preference: { matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] } },
            { weight: 20, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } },
          ],
        },
      },
    },
  });
  const nodes = [nodeInfo({ name: 'both', labels: { zone: 'a', ssd: '1' } }), nodeInfo({ name: 'zone', labels: { zone: 'a' } }), nodeInfo({ name: 'ssd', labels: { ssd: '1' } }), nodeInfo({ name: 'none' })];
  const plugin = new NodeAffinity();
  const state = new CycleState();
  assert.equal(plugin.preScore(state, pod), undefined);
  const scores = nodes.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) }));
  assert.deepEqual(scores.map((s) => s.score), [100, 80, 20, 0]);
  plugin.normalizeScore(state, pod, scores);
  assert.deepEqual(scores.map((s) => s.score), [100, 80, 20, 0]);
  assert.equal(plugin.preScore(new CycleState(), makePod())?.code, 4 /* Skip */);
});
