import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { assertCause, createCauses, lines, merge, set, updateCauses } from './testing.js';

const meta = { name: 'x', namespace: 'default' };
const b64 = (s: string): string => Buffer.from(s).toString('base64');

describe('ConfigMap and Secret', () => {
  test('key format', () =>
    assertCause(createCauses('ConfigMap', { metadata: meta, data: { 'a b': '1' } }), 'data[a b]', `Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')`));
  test('keys unique across data and binaryData', () =>
    assertCause(createCauses('ConfigMap', { metadata: meta, data: { k: '1' }, binaryData: { k: b64('1') } }), 'data[k]', 'Invalid value: "k": duplicate of key present in binaryData'));
  test('1 MiB cap', () => assertCause(createCauses('ConfigMap', { metadata: meta, data: { k: 'x'.repeat(1024 * 1024 + 1) } }), '', 'Too long: must have at most 1048576 bytes'));
  test('secret values must be base64', () => assertCause(createCauses('Secret', { metadata: meta, data: { k: 'not base64!' } }), 'data[k]', 'Invalid value: "<secret contents redacted>": illegal base64 data'));
  test('tls secrets need both keys', () => {
    const causes = createCauses('Secret', { metadata: meta, type: 'kubernetes.io/tls', data: { 'tls.crt': b64('c') } });
    assert.deepEqual(lines(causes), ['data[tls.key]: Required value']);
  });
  test('stringData is accepted (merged into data by defaulting)', () => assert.deepEqual(createCauses('Secret', { metadata: meta, stringData: { password: 's3cr3t' } }), []));

  const cm: KObject = { metadata: { ...meta, uid: 'u' }, immutable: true, data: { k: 'v' } };
  test('immutable data may not change', () => {
    assert.deepEqual(lines(updateCauses('ConfigMap', set(cm, 'data', { k: 'w' }), cm)), ['data: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(lines(updateCauses('ConfigMap', set(cm, 'immutable', false), cm)), ['immutable: Forbidden: field is immutable when `immutable` is set']);
    assert.deepEqual(updateCauses('ConfigMap', merge(cm, { metadata: { labels: { a: 'b' } } }), cm), []);
  });
  test('secret type is immutable', () => {
    const s: KObject = { metadata: { ...meta, uid: 'u' }, type: 'Opaque', data: {} };
    assertCause(updateCauses('Secret', set(s, 'type', 'example.com/other'), s), 'type', 'Invalid value: "example.com/other": field is immutable');
  });
});

describe('cluster kinds', () => {
  test('namespace names are DNS labels', () => assertCause(createCauses('Namespace', { metadata: { name: 'a.b' } }), 'metadata.name', 'Invalid value: "a.b": must not contain dots'));
  test('namespace defaults validate', () => assert.deepEqual(createCauses('Namespace', { metadata: { name: 'team-a' } }), []));
  test('node taints', () => {
    const node = { metadata: { name: 'n1' }, spec: { taints: [{ key: 'k', effect: 'Sometimes' }] } };
    assertCause(createCauses('Node', node), 'metadata.taints[0].effect', 'Unsupported value: "Sometimes": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"');
  });
  test('node podCIDRs are immutable once set', () => {
    const node = { metadata: { name: 'n1', uid: 'u' }, spec: { podCIDRs: ['10.244.0.0/24'] } };
    assertCause(updateCauses('Node', set(node, 'spec.podCIDRs', ['10.244.1.0/24']), node), 'spec.podCIDRs', 'Forbidden: node updates may not change podCIDR except from "" to valid');
  });
  test('event namespace must match involved object', () => {
    const ev = { metadata: { name: 'web.1', namespace: 'default' }, involvedObject: { kind: 'Pod', name: 'web', namespace: 'kube-system' }, reason: 'Started' };
    assert.deepEqual(lines(createCauses('Event', ev)), ['involvedObject.namespace: Invalid value: "kube-system": does not match event.namespace']);
  });
  test('lease duration', () => assertCause(createCauses('Lease', { metadata: meta, spec: { leaseDurationSeconds: 0 } }), 'spec.leaseDurationSeconds', 'Invalid value: 0: must be greater than 0'));
  test('service account names', () => assertCause(createCauses('ServiceAccount', { metadata: { ...meta, name: 'Bad' } }), 'metadata.name', 'Invalid value: "Bad"'));
});

describe('RBAC', () => {
  const role: KObject = { metadata: { name: 'reader', namespace: 'default' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }] };
  test('valid role', () => assert.deepEqual(createCauses('Role', role), []));
  test('rules need verbs', () => assertCause(createCauses('Role', set(role, 'rules', [{ apiGroups: [''], resources: ['pods'] }])), 'rules[0].verbs', 'Required value: verbs must contain at least one value'));
  test('namespaced rules cannot use nonResourceURLs', () =>
    assertCause(createCauses('Role', set(role, 'rules', [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }])), 'rules[0].nonResourceURLs', 'Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs'));
  test('cluster roles may use colons in names', () => assert.deepEqual(createCauses('ClusterRole', { metadata: { name: 'system:reader' }, rules: [{ nonResourceURLs: ['/healthz'], verbs: ['get'] }] }), []));
  const rb: KObject = {
    metadata: { name: 'read', namespace: 'default', uid: 'u' },
    roleRef: { kind: 'Role', name: 'reader' },
    subjects: [{ kind: 'ServiceAccount', name: 'default', namespace: 'default' }, { kind: 'User', name: 'jane' }],
  };
  test('valid binding (apiGroups defaulted)', () => assert.deepEqual(createCauses('RoleBinding', rb), []));
  test('roleRef kind', () => assertCause(createCauses('RoleBinding', set(rb, 'roleRef.kind', 'Pod')), 'roleRef.kind', 'Unsupported value: "Pod": supported values: "Role", "ClusterRole"'));
  test('roleRef is immutable', () => assertCause(updateCauses('RoleBinding', set(rb, 'roleRef.name', 'writer'), rb), 'roleRef', 'Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"writer"}: cannot change roleRef'));
});
