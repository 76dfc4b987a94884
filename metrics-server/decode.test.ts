import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Node } from 'kubernetes-types/core/v1';
import { kubeletAddress, kubeletURL, parseAddressTypes, DEFAULT_ADDRESS_TYPES } from './address.js';
import { decodeSummary, mergeBatches } from './decode.js';
import { requestInfo } from './request-info.js';
import { formatDurationMs } from '../client/duration.js';

test('a summary becomes node and container points; incomplete pods are left out whole', () => {
  const b = decodeSummary('n1', {
    node: { nodeName: 'ignored', cpu: { time: '2026-01-01T00:00:02Z', usageCoreNanoSeconds: 5e9 }, memory: { time: '2026-01-01T00:00:01Z', workingSetBytes: 100 } },
    pods: [
      { podRef: { name: 'ok', namespace: 'ns' }, containers: [{ name: 'c', cpu: { time: '2026-01-01T00:00:01Z', usageCoreNanoSeconds: 7 }, memory: { time: '2026-01-01T00:00:01Z', workingSetBytes: 9 } }] },
      { podRef: { name: 'half', namespace: 'ns' }, containers: [{ name: 'c', cpu: { time: '2026-01-01T00:00:01Z', usageCoreNanoSeconds: 7 } }] },
      { podRef: { name: 'empty', namespace: 'ns' }, containers: [] },
    ],
  });
  assert.deepEqual([...b.nodes.keys()], ['n1']);
  assert.deepEqual(b.nodes.get('n1'), { timestamp: new Date('2026-01-01T00:00:01Z'), cumulativeCpuUsed: 5e9, memoryUsage: 100 });
  assert.deepEqual([...b.pods.keys()], ['ns/ok']);
  assert.equal(b.pods.get('ns/ok')?.containers.get('c')?.cumulativeCpuUsed, 7);
  const merged = mergeBatches([b, decodeSummary('n1', { node: { cpu: { time: '2026-01-01T00:00:01Z', usageCoreNanoSeconds: 1 }, memory: { time: '2026-01-01T00:00:01Z', workingSetBytes: 1 } } })]);
  assert.deepEqual(merged.duplicates, ['node n1']);
});

test('the kubelet address follows the preferred types and the node status port', () => {
  const node: Node = {
    metadata: { name: 'n1' },
    status: { addresses: [{ type: 'Hostname', address: 'n1' }, { type: 'InternalIP', address: '10.0.0.5' }], daemonEndpoints: { kubeletEndpoint: { Port: 10251 } } },
  };
  assert.deepEqual(kubeletAddress(node, DEFAULT_ADDRESS_TYPES), { host: '10.0.0.5', port: 10251 });
  assert.deepEqual(kubeletAddress(node, ['Hostname', 'InternalIP'], 10250, false), { host: 'n1', port: 10250 });
  assert.match(String(kubeletAddress(node, ['ExternalIP'])), /no address of type ExternalIP/);
  assert.equal(kubeletURL({ host: 'fd00::1', port: 1 }, '/x'), 'https://[fd00::1]:1/x');
  assert.deepEqual(parseAddressTypes('InternalIP, Hostname'), ['InternalIP', 'Hostname']);
  assert.throws(() => parseAddressTypes('Bogus'), /unknown address type Bogus/);
});

test('request info: verbs, namespaces, names, non-resource paths', () => {
  const u = (p: string) => new URL(p, 'https://x');
  assert.deepEqual(requestInfo('GET', u('/apis/metrics.k8s.io/v1beta1/nodes')), { resourceRequest: true, verb: 'list', resource: 'nodes' });
  assert.deepEqual(requestInfo('GET', u('/apis/metrics.k8s.io/v1beta1/nodes/n1')), { resourceRequest: true, verb: 'get', resource: 'nodes', name: 'n1' });
  assert.deepEqual(requestInfo('GET', u('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods?watch=True')), { resourceRequest: true, verb: 'watch', resource: 'pods', namespace: 'ns' });
  assert.deepEqual(requestInfo('GET', u('/apis/metrics.k8s.io/v1beta1/namespaces/ns/pods/p')), { resourceRequest: true, verb: 'get', resource: 'pods', namespace: 'ns', name: 'p' });
  assert.deepEqual(requestInfo('DELETE', u('/apis/metrics.k8s.io/v1beta1/pods')), { resourceRequest: true, verb: 'deletecollection', resource: 'pods' });
  assert.deepEqual(requestInfo('GET', u('/apis/metrics.k8s.io/v1beta1')), { resourceRequest: false, verb: 'get', path: '/apis/metrics.k8s.io/v1beta1' });
  assert.deepEqual(requestInfo('GET', u('/metrics')), { resourceRequest: false, verb: 'get', path: '/metrics' });
});

test('windows are Go durations', () => {
  assert.equal(formatDurationMs(15_012), '15.012s');
  assert.equal(formatDurationMs(15_000), '15s');
  assert.equal(formatDurationMs(60_500), '1m0.5s');
  assert.equal(formatDurationMs(250), '250ms');
  assert.equal(formatDurationMs(0), '0s');
  assert.equal(formatDurationMs(3_723_000), '1h2m3s');
});
