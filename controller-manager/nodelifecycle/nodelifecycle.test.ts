// Node lifecycle's pure core: health timing, taints from conditions, toleration arithmetic.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TAINT_NODE_NOT_READY as TAINT_NOT_READY, TAINT_NODE_UNREACHABLE as TAINT_UNREACHABLE, toleratesTaint as tolerates } from '../../api/scheduling/taints.js';
import type { Node, Pod, Taint } from 'kubernetes-types/core/v1';
import { conditionsAfterGrace, fullyDisruptedZones, managedTaints, observeHealth, reconcileTaints } from './health.js';
import { effectiveTolerations, evictionDelaySeconds } from './taint-eviction.js';

function node(ready: string | undefined, extra: Partial<NonNullable<Node['spec']>> = {}): Node {
  return {
    metadata: { name: 'n1', creationTimestamp: '2024-01-01T00:00:00Z' },
    spec: { ...extra },
    status: { conditions: ready ? [{ type: 'Ready', status: ready, lastHeartbeatTime: '2024-01-01T00:00:10Z', reason: 'KubeletReady' }] : [] },
  };
}

describe('node health', () => {
  test('the probe time moves only when the kubelet posts status or renews its lease', () => {
    const n = node('True');
    const h0 = observeHealth(undefined, n, undefined, 1000);
    assert.equal(h0.probeTimestamp, 1000);
    assert.equal(observeHealth(h0, n, undefined, 5000), h0);
    const lease = { spec: { renewTime: '2024-01-01T00:00:20.000000Z' } };
    const h1 = observeHealth(h0, n, lease, 6000);
    assert.equal(h1.probeTimestamp, 6000);
    assert.equal(observeHealth(h1, n, lease, 9000).probeTimestamp, 6000);
    const posted = { ...n, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: '2024-01-01T00:00:30Z' }] } };
    assert.equal(observeHealth(h1, posted, lease, 9500).probeTimestamp, 9500);
  });

  test('after the grace period Ready and the pressure conditions become Unknown, once', () => {
    const n = node('True');
    const h = observeHealth(undefined, n, undefined, 0);
    assert.equal(conditionsAfterGrace(n, h, 40_000, 40_000, 60_000), undefined);
    const c = conditionsAfterGrace(n, h, 40_001, 40_000, 60_000)!;
    const ready = c.find((x) => x.type === 'Ready')!;
    assert.deepEqual([ready.status, ready.reason, ready.message, ready.lastHeartbeatTime], ['Unknown', 'NodeStatusUnknown', 'Kubelet stopped posting node status.', '2024-01-01T00:00:10Z']);
    assert.deepEqual(c.map((x) => x.type).sort(), ['DiskPressure', 'MemoryPressure', 'PIDPressure', 'Ready']);
    assert.equal(c.find((x) => x.type === 'MemoryPressure')?.reason, 'NodeStatusNeverUpdated');
    assert.equal(conditionsAfterGrace({ ...n, status: { conditions: c } }, h, 50_000, 40_000, 60_000), undefined);
  });

  test('a node that never posted status gets the startup grace period', () => {
    const n = node(undefined);
    const h = observeHealth(undefined, n, undefined, 0);
    assert.equal(conditionsAfterGrace(n, h, 50_000, 40_000, 60_000), undefined);
    assert.equal(conditionsAfterGrace(n, h, 60_001, 40_000, 60_000)?.find((x) => x.type === 'Ready')?.message, 'Kubelet never posted node status.');
  });
});

describe('node taints', () => {
  test('Ready condition → not-ready / unreachable, NoSchedule and NoExecute; cordon → unschedulable; pressure → its NoSchedule taint', () => {
    const keys = (t: Taint[]) => t.map((x) => `${x.key}:${x.effect}`).sort();
    assert.deepEqual(keys(managedTaints(node('True'))), []);
    assert.deepEqual(keys(managedTaints(node('False'))), [`${TAINT_NOT_READY}:NoExecute`, `${TAINT_NOT_READY}:NoSchedule`]);
    assert.deepEqual(keys(managedTaints(node('Unknown'))), [`${TAINT_UNREACHABLE}:NoExecute`, `${TAINT_UNREACHABLE}:NoSchedule`]);
    assert.deepEqual(keys(managedTaints(node('True', { unschedulable: true }))), ['node.kubernetes.io/unschedulable:NoSchedule']);
    // TaintNodesByCondition: the kubelet's pressure conditions (True only) map to NoSchedule taints.
    const pressured = node('True');
    pressured.status!.conditions!.push(
      { type: 'MemoryPressure', status: 'True' },
      { type: 'DiskPressure', status: 'True' },
      { type: 'PIDPressure', status: 'False' },
    );
    assert.deepEqual(keys(managedTaints(pressured)), ['node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule']);
    const relieved = reconcileTaints(managedTaints(pressured), managedTaints(node('True')), 'later');
    assert.deepEqual(relieved, [], 'removed when the conditions clear');
  });

  test('user taints are kept, managed ones added with timeAdded (NoExecute) and removed when the condition clears', () => {
    const user: Taint = { key: 'dedicated', value: 'gpu', effect: 'NoSchedule' };
    const added = reconcileTaints([user], managedTaints(node('Unknown')), '2024-01-01T00:01:00Z')!;
    assert.deepEqual(added, [
      user,
      { key: TAINT_UNREACHABLE, effect: 'NoSchedule' },
      { key: TAINT_UNREACHABLE, effect: 'NoExecute', timeAdded: '2024-01-01T00:01:00Z' },
    ]);
    assert.equal(reconcileTaints(added, managedTaints(node('Unknown')), 'later'), undefined, 'no change, no write; timeAdded kept');
    assert.deepEqual(reconcileTaints(added, managedTaints(node('True')), 'later'), [user]);
  });
});

