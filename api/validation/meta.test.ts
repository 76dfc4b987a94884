import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, createCauses, lines, merge, updateCauses } from './testing.js';

const cm: KObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cfg', namespace: 'default' }, data: { a: '1' } };

describe('ObjectMeta on create', () => {
  const table: [string, KObject, string, string][] = [
    ['name not a subdomain', merge(cm, { metadata: { name: 'Foo_' } }), 'metadata.name', 'Invalid value: "Foo_": a lowercase RFC 1123 subdomain'],
    ['name too long', merge(cm, { metadata: { name: 'a'.repeat(254) } }), 'metadata.name', `Invalid value: "${'a'.repeat(254)}": must be no more than 253 characters`],
    ['namespace required', merge(cm, { metadata: { namespace: undefined } }), 'metadata.namespace', 'Required value'],
    ['namespace is a DNS label', merge(cm, { metadata: { namespace: 'a.b' } }), 'metadata.namespace', 'Invalid value: "a.b": must not contain dots'],
    ['label key', merge(cm, { metadata: { labels: { 'bad key': 'x' } } }), 'metadata.labels', 'Invalid value: "bad key": name part must consist of alphanumeric characters'],
    ['label value length', merge(cm, { metadata: { labels: { k: 'v'.repeat(64) } } }), 'metadata.labels', 'Invalid value: "' + 'v'.repeat(64) + '": must be no more than 63 characters'],
    ['annotation key', merge(cm, { metadata: { annotations: { 'a/b/c': 'x' } } }), 'metadata.annotations', 'Invalid value: "a/b/c": a qualified name must consist of'],
    ['annotations total size', merge(cm, { metadata: { annotations: { big: 'x'.repeat(256 * 1024) } } }), 'metadata.annotations', 'Too long: must have at most 262144 bytes'],
    ['owner reference uid', merge(cm, { metadata: { ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'rs' }] } }), 'metadata.ownerReferences.uid', 'Invalid value: "": must not be empty'],
    [
      'two controllers',
      merge(cm, {
        metadata: {
          ownerReferences: [
            { apiVersion: 'v1', kind: 'A', name: 'a', uid: '1', controller: true },
            { apiVersion: 'v1', kind: 'B', name: 'b', uid: '2', controller: true },
          ],
        },
      }),
      'metadata.ownerReferences',
      'Invalid value: [{',
    ],
    ['finalizer without domain', merge(cm, { metadata: { finalizers: ['custom'] } }), 'metadata.finalizers[0]', 'Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified'],
  ];
  for (const [name, obj, fieldPath, prefix] of table) test(name, () => assertCause(createCauses('ConfigMap', obj), fieldPath, prefix));

  test('generateName may end with a dash; the apiserver generates the name before validating', () => {
    assert.deepEqual(createCauses('ConfigMap', merge(cm, { metadata: { name: 'cfg-x7k2p', generateName: 'cfg-' } })), []);
    assertCause(createCauses('ConfigMap', merge(cm, { metadata: { name: 'x', generateName: 'Cfg_' } })), 'metadata.generateName', 'Invalid value: "Cfg_"');
  });
  test('standard and domain finalizers pass', () => {
    assert.deepEqual(createCauses('ConfigMap', merge(cm, { metadata: { finalizers: ['foregroundDeletion', 'example.com/cleanup'] } })), []);
  });
  test('cluster-scoped objects may not carry a namespace', () => {
    assert.deepEqual(lines(createCauses('Namespace', { metadata: { name: 'ns1', namespace: 'default' } })), ['metadata.namespace: Forbidden: not allowed on this type']);
  });
});

describe('ObjectMeta on update', () => {
  const old = merge(cm, { metadata: { uid: 'u1', resourceVersion: '3', generation: 2 } });
  test('unchanged update is valid', () => assert.deepEqual(updateCauses('ConfigMap', old, old), []));
  test('name is immutable', () => assertCause(updateCauses('ConfigMap', merge(old, { metadata: { name: 'other' } }), old), 'metadata.name', 'Invalid value: "other": field is immutable'));
  test('generation may not go back', () => assertCause(updateCauses('ConfigMap', merge(old, { metadata: { generation: 1 } }), old), 'metadata.generation', 'Invalid value: 1: must not be decremented'));
  test('no new finalizers while deleting', () => {
    const deleting = merge(old, { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['example.com/a'] } });
    assertCause(
      updateCauses('ConfigMap', merge(deleting, { metadata: { finalizers: ['example.com/a', 'example.com/b'] } }), deleting),
      'metadata.finalizers',
      'Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"example.com/b"}',
    );
  });
});
