// The eviction handler's budget decisions (pure parts of eviction.go's checkAndDecrement).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../../api/status.js';
import { VIOLATES_BUDGET, budgetsFor, canIgnorePdb, chargeBudget, unhealthyMayGo } from './eviction.js';

const status = (allowed: number, extra = {}) => ({ disruptionsAllowed: allowed, currentHealthy: 2, desiredHealthy: 2, expectedPods: 2, observedGeneration: 1, ...extra });
const pdb = (allowed: number, extra = {}) => ({ apiVersion: 'policy/v1' as const, kind: 'PodDisruptionBudget' as const, metadata: { name: 'web', namespace: 'ns', generation: 1 }, spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } }, status: status(allowed, extra) });
const pod = (phase = 'Running', ready = true, labels: Record<string, string> = { app: 'web' }) => ({ metadata: { name: 'p', namespace: 'ns', labels }, status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });

test('no disruption left: 429 TooManyRequests with the DisruptionBudget cause', () => {
  assert.throws(
    () => chargeBudget(pdb(0), 'p', new Date()),
    (e: unknown) => {
      const s = (e as StatusError).status;
      assert.equal(s.code, 429);
      assert.equal(s.reason, 'TooManyRequests');
      assert.equal(s.message, VIOLATES_BUDGET);
      assert.deepEqual(s.details?.causes, [{ reason: 'DisruptionBudget', message: 'The disruption budget web needs 2 healthy pods and has 2 currently' }]);
      return true;
    },
  );
});

test('an allowed eviction spends one disruption and records the pod', () => {
  const next = chargeBudget(pdb(2, { disruptedPods: { q: '2026-01-01T00:00:00Z' } }), 'p', new Date('2026-01-01T00:01:00.123Z'));
  assert.equal(next.status?.disruptionsAllowed, 1);
  assert.deepEqual(next.status?.disruptedPods, { q: '2026-01-01T00:00:00Z', p: '2026-01-01T00:01:00Z' });
});

test('a budget the controller has not observed yet is still being processed (429)', () => {
  assert.throws(() => chargeBudget(pdb(1, { observedGeneration: 0 }), 'p', new Date()), (e: unknown) => (e as StatusError).status.details?.causes?.[0]?.message === 'The disruption budget web is still being processed by the server.');
  assert.throws(() => chargeBudget(pdb(-1), 'p', new Date()), (e: unknown) => (e as StatusError).code === 403);
});

test('pods being deleted or not running skip the budget; selectors pick by labels', () => {
  assert.equal(canIgnorePdb(pod('Pending')), true);
  assert.equal(canIgnorePdb(pod('Succeeded')), true);
  assert.equal(canIgnorePdb(pod('Running')), false);
  assert.equal(budgetsFor(pod(), [pdb(1)]).length, 1);
  assert.equal(budgetsFor(pod('Running', true, { app: 'db' }), [pdb(1)]).length, 0);
  const all = { ...pdb(1), spec: { selector: {} } };
  const none = { ...pdb(1), spec: {} };
  assert.deepEqual(budgetsFor(pod(), [all, none]), [all]);
});

test('an unready pod goes free when the budget is met (IfHealthyBudget) or AlwaysAllow', () => {
  assert.equal(unhealthyMayGo(pod('Running', false), pdb(0)), true);
  assert.equal(unhealthyMayGo(pod('Running', false), pdb(0, { currentHealthy: 1 })), false);
  assert.equal(unhealthyMayGo(pod('Running', true), pdb(0)), false);
  assert.equal(unhealthyMayGo(pod('Running', false), { ...pdb(0, { currentHealthy: 0 }), spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } }), true);
});
