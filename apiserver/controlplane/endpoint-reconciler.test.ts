import { test } from 'node:test';
import assert from 'node:assert/strict';
import { desiredEndpoints, desiredSlices } from './endpoint-reconciler.js';
import { masterKey, parseLease } from './master-leases.js';
import { readyzText } from '../server/routes.js';

test('apiservers on one port: upstream\'s shape, one subset and one slice, addresses sorted', () => {
  const masters = [{ ip: '10.0.0.2', port: 6443 }, { ip: '10.0.0.10', port: 6443 }, { ip: '10.0.0.1', port: 6443 }];
  assert.deepEqual(desiredEndpoints(masters).subsets, [
    { addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.10' }], ports: [{ name: 'https', port: 6443, protocol: 'TCP' }] },
  ]);
  const slices = desiredSlices(masters);
  assert.equal(slices.length, 1);
  assert.equal(slices[0]!.metadata?.name, 'kubernetes');
  assert.deepEqual(slices[0]!.metadata?.labels, { 'kubernetes.io/service-name': 'kubernetes' });
  assert.deepEqual((slices[0]!.endpoints as { addresses: string[] }[]).map((e) => e.addresses[0]), ['10.0.0.1', '10.0.0.2', '10.0.0.10']);
  assert.equal(slices[0]!.addressType, 'IPv4');
});

test('apiservers on one IP with different ports: a subset and a slice per port, `kubernetes` for the lowest', () => {
  const masters = [{ ip: '127.0.0.1', port: 6442 }, { ip: '127.0.0.1', port: 6441 }];
  assert.deepEqual(desiredEndpoints(masters).subsets, [
    { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6441, protocol: 'TCP' }] },
    { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 6442, protocol: 'TCP' }] },
  ]);
  const slices = desiredSlices(masters);
  assert.deepEqual(slices.map((s) => [s.metadata?.name, (s.ports as { port: number }[])[0]!.port]), [['kubernetes', 6441], ['kubernetes-6442', 6442]]);
  for (const s of slices) assert.equal(s.metadata?.labels?.['kubernetes.io/service-name'], 'kubernetes');
});

test('lease keys carry the port; values that hold no master are ignored', () => {
  assert.equal(masterKey({ ip: '127.0.0.1', port: 6441 }), '127.0.0.1:6441');
  assert.equal(masterKey({ ip: 'fd00::1', port: 6441 }), '[fd00::1]:6441');
  const value = Buffer.from(JSON.stringify({ kind: 'Endpoints', subsets: [{ addresses: [{ ip: '127.0.0.1' }], ports: [{ port: 6442 }] }] }));
  assert.deepEqual(parseLease(value), { ip: '127.0.0.1', port: 6442 });
  assert.equal(parseLease(Buffer.from('not json')), undefined);
  assert.equal(parseLease(Buffer.from('{"subsets":[]}')), undefined);
});

test('readyz text: "ok" when all pass, k8s check lines with the reason withheld otherwise', () => {
  assert.deepEqual(readyzText([{ name: 'ping' }, { name: 'etcd' }], false), { ok: true, text: 'ok' });
  assert.deepEqual(readyzText([{ name: 'ping' }, { name: 'etcd' }], true), { ok: true, text: '[+]ping ok\n[+]etcd ok\nreadyz check passed' });
  assert.deepEqual(readyzText([{ name: 'ping' }, { name: 'etcd', error: 'context deadline exceeded' }], false), {
    ok: false,
    text: '[+]ping ok\n[-]etcd failed: reason withheld\nreadyz check failed',
  });
});
