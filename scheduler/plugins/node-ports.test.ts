import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CycleState, Code } from '../framework/interface.js';
import { makePod, nodeInfo } from '../testing/fixtures.js';
import { NodePorts, ERR_REASON } from './node-ports.js';

const withPort = (hostPort: number, hostIP?: string, protocol?: string) =>
  makePod({ spec: { containers: [{ name: 'c', image: 'x', ports: [{ containerPort: 80, hostPort, ...(hostIP ? { hostIP } : {}), ...(protocol ? { protocol } : {}) }] }] } });

test('NodePorts: same protocol/port clashes unless both bind different specific IPs', () => {
  const cases = [
    { name: 'free', existing: [], pod: withPort(8080), fits: true },
    { name: 'same port', existing: [withPort(8080)], pod: withPort(8080), fits: false },
    { name: 'other port', existing: [withPort(8081)], pod: withPort(8080), fits: true },
    { name: 'other protocol', existing: [withPort(53, undefined, 'UDP')], pod: withPort(53), fits: true },
    { name: 'different specific IPs', existing: [withPort(8080, '10.0.0.1')], pod: withPort(8080, '10.0.0.2'), fits: true },
    { name: '0.0.0.0 vs specific', existing: [withPort(8080, '10.0.0.1')], pod: withPort(8080), fits: false },
    { name: 'specific vs 0.0.0.0', existing: [withPort(8080)], pod: withPort(8080, '10.0.0.1'), fits: false },
  ];
  const plugin = new NodePorts();
  for (const c of cases) {
    const s = plugin.filter(new CycleState(), c.pod, nodeInfo({ name: 'n' }, c.existing));
    assert.equal(s === undefined, c.fits, c.name);
    if (!c.fits) assert.deepEqual([s?.code, s?.reasons[0]], [Code.Unschedulable, ERR_REASON], c.name);
  }
  assert.equal(plugin.preFilter(new CycleState(), makePod())?.status?.code, Code.Skip);
});

test('NodePorts: a removed pod frees its port', () => {
  const a = withPort(8080);
  const n = nodeInfo({ name: 'n' }, [a]);
  n.removePod(a.uid);
  assert.equal(new NodePorts().filter(new CycleState(), withPort(8080), n), undefined);
});
