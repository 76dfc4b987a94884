// Pure parts of service allocation: ranges and the repair plan.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { NodePortRange, ServiceIPRange } from './range.js';
import { planRepair } from './repair.js';
import { heldItems } from './plan.js';
import type { Allocation } from './etcd.js';

describe('ServiceIPRange', () => {
  test('usable addresses exclude network and broadcast; .1 and .10 are reserved', () => {
    const r = new ServiceIPRange('10.96.0.0/12');
    assert.equal(r.size, 2 ** 20 - 2);
    assert.equal(r.itemAt(0), '10.96.0.1');
    assert.equal(r.kubernetesServiceIP, '10.96.0.1');
    assert.equal(r.itemAt(r.size - 1), '10.111.255.254');
    assert.equal(r.offsetOf('10.96.0.0'), undefined);
    assert.equal(r.offsetOf('10.111.255.255'), undefined);
    assert.equal(r.offsetOf('10.112.0.1'), undefined);
    assert.deepEqual([...r.reserved].map((o) => r.itemAt(o)), ['10.96.0.1', '10.96.0.10']);
  });
  test('the CIDR is normalised; garbage is refused', () => {
    assert.equal(new ServiceIPRange('10.96.3.7/16').text, '10.96.0.0/16');
    assert.throws(() => new ServiceIPRange('10.96.0.0'), /invalid IPv4 CIDR/);
    assert.throws(() => new ServiceIPRange('10.96.0.0/31'), /too small/);
  });
});

describe('NodePortRange', () => {
  test('inclusive span', () => {
    const r = new NodePortRange('30000-32767');
    assert.equal(r.size, 2768);
    assert.equal(r.offsetOf('32767'), 2767);
    assert.equal(r.offsetOf('29999'), undefined);
    assert.equal(new NodePortRange('30001').size, 1);
    assert.throws(() => new NodePortRange('5-2'), /invalid port range/);
  });
});

describe('planRepair', () => {
  const svc = (name: string, uid: string, ip: string, nodePort?: number): KObject => ({
    metadata: { namespace: 'default', name, uid },
    spec: { type: nodePort ? 'NodePort' : 'ClusterIP', clusterIP: ip, clusterIPs: [ip], ports: [{ port: 80, ...(nodePort ? { nodePort } : {}) }] },
  });
  const alloc = (item: string, uid: string, createRevision = 5): Allocation => ({ item, owner: { namespace: 'default', name: 'x', uid }, createRevision, modRevision: createRevision });
  const ips = (s: KObject) => heldItems(s).ips;
  const inRange = () => true;

  test('an orphan is only a suspect the first time, and freed when the same key is still orphaned', () => {
    const first = planRepair([alloc('10.96.0.5', 'gone')], [], ips, inRange, new Map());
    assert.deepEqual(first.release, []);
    assert.deepEqual([...first.suspects], [['10.96.0.5', 5]]);
    const second = planRepair([alloc('10.96.0.5', 'gone')], [], ips, inRange, first.suspects);
    assert.deepEqual(second.release.map((a) => a.item), ['10.96.0.5']);
  });

  test('a re-created key (new create_revision) starts over as a suspect', () => {
    const plan = planRepair([alloc('10.96.0.5', 'gone', 9)], [], ips, inRange, new Map([['10.96.0.5', 5]]));
    assert.deepEqual(plan.release, []);
    assert.deepEqual([...plan.suspects], [['10.96.0.5', 9]]);
  });

  test('held items stay, lost ones are restored, items held by two Services are conflicts', () => {
    const plan = planRepair(
      [alloc('10.96.0.5', 'u1'), alloc('10.96.0.7', 'u3')],
      [svc('a', 'u1', '10.96.0.5'), svc('b', 'u2', '10.96.0.6'), svc('c', 'u3', '10.96.0.7'), svc('d', 'u4', '10.96.0.7')],
      ips,
      inRange,
      new Map(),
    );
    assert.deepEqual(plan.release, []);
    assert.deepEqual(plan.restore.map((r) => [r.item, r.owner.name]), [['10.96.0.6', 'b']]);
    assert.deepEqual(plan.conflicts.map((c) => c.item), ['10.96.0.7']);
  });

  test('node ports include the health-check port', () => {
    const s = svc('lb', 'u1', '10.96.0.5', 30001);
    (s.spec as Record<string, unknown>).healthCheckNodePort = 30002;
    assert.deepEqual(heldItems(s).ports, ['30001', '30002']);
  });
});
