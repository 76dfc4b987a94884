import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { NodeUnschedulable, ERR_REASON_UNSCHEDULABLE } from './node-unschedulable.js';

test('NodeUnschedulable: cordoned nodes reject pods unless they tolerate the unschedulable taint', () => {
  const tolerates = [{ key: 'node.kubernetes.io/unschedulable', operator: 'Exists' as const, effect: 'NoSchedule' }];
  const cases = [
    { name: 'schedulable node', unschedulable: false, tolerations: [], want: undefined },
    { name: 'cordoned node', unschedulable: true, tolerations: [], want: ERR_REASON_UNSCHEDULABLE },
    { name: 'cordoned, tolerated', unschedulable: true, tolerations: tolerates, want: undefined },
    { name: 'cordoned, tolerate-everything', unschedulable: true, tolerations: [{ operator: 'Exists' as const }], want: undefined },
    { name: 'cordoned, wrong effect', unschedulable: true, tolerations: [{ ...tolerates[0]!, effect: 'NoExecute' }], want: ERR_REASON_UNSCHEDULABLE },
  ];
  const plugin = new NodeUnschedulable();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod({ spec: { tolerations: c.tolerations } }), nodeInfo({ name: 'n', unschedulable: c.unschedulable }));
    assert.equal(s?.reasons[0], c.want, c.name);
    if (c.want) assert.equal(s?.code, Code.UnschedulableAndUnresolvable, c.name);
  }
});
