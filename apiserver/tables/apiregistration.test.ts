import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { findResource } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { toTable } from './table.js';

const NOW = new Date('2026-01-01T01:00:00Z');
const info = findResource('apiregistration.k8s.io', 'apiservices')!;

function row(obj: object): Record<string, unknown> {
  const table = toTable(info, [obj as KObject], { now: NOW });
  return Object.fromEntries(table.columnDefinitions.map((c, i) => [c.name, table.rows[0]?.cells[i]]));
}

describe('APIService table (kubectl get apiservices)', () => {
  const meta = { name: 'v1beta1.metrics.k8s.io', creationTimestamp: '2026-01-01T00:00:00Z' };
  const spec = { group: 'metrics.k8s.io', version: 'v1beta1', service: { namespace: 'kube-system', name: 'metrics-server' }, groupPriorityMinimum: 100, versionPriority: 100 };

  test('Service-backed and available', () => {
    const status = { conditions: [{ type: 'Available', status: 'True', reason: 'Passed' }] };
    assert.deepEqual(row({ metadata: meta, spec, status }), { Name: 'v1beta1.metrics.k8s.io', Service: 'kube-system/metrics-server', Available: 'True', Age: '60m' });
  });

  test('unavailable shows the reason; Local ones say Local', () => {
    const status = { conditions: [{ type: 'Available', status: 'False', reason: 'FailedDiscoveryCheck' }] };
    assert.equal(row({ metadata: meta, spec, status })['Available'], 'False (FailedDiscoveryCheck)');
    assert.equal(row({ metadata: { ...meta, name: 'v1.apps' }, spec: { group: 'apps', version: 'v1' } })['Service'], 'Local');
  });
});
