import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { APIService } from '../../api/apiregistration.js';
import { compareKubeVersions, sortedGroups } from './ordering.js';

const svc = (group: string, version: string, gpm: number, vp: number): APIService => ({ metadata: { name: `${version}.${group}` }, spec: { group, version, groupPriorityMinimum: gpm, versionPriority: vp } });

describe('ordering', () => {
  test('Kubernetes version order: GA > beta > alpha > other, higher numbers first', () => {
    const versions = ['v1alpha1', 'foo', 'v1', 'v2beta1', 'v1beta2', 'v2', 'bar', 'v10alpha1'];
    assert.deepEqual([...versions].sort((a, b) => compareKubeVersions(b, a)), ['v2', 'v1', 'v2beta1', 'v1beta2', 'v10alpha1', 'v1alpha1', 'bar', 'foo']);
  });

  test('groups by highest groupPriorityMinimum then name; versions by versionPriority then version', () => {
    const groups = sortedGroups([
      svc('wardle.example.com', 'v1alpha1', 1000, 15),
      svc('apps', 'v1', 17800, 15),
      svc('b.example.com', 'v1', 1000, 15),
      svc('wardle.example.com', 'v1beta1', 1000, 15),
      svc('wardle.example.com', 'v1', 900, 10),
    ]);
    assert.deepEqual(groups.map((g) => g.group), ['apps', 'b.example.com', 'wardle.example.com']);
    assert.deepEqual(groups[2]!.versions.map((s) => s.spec.version), ['v1beta1', 'v1alpha1', 'v1']);
  });
});
