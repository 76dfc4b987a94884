import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { validatePriorityClass, validatePriorityClassUpdate } from './scheduling.js';

const pc = (name: string, value: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  apiVersion: 'scheduling.k8s.io/v1',
  kind: 'PriorityClass',
  metadata: { name },
  value,
  preemptionPolicy: 'PreemptLowerPriority',
  ...extra,
});

describe('PriorityClass validation', () => {
  test('a user class up to 1e9 is valid', () => {
    assert.deepEqual(validatePriorityClass(pc('high', 1_000_000_000)), []);
    assert.deepEqual(validatePriorityClass(pc('low', -5, { preemptionPolicy: 'Never' })), []);
  });

  test('values above 1e9 are for system classes', () => {
    const errs = validatePriorityClass(pc('huge', 1_000_000_001));
    assert.deepEqual(errs.map((e) => [e.field, e.message]), [['value', 'Forbidden: maximum allowed value of a user defined priority is 1000000000']]);
  });

  test('system- names are reserved unless they are a known system class with its value', () => {
    assert.deepEqual(validatePriorityClass(pc('system-node-critical', 2000001000)), []);
    assert.deepEqual(validatePriorityClass(pc('system-cluster-critical', 2000000000)), []);
    const [unknown] = validatePriorityClass(pc('system-mine', 10));
    assert.equal(unknown?.field, 'metadata.name');
    assert.match(unknown?.message ?? '', /prefix are reserved for system use only\. error: system-mine is not a known system priority class/);
    const [wrong] = validatePriorityClass(pc('system-node-critical', 5));
    assert.match(wrong?.message ?? '', /value of system-node-critical PriorityClass must be 2000001000/);
  });

  test('preemptionPolicy is an enum; value is a 32-bit integer', () => {
    const [p] = validatePriorityClass(pc('a', 1, { preemptionPolicy: 'Sometimes' }));
    assert.equal(p?.reason, 'FieldValueNotSupported');
    assert.equal(p?.field, 'preemptionPolicy');
    const [v] = validatePriorityClass(pc('a', 'ten'));
    assert.equal(v?.field, 'value');
  });

  test('value and preemptionPolicy are immutable', () => {
    const old = pc('a', 1);
    old['metadata'] = { name: 'a', resourceVersion: '1' };
    const next = pc('a', 2, { preemptionPolicy: 'Never', description: 'changed' });
    next['metadata'] = { name: 'a', resourceVersion: '1' };
    const errs = validatePriorityClassUpdate(next, old);
    assert.deepEqual(errs.map((e) => [e.field, e.reason]), [['value', 'FieldValueForbidden'], ['preemptionPolicy', 'FieldValueInvalid']]);
    assert.equal(errs[0]?.message, 'Forbidden: may not be changed in an update.');
    const described = pc('a', 1, { description: 'ok', metadata: { name: 'a', resourceVersion: '1' } });
    assert.deepEqual(validatePriorityClassUpdate(described, old), []);
  });
});