describe('disruption', () => {
  test('a zone with no Ready node is fully disrupted; all zones so → NoExecute taints are lifted', () => {
    const z = (n: Node, zone: string): Node => ({ ...n, metadata: { ...n.metadata, labels: { 'topology.kubernetes.io/zone': zone } } });
    assert.deepEqual(fullyDisruptedZones([z(node('True'), 'a'), z(node('Unknown'), 'b')]), { zones: new Set(['b']), all: false });
    assert.deepEqual(fullyDisruptedZones([node('Unknown'), node('False')]), { zones: new Set(['']), all: true });
    assert.deepEqual(fullyDisruptedZones([]), { zones: new Set(), all: false });
    const down = node('Unknown');
    assert.deepEqual(managedTaints(down, 'none').map((t) => t.effect), ['NoSchedule']);
    assert.deepEqual(managedTaints(down, 'hold').map((t) => t.effect), ['NoSchedule'], 'hold adds no new NoExecute taint');
    const tainted = { ...down, spec: { taints: [{ key: TAINT_UNREACHABLE, effect: 'NoExecute' }] } };
    assert.deepEqual(managedTaints(tainted, 'hold').map((t) => t.effect), ['NoSchedule', 'NoExecute'], '…but keeps one already there');
  });
});

describe('taint eviction', () => {
  const unreachable: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
  const pod = (tolerations: NonNullable<Pod['spec']>['tolerations'] = []): Pod => ({ spec: { containers: [], tolerations } });

  test('toleration matching as v1.Toleration.ToleratesTaint', () => {
    assert.equal(tolerates({ operator: 'Exists' }, unreachable), true);
    assert.equal(tolerates({ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoSchedule' }, unreachable), false);
    assert.equal(tolerates({ key: 'k', value: 'v' }, { key: 'k', value: 'v', effect: 'NoExecute' }), true);
    assert.equal(tolerates({ key: 'k', value: 'w' }, { key: 'k', value: 'v', effect: 'NoExecute' }), false);
  });

  test('default tolerations are added only when the pod has none of its own for the key', () => {
    const d = { notReadySeconds: 300, unreachableSeconds: 5 };
    assert.equal(effectiveTolerations(pod(), d).length, 2);
    assert.equal(evictionDelaySeconds([unreachable], effectiveTolerations(pod(), d)), 5);
    const own = pod([{ key: TAINT_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }]);
    assert.equal(evictionDelaySeconds([unreachable], effectiveTolerations(own, d)), 60);
    const forever = pod([{ operator: 'Exists' }]);
    assert.equal(effectiveTolerations(forever, d).length, 1, 'a wildcard toleration tolerates both');
    assert.equal(evictionDelaySeconds([unreachable], effectiveTolerations(forever, d)), undefined);
  });

  test('an untolerated NoExecute taint evicts at once; the smallest tolerationSeconds wins', () => {
    assert.equal(evictionDelaySeconds([{ key: 'x', effect: 'NoExecute' }], []), 0);
    assert.equal(evictionDelaySeconds([], []), undefined);
    const tols = [
      { key: 'a', operator: 'Exists' as const, tolerationSeconds: 30 },
      { key: 'b', operator: 'Exists' as const, tolerationSeconds: 10 },
    ];
    assert.equal(evictionDelaySeconds([{ key: 'a', effect: 'NoExecute' }, { key: 'b', effect: 'NoExecute' }], tols), 10);
    assert.equal(evictionDelaySeconds([{ key: 'a', effect: 'NoExecute' }], [{ key: 'a', operator: 'Exists', tolerationSeconds: -1 }]), 0);
  });
});
