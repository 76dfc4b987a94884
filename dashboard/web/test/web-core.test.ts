// Unit tests of the dashboard's pure cores (run under Node; the views are tested in a browser
// by test/e2e/dashboard-browser.test.ts).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Pod } from 'kubernetes-types/core/v1';
import { age, fmtBytes, fmtCpu, parseQuantity } from '../format.js';
import { podReady, podRequest, podStatus } from '../pod-status.js';
import { previousTemplate } from '../rollout.js';
import { bar, spanOf } from '../waterfall.js';
import { WORKLOAD_KINDS } from '../views/workload-kinds.js';
import { parseObjects, YamlError } from '../yaml-docs.js';

test('quantities parse as Kubernetes writes them', () => {
  assert.equal(parseQuantity('250m'), 0.25);
  assert.equal(parseQuantity('2'), 2);
  assert.equal(parseQuantity('128Mi'), 128 * 2 ** 20);
  assert.equal(parseQuantity('1G'), 1e9);
  assert.equal(parseQuantity('1e3'), 1000);
  assert.ok(Number.isNaN(parseQuantity('12 apples')));
  assert.equal(fmtCpu(0.25), '250m');
  assert.equal(fmtCpu(2), '2');
  assert.equal(fmtBytes(3 * 2 ** 30), '3Gi');
  assert.equal(age('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:05:00Z')), '5m');
});

test('pod status, readiness and requests follow kubectl and the scheduler', () => {
  const pod: Pod = {
    metadata: { name: 'p' },
    spec: {
      containers: [{ name: 'a', resources: { requests: { cpu: '100m', memory: '64Mi' } } }, { name: 'b', resources: { requests: { cpu: '200m' } } }],
      initContainers: [{ name: 'i', resources: { requests: { cpu: '500m' } } }],
    },
    status: { phase: 'Pending', containerStatuses: [
      { name: 'a', ready: true, restartCount: 0, image: 'x', imageID: '', state: { running: {} } },
      { name: 'b', ready: false, restartCount: 2, image: 'x', imageID: '', state: { waiting: { reason: 'CrashLoopBackOff' } } },
    ] },
  };
  assert.equal(podStatus(pod), 'CrashLoopBackOff');
  assert.equal(podReady(pod), '1/2');
  assert.equal(podRequest(pod, 'cpu'), 0.5); // the init container's request dominates
  assert.equal(podRequest(pod, 'memory'), 64 * 2 ** 20);
  assert.equal(podStatus({ ...pod, metadata: { deletionTimestamp: '2026-01-01T00:00:00Z' } }), 'Terminating');
});

test('invalid YAML reports the parser line and column', () => {
  assert.throws(() => parseObjects('apiVersion: v1\nkind: Pod\nmetadata:\n  name: [x\n'), (e: unknown) => e instanceof YamlError && /line \d+, column \d+/.test(e.message));
  assert.throws(() => parseObjects('kind: Pod\nmetadata: {name: x}\n'), /apiVersion not set/);
  const objs = parseObjects('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\n---\napiVersion: v1\nkind: Secret\nmetadata: {name: b}\n');
  assert.deepEqual(objs.map((o) => o.kind), ['ConfigMap', 'Secret']);
});

test('rollout undo picks the newest earlier revision and drops pod-template-hash', () => {
  const dep = { metadata: { uid: 'd1', annotations: { 'deployment.kubernetes.io/revision': '3' } } };
  const rs = (rev: string, image: string, owner = 'd1') => ({
    metadata: { annotations: { 'deployment.kubernetes.io/revision': rev }, ownerReferences: [{ uid: owner, controller: true }] },
    spec: { template: { metadata: { labels: { app: 'w', 'pod-template-hash': 'h' + rev } }, spec: { image } } },
  });
  const prev = previousTemplate(dep, [rs('1', 'v1'), rs('3', 'v3'), rs('2', 'v2'), rs('5', 'other', 'd2')]);
  assert.equal(prev?.revision, 2);
  assert.deepEqual(prev?.template, { metadata: { labels: { app: 'w' } }, spec: { image: 'v2' } });
  assert.equal(previousTemplate(dep, [rs('3', 'v3')]), null);
});

test('waterfall bars span each hop; unknown steps get none', () => {
  const steps = [{ offsetMs: 0, hopMs: null }, { offsetMs: 500, hopMs: 500 }, { offsetMs: 1000, hopMs: 250 }, { offsetMs: null, hopMs: null }];
  const span = spanOf(steps);
  assert.equal(span, 1000);
  assert.deepEqual(bar(steps[1]!, span), { left: 0, width: 0.5 });
  assert.deepEqual(bar(steps[2]!, span), { left: 0.75, width: 0.25 });
  assert.equal(bar(steps[3]!, span), null);
});

test('deployment rollout progress reads status as kubectl rollout status', () => {
  const dk = WORKLOAD_KINDS.find((k) => k.kind === 'Deployment')!;
  const dep = { metadata: { generation: 2 }, spec: { replicas: 3 }, status: { observedGeneration: 2, replicas: 3, updatedReplicas: 3, readyReplicas: 3, availableReplicas: 3 } };
  assert.equal(dk.progress(dep).text, 'complete');
  const rolling = { ...dep, status: { ...dep.status, updatedReplicas: 1, readyReplicas: 2 } };
  assert.deepEqual([dk.progress(rolling).updated, dk.progress(rolling).ready], [1, 2]);
  assert.match(dk.progress(rolling).text, /1 of 3 updated/);
});
