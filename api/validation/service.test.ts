import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, createCauses, lines, merge, set, updateCauses } from './testing.js';

const svc: KObject = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'web', namespace: 'default' },
  spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
};

describe('Service create', () => {
  test('valid', () => assert.deepEqual(createCauses('Service', svc), []));
  test('headless without ports is valid', () => assert.deepEqual(createCauses('Service', set(svc, 'spec.ports', undefined) && merge(set(svc, 'spec.ports', []), { spec: { clusterIP: 'None' } })), []));
  test('ExternalName needs no ports', () => assert.deepEqual(createCauses('Service', { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName', externalName: 'example.com.' } }), []));
  const table: [string, KObject, string, string][] = [
    ['name is a DNS-1035 label', merge(svc, { metadata: { name: '1web' } }), 'metadata.name', 'Invalid value: "1web": a DNS-1035 label must consist of'],
    ['ports required', set(svc, 'spec.ports', []), 'spec.ports', 'Required value'],
    ['port range', set(svc, 'spec.ports', [{ port: 0 }]), 'spec.ports[0].port', 'Invalid value: 0: must be between 1 and 65535, inclusive'],
    ['protocol', set(svc, 'spec.ports', [{ port: 80, protocol: 'ICMP' }]), 'spec.ports[0].protocol', 'Unsupported value: "ICMP": supported values: "SCTP", "TCP", "UDP"'],
    ['named targetPort', set(svc, 'spec.ports', [{ port: 80, targetPort: 'Not_Valid' }]), 'spec.ports[0].targetPort', 'Invalid value: "Not_Valid": must contain only alpha-numeric characters'],
    ['names required with >1 port', set(svc, 'spec.ports', [{ port: 80 }, { port: 81, name: 'b' }]), 'spec.ports[0].name', 'Required value'],
    ['unique port names', set(svc, 'spec.ports', [{ port: 80, name: 'a' }, { port: 81, name: 'a' }]), 'spec.ports[1].name', 'Duplicate value: "a"'],
    ['duplicate port/protocol', set(svc, 'spec.ports', [{ port: 80, name: 'a' }, { port: 80, name: 'b' }]), 'spec.ports[1]', 'Duplicate value:'],
    ['type enum', merge(svc, { spec: { type: 'Magic' } }), 'spec.type', 'Unsupported value: "Magic": supported values: "ClusterIP", "ExternalName", "LoadBalancer", "NodePort"'],
    ['nodePort on ClusterIP', set(svc, 'spec.ports', [{ port: 80, nodePort: 30080 }]), 'spec.ports[0].nodePort', "Forbidden: may not be used when `type` is 'ClusterIP'"],
    ['nodePort range', merge(set(svc, 'spec.ports', [{ port: 80, nodePort: 70000 }]), { spec: { type: 'NodePort' } }), 'spec.ports[0].nodePort', 'Invalid value: 70000'],
    ['externalName required', { metadata: { name: 'ext', namespace: 'default' }, spec: { type: 'ExternalName' } }, 'spec.externalName', 'Required value'],
    ['bad clusterIP', merge(svc, { spec: { clusterIP: '10.0.0.300' } }), 'spec.clusterIPs[0]', 'Invalid value: "10.0.0.300": must be a valid IP address'],
    ['headless NodePort', merge(svc, { spec: { type: 'NodePort', clusterIP: 'None' } }), 'spec.clusterIPs[0]', "Invalid value: \"None\": may not be set to 'None' for NodePort services"],
    ['session affinity', merge(svc, { spec: { sessionAffinity: 'Sticky' } }), 'spec.sessionAffinity', 'Unsupported value: "Sticky": supported values: "ClientIP", "None"'],
  ];
  for (const [name, obj, fieldPath, prefix] of table) test(name, () => assertCause(createCauses('Service', obj), fieldPath, prefix));
});

describe('Service update', () => {
  const old = merge(svc, { metadata: { uid: 'u' }, spec: { clusterIP: '10.96.0.10', clusterIPs: ['10.96.0.10'] } });
  test('clusterIP is immutable once set', () => {
    assert.deepEqual(lines(updateCauses('Service', merge(old, { spec: { clusterIP: '10.96.0.11', clusterIPs: ['10.96.0.11'] } }), old)), [
      'spec.clusterIPs[0]: Invalid value: []string{"10.96.0.11"}: may not change once set',
    ]);
  });
  test('omitting clusterIP keeps the allocated one', () => {
    assert.deepEqual(updateCauses('Service', merge(old, { spec: { clusterIP: undefined, clusterIPs: undefined, ports: [{ port: 81 }] } }), old), []);
  });
  test('switching to ExternalName releases the IP', () => {
    assert.deepEqual(updateCauses('Service', { ...old, spec: { type: 'ExternalName', externalName: 'example.com' } }, old), []);
  });
});

describe('Endpoints and EndpointSlice', () => {
  test('endpoints addresses are IPs', () => {
    const ep = { metadata: { name: 'web', namespace: 'default' }, subsets: [{ addresses: [{ ip: 'pod-a' }], ports: [{ port: 80 }] }] };
    assertCause(createCauses('Endpoints', ep), 'subsets[0].addresses[0].ip', 'Invalid value: "pod-a": must be a valid IP address');
  });
  test('slice needs addressType and addresses', () => {
    const slice = { metadata: { name: 'web-abc', namespace: 'default' }, endpoints: [{ addresses: [] }], ports: [{ port: 80, name: 'http' }] };
    const causes = createCauses('EndpointSlice', slice);
    assertCause(causes, 'addressType', 'Required value');
    assertCause(causes, 'endpoints[0].addresses', 'Required value: must contain at least 1 address');
    assert.deepEqual(createCauses('EndpointSlice', { ...slice, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.5'] }] }), []);
  });
});
