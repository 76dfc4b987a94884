import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../status.js';
import { applyJsonPatch, applyMergePatch } from './index.js';

function rejects(fn: () => unknown, code: number, reason: string, detail?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (detail) assert.match(e.status.details?.causes?.[0]?.message ?? e.message, detail);
    return true;
  });
}

describe('applyMergePatch (RFC 7386)', () => {
  test('the RFC example', () => {
    const target = { title: 'Goodbye!', author: { givenName: 'John', familyName: 'Doe' }, tags: ['example', 'sample'], content: 'This will be unchanged' };
    const patch = { title: 'Hello!', phoneNumber: '+01-123-456-7890', author: { familyName: null }, tags: ['example'] };
    assert.deepEqual(applyMergePatch(target, patch), {
      title: 'Hello!',
      author: { givenName: 'John' },
      tags: ['example'],
      content: 'This will be unchanged',
      phoneNumber: '+01-123-456-7890',
    });
  });

  test('lists are replaced whole (the kubectl patch --type merge task)', () => {
    const d = { spec: { template: { spec: { containers: [{ name: 'a', image: 'nginx' }] } } } };
    const out = applyMergePatch(d, { spec: { template: { spec: { containers: [{ name: 'b', image: 'redis' }] } } } });
    assert.deepEqual(out, { spec: { template: { spec: { containers: [{ name: 'b', image: 'redis' }] } } } });
  });

  test('scale patch, non-object patches, nulls in new objects, no mutation', () => {
    const d = { spec: { replicas: 1, paused: true } };
    assert.deepEqual(applyMergePatch(d, { spec: { replicas: 3 } }), { spec: { replicas: 3, paused: true } });
    assert.deepEqual(d, { spec: { replicas: 1, paused: true } });
    assert.deepEqual(applyMergePatch({ a: 1 }, ['x']), ['x']);
    assert.deepEqual(applyMergePatch({ a: 'x' }, { a: { b: null, c: 1 } }), { a: { c: 1 } });
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  const pod = () => ({ metadata: { name: 'p', labels: { a: '1' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });

  test('add, replace, remove, copy, move and test', () => {
    const out = applyJsonPatch(pod(), [
      { op: 'test', path: '/metadata/name', value: 'p' },
      { op: 'replace', path: '/spec/containers/0/image', value: 'newimage' },
      { op: 'add', path: '/metadata/labels/b', value: '2' },
      { op: 'remove', path: '/metadata/labels/a' },
      { op: 'copy', from: '/metadata/labels/b', path: '/metadata/labels/c' },
      { op: 'move', from: '/metadata/labels/c', path: '/metadata/labels/d' },
      { op: 'add', path: '/spec/containers/-', value: { name: 'd', image: 'busybox' } },
    ]);
    assert.deepEqual(out, {
      metadata: { name: 'p', labels: { b: '2', d: '2' } },
      spec: { containers: [{ name: 'c', image: 'newimage' }, { name: 'd', image: 'busybox' }] },
    });
  });

  test('rollout undo replaces the template and annotations', () => {
    const d = { metadata: { annotations: { x: '1' } }, spec: { template: { spec: { containers: [{ name: 'c', image: 'v2' }] } } } };
    const out = applyJsonPatch(d, [
      { op: 'replace', path: '/spec/template', value: { spec: { containers: [{ name: 'c', image: 'v1' }] } } },
      { op: 'replace', path: '/metadata/annotations', value: { 'deployment.kubernetes.io/revision': '1' } },
    ]);
    assert.deepEqual(out, {
      metadata: { annotations: { 'deployment.kubernetes.io/revision': '1' } },
      spec: { template: { spec: { containers: [{ name: 'c', image: 'v1' }] } } },
    });
    assert.deepEqual(d.spec.template.spec.containers[0].image, 'v2', 'input is not mutated');
  });

  test('a failed test or a missing path is 422 Invalid; nothing is applied', () => {
    const p = pod();
    rejects(() => applyJsonPatch(p, [{ op: 'test', path: '/metadata/name', value: 'q' }]), 422, 'Invalid', /testing value \/metadata\/name failed/);
    rejects(() => applyJsonPatch(p, [{ op: 'replace', path: '/spec/nodeName', value: 'n' }]), 422, 'Invalid', /replace operation does not apply/);
    rejects(() => applyJsonPatch(p, [{ op: 'remove', path: '/spec/containers/5' }]), 422, 'Invalid');
    rejects(() => applyJsonPatch(p, [{ op: 'add', path: '/a/b/c', value: 1 }]), 422, 'Invalid', /add operation does not apply/);
    assert.deepEqual(p, pod());
  });

  test('bad operations', () => {
    rejects(() => applyJsonPatch(pod(), { op: 'add' }), 400, 'BadRequest');
    rejects(() => applyJsonPatch(pod(), ['x']), 400, 'BadRequest');
    rejects(() => applyJsonPatch(pod(), [{ op: 'frobnicate', path: '/a' }]), 422, 'Invalid', /Unexpected kind: frobnicate/);
    rejects(() => applyJsonPatch(pod(), [{ op: 'add', path: '/a' }]), 422, 'Invalid', /missing value/);
  });

  test('prototype pollution is refused', () => {
    assert.throws(() => applyJsonPatch({}, [{ op: 'add', path: '/__proto__/polluted', value: 1 }]));
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });
});
