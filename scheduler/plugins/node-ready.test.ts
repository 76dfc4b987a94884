import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { NodeReady } from './node-ready.js';

test('NodeReady: a not-Ready node counts as tainted not-ready/unreachable, unless tolerated or already tainted', () => {
  const plugin = new NodeReady();
  const cases = [
    { name: 'ready', ready: 'True' as const, tolerations: [], want: undefined },
    { name: 'not ready', ready: 'False' as const, tolerations: [], want: 'node(s) had untolerated taint {node.kubernetes.io/not-ready: }' },
    { name: 'unknown', ready: 'Unknown' as const, tolerations: [], want: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }' },
    { name: 'no condition yet', ready: 'missing' as const, tolerations: [], want: 'node(s) had untolerated taint {node.kubernetes.io/unreachable: }' },
    { name: 'tolerated', ready: 'False' as const, tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists' as const }], want: undefined },
  ];
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), makePod({ spec: { tolerations: c.tolerations } }), nodeInfo({ name: 'n', ready: c.ready }));
    assert.equal(s?.reasons[0], c.want, c.name);
  }
  // Already tainted by the node lifecycle controller: TaintToleration reports it, not us.
  const tainted = nodeInfo({ name: 'n', ready: 'False', taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] });
  assert.equal(plugin.filter(new CycleState(), makePod(), tainted), undefined);
});
