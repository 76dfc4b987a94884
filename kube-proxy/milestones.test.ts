// The EndpointsProgrammed tracker alone: one report per (Service, endpoint set), none for the
// start-up sync or an unchanged set, a new one when the set changes, endpoints counted by address.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Service } from 'kubernetes-types/core/v1';
import { EndpointsProgrammedTracker, programmedMessage } from './milestones.js';
import type { ServicePort } from './service-ports.js';

const svc = (name: string, uid: string): Service => ({ metadata: { name, namespace: 'default', uid, resourceVersion: '5' }, spec: {} });

function port(service: string, portName: string, ips: string[], targetPort = 8080): ServicePort {
  return {
    name: `default/${service}:${portName}`, namespace: 'default', service, portName, protocol: 'TCP', clusterIP: '10.96.0.9', port: 80, nodePort: 0,
    loadBalancerIPs: [], externalIPs: [], isLoadBalancer: false, affinitySeconds: 0, externalLocal: false,
    endpoints: ips.map((ip) => ({ ip, port: targetPort, nodeName: 'n1' })),
  };
}

test('reports a Service once per endpoint set, counting addresses across its ports', () => {
  const t = new EndpointsProgrammedTracker();
  const web = svc('web', 'u-web');
  const first = t.synced([port('web', 'http', ['10.0.0.1', '10.0.0.2']), port('web', 'metrics', ['10.0.0.1', '10.0.0.2'], 9090)], [web]);
  assert.deepEqual(first, [{ service: { kind: 'Service', apiVersion: 'v1', name: 'web', namespace: 'default', uid: 'u-web', resourceVersion: '5' }, endpoints: 2 }]);
  assert.deepEqual(t.synced([port('web', 'http', ['10.0.0.2', '10.0.0.1']), port('web', 'metrics', ['10.0.0.1', '10.0.0.2'], 9090)], [web]), [], 'the same set, in another order');
  const grown = t.synced([port('web', 'http', ['10.0.0.1', '10.0.0.2', '10.0.0.3'])], [web]);
  assert.equal(grown.length, 1);
  assert.equal(grown[0]!.endpoints, 3);
});

test('the start-up sync seeds; Services without endpoints and vanished ones report nothing', () => {
  const t = new EndpointsProgrammedTracker();
  const [a, b] = [svc('a', 'u-a'), svc('b', 'u-b')];
  assert.deepEqual(t.synced([port('a', 'http', ['10.0.0.1'])], [a, b], true), []);
  assert.deepEqual(t.synced([port('a', 'http', ['10.0.0.1']), port('b', 'http', [])], [a, b]), []);
  // a leaves the sync (deleted): when it comes back with the same set, that is news again.
  assert.deepEqual(t.synced([], [b]), []);
  assert.equal(t.synced([port('a', 'http', ['10.0.0.1'])], [a, b]).length, 1);
});

test('the message names the mode, the count and the node', () => {
  assert.equal(programmedMessage('iptables', 3, 'node-1'), 'iptables rules for 3 endpoints programmed on node-1');
  assert.equal(programmedMessage('userspace', 1, 'node-2'), 'userspace rules for 1 endpoint programmed on node-2');
});
