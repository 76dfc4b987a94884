import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { NodeName, ERR_REASON } from './node-name.js';

test('NodeName: a pod naming a node fits only that node', () => {
  const plugin = new NodeName();
  const cases = [
    { nodeName: undefined, node: 'a', want: undefined },
    { nodeName: 'a', node: 'a', want: undefined },
    { nodeName: 'a', node: 'b', want: ERR_REASON },
  ];
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod({ spec: c.nodeName ? { nodeName: c.nodeName } : {} }), nodeInfo({ name: c.node }));
    assert.equal(s?.reasons[0], c.want, `${c.nodeName} on ${c.node}`);
  }
});
