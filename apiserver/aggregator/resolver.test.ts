import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { resolveService, type ResolveInput } from './resolver.js';

const ref = { namespace: 'kube-system', name: 'metrics-server', port: 443 };
const service: Service = { metadata: { name: 'metrics-server', namespace: 'kube-system' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'https', port: 443, targetPort: 4443 }] } };
const endpoints: Endpoints = { metadata: { name: 'metrics-server' }, subsets: [{ addresses: [{ ip: '10.244.1.5' }], notReadyAddresses: [{ ip: '10.244.1.6' }], ports: [{ name: 'https', port: 4443 }] }] };
const input = (o: Partial<ResolveInput>): ResolveInput => ({ ref, service, endpoints, slices: [], routing: true, pick: () => 0, ...o });

describe('resolveService', () => {
  test('with aggregator routing: a ready endpoint address on the Service port\'s target', () => {
    assert.deepEqual(resolveService(input({})), { host: '10.244.1.5', port: 4443 });
  });

  test('without: the ClusterIP and the Service port (kube-proxy does the rest)', () => {
    assert.deepEqual(resolveService(input({ routing: false })), { host: '10.96.0.20', port: 443 });
  });

  test('EndpointSlices when there are no Endpoints; not-ready endpoints are skipped', () => {
    const slice: EndpointSlice = {
      addressType: 'IPv4',
      metadata: { name: 'metrics-server-abc', labels: { 'kubernetes.io/service-name': 'metrics-server' } },
      endpoints: [{ addresses: ['10.244.2.1'], conditions: { ready: false } }, { addresses: ['10.244.2.2'], conditions: { ready: true } }],
      ports: [{ name: 'https', port: 4443 }],
    };
    assert.deepEqual(resolveService(input({ endpoints: undefined, slices: [slice] })), { host: '10.244.2.2', port: 4443 });
  });

  test('the failures carry the availability controller\'s reasons', () => {
    assert.deepEqual(resolveService(input({ service: undefined })), { reason: 'ServiceNotFound', message: 'service/metrics-server in "kube-system" is not present' });
    assert.deepEqual(resolveService(input({ ref: { ...ref, port: 8443 } })), { reason: 'ServicePortError', message: 'service/metrics-server in "kube-system" is not listening on port 8443' });
    assert.deepEqual(resolveService(input({ endpoints: undefined })), { reason: 'EndpointsNotFound', message: 'cannot find endpoints for service/metrics-server in "kube-system"' });
    assert.deepEqual(resolveService(input({ endpoints: { subsets: [{ notReadyAddresses: [{ ip: '10.0.0.1' }], ports: [{ name: 'https', port: 4443 }] }] } })), {
      reason: 'MissingEndpoints',
      message: 'endpoints for service/metrics-server in "kube-system" have no addresses with port name "https"',
    });
  });
});
