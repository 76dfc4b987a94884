import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validateResourceQuota } from './resourcequota.js';

const rq = (spec: Record<string, unknown>): Record<string, unknown> => ({ metadata: { name: 'q', namespace: 'ns' }, spec });
const lines = (spec: Record<string, unknown>): string[] => validateResourceQuota(rq(spec)).map((e) => `${e.field}: ${e.message}`);

describe('ResourceQuota validation (ValidateResourceQuota)', () => {
  test('standard, count/ and storage-class names pass', () => {
    assert.deepEqual(lines({ hard: { pods: '10', 'requests.cpu': '2', 'limits.memory': '4Gi', 'count/deployments.apps': '3', 'count/pods': '5', 'gold.storageclass.storage.k8s.io/requests.storage': '10Gi', 'services.nodeports': '0' } }), []);
  });
  test('an unknown resource name is refused twice over, as upstream', () => {
    assert.deepEqual(lines({ hard: { foo: '1' } }), [
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
      'spec.hard[foo]: Invalid value: "foo": must be a standard resource for quota',
    ]);
    assert.deepEqual(lines({ hard: { storage: '1Gi' } }), ['spec.hard[storage]: Invalid value: "storage": must be a standard resource for quota']);
  });
  test('quantities: non-negative, whole for object counts', () => {
    assert.deepEqual(lines({ hard: { pods: '1500m', cpu: '-1', memory: 'lots' } }), [
      'spec.hard[pods]: Invalid value: 1500m: must be an integer',
      'spec.hard[cpu]: Invalid value: -1: must be greater than or equal to 0',
      `spec.hard[memory]: Invalid value: "lots": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    ]);
  });
  test('scopes: unknown, conflicting, or not valid for a resource', () => {
    assert.deepEqual(lines({ hard: { pods: '1' }, scopes: ['Nope'] }), ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Nope"}: unsupported scope']);
    assert.deepEqual(lines({ hard: { pods: '1' }, scopes: ['BestEffort', 'NotBestEffort'] }), ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort", "NotBestEffort"}: conflicting scopes']);
    assert.deepEqual(lines({ hard: { 'requests.cpu': '1' }, scopes: ['BestEffort'] }), ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource']);
    assert.deepEqual(lines({ hard: { services: '1' }, scopes: ['Terminating'] }), ['spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating"}: unsupported scope applied to resource']);
  });
  test('scopeSelector requirements', () => {
    assert.deepEqual(lines({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } }), []);
    assert.deepEqual(lines({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In' }] } }), [
      "spec.scopeSelector.matchExpressions.values: Required value: must be at least one value when `operator` is 'In' or 'NotIn' for scope selector",
    ]);
    assert.equal(lines({ hard: { pods: '1' }, scopeSelector: { matchExpressions: [{ scopeName: 'BestEffort', operator: 'In', values: ['x'] }] } })[0]?.startsWith('spec.scopeSelector.matchExpressions.operator: Invalid value: "In": must be \'Exist\' only operator'), true);
  });
});
