import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { createCauses, lines } from './testing.js';

const lr = (limits: unknown[]): KObject => ({ apiVersion: 'v1', kind: 'LimitRange', metadata: { name: 'lr', namespace: 'default' }, spec: { limits } });

describe('LimitRange validation', () => {
  test('a sound LimitRange passes', () => {
    assert.deepEqual(createCauses('LimitRange', lr([
      { type: 'Container', min: { cpu: '100m' }, max: { cpu: '1' }, default: { cpu: '500m' }, defaultRequest: { cpu: '200m' }, maxLimitRequestRatio: { cpu: '5' } },
      { type: 'Pod', max: { cpu: '2' } },
      { type: 'PersistentVolumeClaim', min: { storage: '1Gi' } },
    ])), []);
  });

  test('min above max, default outside the range, defaultRequest above default', () => {
    assert.deepEqual(lines(createCauses('LimitRange', lr([{ type: 'Container', min: { cpu: '2' }, max: { cpu: '1' } }]))), [
      'spec.limits[0].min[cpu]: Invalid value: "2": min value 2 is greater than max value 1',
      // Defaulting made default = max and defaultRequest = default, as Kubernetes does.
      'spec.limits[0].defaultRequest[cpu]: Invalid value: "1": min value 2 is greater than default request value 1',
      'spec.limits[0].default[cpu]: Invalid value: "2": min value 2 is greater than default value 1',
    ]);
    assert.deepEqual(lines(createCauses('LimitRange', lr([{ type: 'Container', max: { cpu: '1' }, default: { cpu: '2' }, defaultRequest: { cpu: '500m' } }]))), [
      'spec.limits[0].default[cpu]: Invalid value: "1": default value 2 is greater than max value 1',
    ]);
    assert.deepEqual(lines(createCauses('LimitRange', lr([{ type: 'Container', default: { memory: '1Gi' }, defaultRequest: { memory: '2Gi' } }]))), [
      'spec.limits[0].defaultRequest[memory]: Invalid value: "2Gi": default request value 2Gi is greater than default limit value 1Gi',
    ]);
  });

  test('unknown and duplicate types, Pod defaults, a PVC item without storage', () => {
    assert.deepEqual(lines(createCauses('LimitRange', lr([{ type: 'Bogus' }, { type: 'Pod', default: { cpu: '1' } }, { type: 'Pod' }, { type: 'PersistentVolumeClaim' }]))), [
      'spec.limits[0].type: Invalid value: "Bogus": must be a standard limit type or fully qualified',
      "spec.limits[1].default: Forbidden: may not be specified when `type` is 'Pod'",
      'spec.limits[2].type: Duplicate value: "Pod"',
      'spec.limits[3].limits: Required value: either minimum or maximum storage value is required, but neither was provided',
    ]);
  });

  test('bad quantities and a ratio below 1', () => {
    assert.deepEqual(lines(createCauses('LimitRange', lr([{ type: 'PersistentVolumeClaim', max: { storage: 'lots' } }, { type: 'Container', maxLimitRequestRatio: { cpu: '500m' } }]))), [
      "spec.limits[0].max[storage]: Invalid value: \"lots\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
      'spec.limits[1].maxLimitRequestRatio[cpu]: Invalid value: "500m": ratio 500m is less than 1',
    ]);
  });
});
