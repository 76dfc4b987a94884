import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ResourceQuota } from 'kubernetes-types/core/v1';
import { coreEvaluators, evaluatorFor } from '../../api/quota/evaluators.js';
import { formatResourceList, parseResourceList } from '../../api/quota/resource-list.js';
import { chargedResources, nextStatus, usageOf } from './usage.js';

describe('resource quota controller: CalculateUsage', () => {
  test('each hard name goes to the evaluator that charges it; other count/ names get a generic one', () => {
    const got = chargedResources(['pods', 'requests.cpu', 'services', 'count/deployments.apps', 'count/widgets.example.com', 'requests.storage'], coreEvaluators());
    assert.deepEqual(got.map((g) => [g.evaluator.gr.resource, g.names]), [
      ['pods', ['pods', 'requests.cpu']],
      ['services', ['services']],
      ['persistentvolumeclaims', ['requests.storage']],
      ['deployments', ['count/deployments.apps']],
      ['widgets', ['count/widgets.example.com']],
    ]);
  });

  test('usage: zero for every name, in-scope objects only, terminal pods not charged', () => {
    const pods = evaluatorFor({ group: '', resource: 'pods' });
    const objs = [
      { spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }] } },
      { spec: { containers: [{ name: 'b' }] } },
      { spec: { containers: [{ name: 'c' }] }, status: { phase: 'Succeeded' } },
    ];
    assert.deepEqual(formatResourceList(usageOf(pods, ['pods', 'requests.cpu', 'requests.memory'], objs, {}, Date.now())), { pods: '2', 'requests.cpu': '100m', 'requests.memory': '0' });
    assert.deepEqual(formatResourceList(usageOf(pods, ['pods'], objs, { scopes: ['BestEffort'] }, Date.now())), { pods: '1' });
  });

  test('next status: hard copied from spec, used masked to it; nothing when unchanged', () => {
    const q: ResourceQuota = { spec: { hard: { pods: '5', cpu: '1000m' } }, status: { hard: { pods: '4' }, used: { pods: '1', secrets: '3' } } };
    const s = nextStatus(q, parseResourceList({ pods: '2', cpu: '0' }));
    assert.deepEqual(s, { hard: { cpu: '1', pods: '5' }, used: { cpu: '0', pods: '2' } });
    assert.equal(nextStatus({ spec: q.spec!, status: s! }, parseResourceList({ pods: '2', cpu: '0' })), undefined);
  });
});
