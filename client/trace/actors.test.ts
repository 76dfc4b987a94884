import assert from 'node:assert/strict';
import { test } from 'node:test';
import { actorFromAudit, actorFromEvent, clientName } from './actors.js';
import { formatDuration, stepCells } from './format.js';

test('actors from audit: people with their client, components by their names', () => {
  const a = (username: string, userAgent?: string, subject?: { kind: string; ownerKind?: string }) => actorFromAudit({ user: { username }, ...(userAgent ? { userAgent } : {}) }, subject);
  assert.equal(a('kubernetes-admin', 'kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9'), 'kubernetes-admin (kubectl)');
  assert.equal(a('kubernetes-admin', 'kubectl.1.32/v1.32.0 (linux/amd64) kubernetes/70d3cc9'), 'kubernetes-admin (kubectl)');
  assert.equal(a('alice', 'kc/v0.1.0 (linux/x64) tskube'), 'alice (kc)');
  assert.equal(a('bob', 'OpenAPI-Generator/31.0.0/python'), 'bob (OpenAPI-Generator)');
  assert.equal(a('carol'), 'carol');
  assert.equal(a('system:kube-scheduler', 'kube-scheduler/v0.1.0 tskube'), 'default-scheduler');
  assert.equal(a('system:node:node-2'), 'kubelet node-2');
  assert.equal(a('system:serviceaccount:kube-system:deployment-controller'), 'deployment-controller');
  assert.equal(a('system:kube-controller-manager', undefined, { kind: 'ReplicaSet', ownerKind: 'Deployment' }), 'deployment-controller');
  assert.equal(a('system:kube-controller-manager', undefined, { kind: 'Pod', ownerKind: 'ReplicationController' }), 'replication-controller');
  assert.equal(a('system:kube-controller-manager', undefined, { kind: 'EndpointSlice' }), 'endpointslice-controller');
  assert.equal(a('system:kube-controller-manager', undefined, { kind: 'Pod' }), 'kube-controller-manager');
  assert.equal(actorFromAudit({ user: { username: 'kubernetes-admin' }, impersonatedUser: { username: 'jane' }, userAgent: 'kubectl/v1.32.0' }), 'jane (kubectl)');
  assert.equal(clientName(''), undefined);
});

test('actors from Events: per-node components carry the node', () => {
  assert.equal(actorFromEvent({ involvedObject: {}, metadata: {}, source: { component: 'kubelet', host: 'node-1' } }), 'kubelet node-1');
  assert.equal(actorFromEvent({ involvedObject: {}, metadata: {}, source: { component: 'kube-proxy', host: 'node-2' } }), 'kube-proxy node-2');
  assert.equal(actorFromEvent({ involvedObject: {}, metadata: {}, source: { component: 'dns' } }), 'dns');
  assert.equal(actorFromEvent({ involvedObject: {}, metadata: {}, reportingComponent: 'default-scheduler', reportingInstance: 'default-scheduler' }), 'default-scheduler');
});

test('durations and table cells: unknown where the time is unknown', () => {
  assert.deepEqual([formatDuration(0), formatDuration(850), formatDuration(1204), formatDuration(123_456), formatDuration(-5)], ['0ms', '850ms', '1.204s', '2m3.5s', '-5ms']);
  assert.deepEqual(stepCells({ at: null, offsetMs: null, hopMs: null, actor: 'dns', action: 'answers x', object: 'Service/x', source: 'none' }), ['unknown', 'unknown', 'dns', 'answers x', 'Service/x']);
  assert.deepEqual(stepCells({ at: 't', offsetMs: 0, hopMs: null, actor: 'a', action: 'created', object: 'Pod/x', source: 'audit' }), ['0ms', '-', 'a', 'created', 'Pod/x']);
});
