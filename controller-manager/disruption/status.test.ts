// The disruption controller's status arithmetic, case by case as pkg/controller/disruption computes it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { DELETION_TIMEOUT_MS, computeStatus, expectedPodCount, failSafeStatus, pruneDisruptedPods, statusChanged, type ScaleOf } from './status.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');

function pod(name: string, ready: boolean, owner = 'rs-uid', extra: Partial<Pod['metadata']> = {}): Pod {
  return {
    metadata: { name, namespace: 'ns', ownerReferences: owner ? [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs', uid: owner, controller: true }] : [], ...extra },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  };
}
const pdb = (spec: PodDisruptionBudget['spec'], status?: PodDisruptionBudget['status']): PodDisruptionBudget => ({ metadata: { name: 'b', namespace: 'ns', generation: 3 }, spec, status });
const scale = (replicas: number): ScaleOf => (p) => (p.metadata?.ownerReferences?.[0]?.uid === 'rs-uid' ? { uid: 'rs-uid', replicas } : undefined);

test('int minAvailable counts the selected pods; healthy = Ready', () => {
  const pods = [pod('a', true), pod('b', true), pod('c', false)];
  const { status } = computeStatus(pdb({ minAvailable: 1 }), pods, scale(5), NOW);
  assert.deepEqual([status.expectedPods, status.desiredHealthy, status.currentHealthy, status.disruptionsAllowed], [3, 1, 2, 1]);
  assert.equal(status.observedGeneration, 3);
  const c = status.conditions?.[0];
  assert.deepEqual([c?.type, c?.status, c?.reason, c?.observedGeneration], ['DisruptionAllowed', 'True', 'SufficientPods', 3]);
});

test('percent minAvailable uses the controller scale, rounded up', () => {
  const pods = [pod('a', true), pod('b', true)];
  assert.deepEqual(expectedPodCount(pdb({ minAvailable: '50%' }), pods, scale(3)), { expectedCount: 3, desiredHealthy: 2, unmanagedPods: [] });
});

test('maxUnavailable: desiredHealthy = scale - maxUnavailable (percent rounds up)', () => {
  const pods = [pod('a', true), pod('b', true), pod('c', true)];
  assert.equal(expectedPodCount(pdb({ maxUnavailable: 1 }), pods, scale(3)).desiredHealthy, 2);
  assert.equal(expectedPodCount(pdb({ maxUnavailable: '10%' }), pods, scale(3)).desiredHealthy, 2);
  assert.equal(expectedPodCount(pdb({ maxUnavailable: 5 }), pods, scale(3)).desiredHealthy, 0);
});

test('unmanaged pods are reported; pods of an owner without a known scale count one each', () => {
  const pods = [pod('a', true, ''), pod('b', true, 'other'), pod('c', true, 'other')];
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 0 }), pods, scale(3)), { expectedCount: 2, desiredHealthy: 2, unmanagedPods: ['a'] });
});

test('no disruption allowed when too few are healthy, or nothing is expected', () => {
  const { status } = computeStatus(pdb({ minAvailable: 2 }), [pod('a', true), pod('b', false)], scale(2), NOW);
  assert.equal(status.disruptionsAllowed, 0);
  assert.equal(status.conditions?.[0]?.reason, 'InsufficientPods');
  assert.equal(computeStatus(pdb({ minAvailable: 0 }), [], scale(2), NOW).status.disruptionsAllowed, 0);
});

test('recently disrupted pods are not healthy; old or deleted entries are dropped', () => {
  const recent = new Date(NOW - 10_000).toISOString();
  const old = new Date(NOW - DELETION_TIMEOUT_MS - 1).toISOString();
  const pods = [pod('a', true), pod('b', true), pod('c', true), pod('d', true, 'rs-uid', { deletionTimestamp: recent })];
  const r = computeStatus(pdb({ minAvailable: 1 }, { disruptedPods: { a: recent, b: old, d: recent, gone: recent }, disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 }), pods, scale(4), NOW);
  assert.deepEqual(r.status.disruptedPods, { a: recent });
  assert.deepEqual(r.expiredDisruptions, ['b']);
  assert.equal(r.status.currentHealthy, 2); // b and c; a is disrupted, d is being deleted
  assert.equal(r.recheckAt, Date.parse(recent) + DELETION_TIMEOUT_MS);
  assert.deepEqual(pruneDisruptedPods(undefined, pods, NOW), { kept: {}, expired: [], recheckAt: undefined });
});

test('the condition keeps its transition time while its status holds', () => {
  const first = computeStatus(pdb({ minAvailable: 1 }), [pod('a', true), pod('b', true)], scale(2), NOW).status;
  const again = computeStatus(pdb({ minAvailable: 1 }, first), [pod('a', true), pod('b', true)], scale(2), NOW + 60_000).status;
  assert.equal(again.conditions?.[0]?.lastTransitionTime, first.conditions?.[0]?.lastTransitionTime);
  assert.equal(statusChanged(first, again), false);
  const fail = failSafeStatus(pdb({ minAvailable: 1 }, first), 'boom', NOW + 1000);
  assert.deepEqual([fail.disruptionsAllowed, fail.conditions?.[0]?.reason, fail.conditions?.[0]?.message], [0, 'SyncFailed', 'boom']);
  assert.equal(statusChanged(first, fail), true);
});
