import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Node, Service } from 'kubernetes-types/core/v1';
import { desiredIngress, loadBalancerIngress, EXCLUDE_LB_LABEL } from './service-lb.js';

const node = (name: string, ip: string, ready = 'True', labels: Record<string, string> = {}): Node => ({
  metadata: { name, labels },
  status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'Hostname', address: name }, { type: 'InternalIP', address: ip }] },
});

describe('service load balancer', () => {
  test('ingress = InternalIPs of Ready nodes not excluded, sorted numerically', () => {
    const nodes = [node('c', '10.0.0.10'), node('a', '10.0.0.9'), node('b', '10.0.0.11', 'Unknown'), node('d', '10.0.0.12', 'True', { [EXCLUDE_LB_LABEL]: '' })];
    assert.deepEqual(loadBalancerIngress(nodes), [{ ip: '10.0.0.9' }, { ip: '10.0.0.10' }]);
  });
  test('only LoadBalancer services without a loadBalancerClass get ingress', () => {
    const svc = (type: string, cls?: string): Service => ({ spec: { type, ...(cls ? { loadBalancerClass: cls } : {}) } });
    const nodes = [node('a', '10.0.0.9')];
    assert.deepEqual(desiredIngress(svc('LoadBalancer'), nodes), [{ ip: '10.0.0.9' }]);
    assert.deepEqual(desiredIngress(svc('NodePort'), nodes), []);
    assert.deepEqual(desiredIngress(svc('LoadBalancer', 'example.com/lb'), nodes), []);
  });
});
