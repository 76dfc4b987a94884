import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { StatefulSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { atCurrentRevision, ordinalOf, planStatefulSet, statefulPod, POD_INDEX_LABEL, POD_NAME_LABEL } from './plan.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const REF = { apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'db', uid: 'u', controller: true, blockOwnerDeletion: true };
const sts = (spec: Partial<NonNullable<StatefulSet['spec']>> = {}, status?: StatefulSet['status']): StatefulSet => ({
  metadata: { name: 'db', namespace: 'default', uid: 'u', generation: 2 },
  spec: { replicas: 3, serviceName: 'db', selector: { matchLabels: { app: 'db' } }, template: { metadata: { labels: { app: 'db' } }, spec: { containers: [{ name: 'c' }] } }, ...spec },
  ...(status ? { status } : {}),
});
const pod = (ordinal: number, opts: { rev?: string; ready?: boolean; phase?: string; deleting?: boolean } = {}): Pod => {
  const p = statefulPod(sts(), ordinal, opts.rev ?? 'r1', REF);
  return {
    ...p,
    metadata: { ...p.metadata, uid: `p${ordinal}`, ...(opts.deleting ? { deletionTimestamp: new Date(NOW).toISOString() } : {}) },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True' }] },
  };
};
const names = (ps: Pod[]) => ps.map((p) => p.metadata?.name);

describe('StatefulSet controller decisions', () => {
  test('identity: name, hostname, subdomain, labels, a PVC per claim template', () => {
    const set = sts({ volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'] } }] });
    const p = statefulPod(set, 2, 'db-abc', REF);
    assert.equal(p.metadata?.name, 'db-2');
    assert.deepEqual([p.spec?.hostname, p.spec?.subdomain], ['db-2', 'db']);
    assert.deepEqual(p.metadata?.labels, { app: 'db', [POD_NAME_LABEL]: 'db-2', [POD_INDEX_LABEL]: '2', 'controller-revision-hash': 'db-abc' });
    assert.deepEqual(p.spec?.volumes, [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-2' } }]);
    assert.equal(ordinalOf(set, p), 2);
    assert.equal(ordinalOf(set, { metadata: { name: 'db-02' } }), undefined);
    assert.equal(ordinalOf(set, { metadata: { name: 'dbx-1' } }), undefined);
  });

  test('OrderedReady: one at a time, each after its predecessors are Running and Ready', () => {
    assert.deepEqual(planStatefulSet(sts(), [], 'r1', NOW).create, [0]);
    assert.deepEqual(planStatefulSet(sts(), [pod(0, { ready: false })], 'r1', NOW).create, []);
    assert.deepEqual(planStatefulSet(sts(), [pod(0)], 'r1', NOW).create, [1]);
    assert.deepEqual(planStatefulSet(sts(), [pod(0), pod(2)], 'r1', NOW).create, [1], 'a gap is filled first');
  });

  test('Parallel: all missing at once; scale down all at once', () => {
    assert.deepEqual(planStatefulSet(sts({ podManagementPolicy: 'Parallel' }), [pod(1, { ready: false })], 'r1', NOW).create, [0, 2]);
    const down = planStatefulSet(sts({ replicas: 1, podManagementPolicy: 'Parallel' }), [pod(0), pod(1), pod(2)], 'r1', NOW);
    assert.deepEqual(names(down.remove).sort(), ['db-1', 'db-2']);
  });

  test('OrderedReady scale down: highest ordinal first, one at a time, only when all is healthy', () => {
    const down = planStatefulSet(sts({ replicas: 1 }), [pod(0), pod(1), pod(2)], 'r1', NOW);
    assert.deepEqual(names(down.remove), ['db-2']);
    assert.deepEqual(planStatefulSet(sts({ replicas: 1 }), [pod(0), pod(1), pod(2, { deleting: true })], 'r1', NOW).remove, [], 'waits for the last one to go');
    assert.deepEqual(planStatefulSet(sts({ replicas: 1 }), [pod(0, { ready: false }), pod(1)], 'r1', NOW).remove, [], 'an unhealthy pod blocks');
  });

  test('a failed pod is deleted so that it is recreated with the same name', () => {
    const failed = pod(1, { phase: 'Failed' });
    const plan = planStatefulSet(sts(), [pod(0), failed, pod(2)], 'r1', NOW);
    assert.deepEqual(plan.remove, [failed]);
    assert.deepEqual(plan.create, []);
  });

  test('RollingUpdate: the highest old pod first, one at a time, down to the partition; status revisions', () => {
    const all = [pod(0), pod(1), pod(2)];
    const first = planStatefulSet(sts({}, { replicas: 3, currentRevision: 'r1' }), all, 'r2', NOW);
    assert.deepEqual(names(first.remove), ['db-2']);
    assert.deepEqual([first.status.currentRevision, first.status.updateRevision, first.status.currentReplicas, first.status.updatedReplicas], ['r1', 'r2', 3, 0]);
    assert.deepEqual(planStatefulSet(sts({}, { replicas: 3, currentRevision: 'r1' }), [pod(0), pod(1), pod(2, { rev: 'r2', ready: false })], 'r2', NOW).remove, [], 'waits for the new one');
    assert.deepEqual(names(planStatefulSet(sts({}, { replicas: 3, currentRevision: 'r1' }), [pod(0), pod(1), pod(2, { rev: 'r2' })], 'r2', NOW).remove), ['db-1']);
    const partitioned = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }, { replicas: 3, currentRevision: 'r1' });
    assert.deepEqual(planStatefulSet(partitioned, [pod(0), pod(1), pod(2, { rev: 'r2' })], 'r2', NOW).remove, [], 'below the partition stays');
    assert.deepEqual(planStatefulSet(sts({ updateStrategy: { type: 'OnDelete' } }, { replicas: 3, currentRevision: 'r1' }), all, 'r2', NOW).remove, []);
    const done = planStatefulSet(sts({}, { replicas: 3, currentRevision: 'r1' }), [0, 1, 2].map((i) => pod(i, { rev: 'r2' })), 'r2', NOW);
    assert.deepEqual([done.status.currentRevision, done.status.currentReplicas, done.status.updatedReplicas, done.status.readyReplicas, done.status.observedGeneration], ['r2', 3, 3, 3, 2]);
  });
});

describe('StatefulSet revisions in the plan', () => {
  test('below the partition pods are (re)created at the current revision; OnDelete always at the update revision', () => {
    const partitioned = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
    assert.deepEqual([0, 1, 2].map((i) => atCurrentRevision(partitioned, i)), [true, true, false]);
    assert.deepEqual([0, 1, 2].map((i) => atCurrentRevision(sts({ updateStrategy: { type: 'OnDelete' } }), i)), [false, false, false]);
    assert.deepEqual([0, 1].map((i) => atCurrentRevision(sts({ updateStrategy: { type: 'RollingUpdate' } }, { replicas: 2, currentReplicas: 1 }), i)), [true, false]);
  });

  test('the current revision named by the controller is reported; it becomes the update revision when all pods are updated and ready', () => {
    const set = sts({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, { replicas: 3, currentRevision: 'stale' });
    const mid = planStatefulSet(set, [pod(0), pod(1, { rev: 'r2' }), pod(2, { rev: 'r2' })], 'r2', NOW, { currentRevision: 'r1', collisionCount: 2 });
    assert.deepEqual([mid.status.currentRevision, mid.status.updateRevision, mid.status.currentReplicas, mid.status.updatedReplicas, mid.status.collisionCount], ['r1', 'r2', 1, 2, 2]);
    const notReady = planStatefulSet(sts(), [pod(0, { rev: 'r2' }), pod(1, { rev: 'r2' }), pod(2, { rev: 'r2', ready: false })], 'r2', NOW, { currentRevision: 'r1' });
    assert.equal(notReady.status.currentRevision, 'r1', 'waits for readiness');
    const onDelete = planStatefulSet(sts({ updateStrategy: { type: 'OnDelete' } }), [0, 1, 2].map((i) => pod(i, { rev: 'r2' })), 'r2', NOW, { currentRevision: 'r1' });
    assert.equal(onDelete.status.currentRevision, 'r1', 'OnDelete never completes a rolling update (as upstream)');
  });
});
