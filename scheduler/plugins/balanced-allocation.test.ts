import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { BalancedAllocation, balancedScore } from './balanced-allocation.js';

test('BalancedAllocation: (1 - std of the cpu/memory fractions) × 100', () => {
  const cases = [
    { pairs: [[2, 4], [4, 8]] as const, want: 100 },
    { pairs: [[4, 4], [0, 8]] as const, want: 50 },
    { pairs: [[3, 4], [2, 8]] as const, want: 75 },
    { pairs: [[8, 4], [0, 8]] as const, want: 50 },
    { pairs: [[1, 0], [2, 8]] as const, want: 100 },
  ];
  for (const c of cases) assert.equal(balancedScore(c.pairs), c.want, JSON.stringify(c.pairs));
});

test('BalancedAllocation scores nodes with the pod placed, and skips best-effort pods', () => {
  const plugin = new BalancedAllocation();
  const pod = makePod({ cpu: '1', memory: '1Gi' });
  const balanced = nodeInfo({ name: 'b', cpu: '4', memory: '4Gi' }, [makePod({ cpu: '1', memory: '1Gi' })]);
  const skewed = nodeInfo({ name: 's', cpu: '4', memory: '4Gi' }, [makePod({ cpu: '3' })]);
  assert.equal(plugin.score(new CycleState(), pod, balanced), 100);
  assert.equal(plugin.score(new CycleState(), pod, skewed), 62);
  assert.equal(plugin.preScore(new CycleState(), makePod())?.code, Code.Skip);
  assert.equal(plugin.preScore(new CycleState(), pod), undefined);
});
