import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { APIService } from '../../api/apiregistration.js';
import { conditionFor, withCondition } from './availability.js';

const svc: APIService = { metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server', port: 443 }, groupPriorityMinimum: 100, versionPriority: 100 } };
const url = 'https://10.0.0.5:4443/apis/metrics.k8s.io/v1beta1';

describe('conditionFor', () => {
  test('Local, Passed, unresolved, and failed discovery checks as upstream words them', () => {
    assert.deepEqual(conditionFor({ kind: 'local' }), { type: 'Available', status: 'True', reason: 'Local', message: 'Local APIServices are always available' });
    assert.deepEqual(conditionFor({ kind: 'probed', url, status: 200 }), { type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed' });
    assert.deepEqual(conditionFor({ kind: 'unresolved', failure: { reason: 'ServiceNotFound', message: 'service/x in "y" is not present' } }), { type: 'Available', status: 'False', reason: 'ServiceNotFound', message: 'service/x in "y" is not present' });
    assert.equal(conditionFor({ kind: 'probed', url, status: 503 }).message, `failing or missing response from ${url}: bad status from ${url}: 503`);
    assert.equal(conditionFor({ kind: 'probed', url, error: 'connect ECONNREFUSED 10.0.0.5:4443' }).reason, 'FailedDiscoveryCheck');
  });
});

describe('withCondition', () => {
  const t0 = new Date('2026-01-01T00:00:00Z');
  const t1 = new Date('2026-01-01T00:05:00Z');

  test('sets the condition; an identical one is no write', () => {
    const status = withCondition(svc, conditionFor({ kind: 'probed', url, status: 200 }), t0)!;
    assert.deepEqual(status.conditions, [{ type: 'Available', status: 'True', reason: 'Passed', message: 'all checks passed', lastTransitionTime: '2026-01-01T00:00:00Z' }]);
    assert.equal(withCondition({ ...svc, status }, conditionFor({ kind: 'probed', url, status: 200 }), t1), undefined);
  });

  test('lastTransitionTime moves only when the status flips', () => {
    const down = withCondition(svc, conditionFor({ kind: 'probed', url, status: 500 }), t0)!;
    const stillDown = withCondition({ ...svc, status: down }, conditionFor({ kind: 'probed', url, error: 'timeout' }), t1)!;
    assert.equal(stillDown.conditions![0]!.lastTransitionTime, '2026-01-01T00:00:00Z');
    const up = withCondition({ ...svc, status: stillDown }, conditionFor({ kind: 'probed', url, status: 200 }), t1)!;
    assert.equal(up.conditions![0]!.lastTransitionTime, '2026-01-01T00:05:00Z');
  });
});
