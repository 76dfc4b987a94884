import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AUTOREGISTER_LABEL, type APIService } from '../../api/apiregistration.js';
import { planAutoregister } from './autoregister.js';
import { localAPIService } from './priorities.js';

describe('planAutoregister', () => {
  test('creates the missing Local APIServices, named <version>.<group> (v1. for core) with upstream priorities', () => {
    const plan = planAutoregister([{ group: '', version: 'v1' }, { group: 'apps', version: 'v1' }], []);
    assert.deepEqual(plan.create.map((s) => s.metadata!.name), ['v1.', 'v1.apps']);
    assert.deepEqual(plan.create[1]!.spec, { group: 'apps', version: 'v1', groupPriorityMinimum: 17800, versionPriority: 15 });
    assert.equal(plan.create[0]!.metadata!.labels![AUTOREGISTER_LABEL], 'onstart');
  });

  test('fixes changed automanaged ones, removes those no longer served, leaves users\' alone', () => {
    const drifted: APIService = { ...localAPIService('apps', 'v1'), spec: { group: 'apps', version: 'v1', groupPriorityMinimum: 1, versionPriority: 1 } };
    const gone = localAPIService('extensions', 'v1beta1');
    const users: APIService = { metadata: { name: 'v1beta1.metrics.k8s.io' }, spec: { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'ms' }, groupPriorityMinimum: 100, versionPriority: 100 } };
    const plan = planAutoregister([{ group: 'apps', version: 'v1' }], [drifted, gone, users]);
    assert.deepEqual(plan.create, []);
    assert.deepEqual(plan.update.map((s) => s.spec.groupPriorityMinimum), [17800]);
    assert.deepEqual(plan.remove, ['v1beta1.extensions']);
  });
});
