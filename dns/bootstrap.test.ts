// The kube-dns objects and the Endpoints merge, as pure functions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { kubeDnsEndpointSlice, kubeDnsService, subsetsWithAddress } from './bootstrap.js';

test('the kube-dns Service: selector-less, 10.96.0.10, dns/UDP and dns-tcp/TCP on 53 to the real port', () => {
  const svc = kubeDnsService({ clusterIP: '10.96.0.10', port: 5353 });
  assert.equal(svc.metadata?.namespace, 'kube-system');
  assert.equal(svc.metadata?.name, 'kube-dns');
  assert.equal(svc.metadata?.labels?.['k8s-app'], 'kube-dns');
  assert.equal(svc.metadata?.labels?.['kubernetes.io/cluster-service'], 'true');
  assert.equal(svc.spec?.clusterIP, '10.96.0.10');
  assert.equal(svc.spec?.selector, undefined);
  assert.deepEqual(svc.spec?.ports, [
    { name: 'dns', port: 53, protocol: 'UDP', targetPort: 5353 },
    { name: 'dns-tcp', port: 53, protocol: 'TCP', targetPort: 5353 },
  ]);
});

test('our EndpointSlice: named by address, tied to kube-dns, not managed by the EndpointSlice controller', () => {
  const slice = kubeDnsEndpointSlice({ clusterIP: '10.96.0.10', address: '172.18.0.1', port: 5353, nodeName: 'n1' }, true);
  assert.equal(slice.metadata?.name, 'kube-dns-172-18-0-1');
  assert.equal(slice.metadata?.labels?.['kubernetes.io/service-name'], 'kube-dns');
  assert.equal(slice.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'tskube-dns');
  assert.equal(slice.addressType, 'IPv4');
  assert.deepEqual(slice.endpoints, [{ addresses: ['172.18.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1' }]);
  assert.deepEqual(slice.ports, [
    { name: 'dns', port: 5353, protocol: 'UDP' },
    { name: 'dns-tcp', port: 5353, protocol: 'TCP' },
  ]);
});

test('subsetsWithAddress files our address, keeps other servers, and moves it to notReady on shutdown', () => {
  const ports = [
    { name: 'dns', port: 53, protocol: 'UDP' },
    { name: 'dns-tcp', port: 53, protocol: 'TCP' },
  ];
  const first = subsetsWithAddress([], '10.0.0.1', 53, true);
  assert.deepEqual(first, [{ addresses: [{ ip: '10.0.0.1' }], ports }]);
  const both = subsetsWithAddress(first, '10.0.0.2', 53, true);
  assert.deepEqual(both, [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ports }]);
  assert.deepEqual(subsetsWithAddress(both, '10.0.0.1', 53, true), [{ addresses: [{ ip: '10.0.0.2' }, { ip: '10.0.0.1' }], ports }]);
  assert.deepEqual(subsetsWithAddress(both, '10.0.0.2', 53, false), [{ addresses: [{ ip: '10.0.0.1' }], notReadyAddresses: [{ ip: '10.0.0.2' }], ports }]);
  // A server on another port gets its own subset; ours leaves the old one, which disappears when empty.
  const moved = subsetsWithAddress(first, '10.0.0.1', 5353, true);
  assert.deepEqual(moved, [{ addresses: [{ ip: '10.0.0.1' }], ports: ports.map((p) => ({ ...p, port: 5353 })) }]);
});
