// pod-template-hash: stable, order-independent, perturbed by collisionCount, in k8s' alphabet.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import { canonicalJson } from '../../api/json.js';
import { cloneSelectorAndAddLabel } from './hash.js';
import { computeHash, fnv32a, safeEncodeString } from '../controller/controller-utils.js';

describe('pod-template-hash', () => {
  test('FNV-1a 32 matches the reference vectors', () => {
    assert.equal(fnv32a(Buffer.from('')), 0x811c9dc5);
    assert.equal(fnv32a(Buffer.from('a')), 0xe40c292c);
    assert.equal(fnv32a(Buffer.from('foobar')), 0xbf9cf968);
  });

  test('SafeEncodeString maps bytes onto the vowel-free alphabet', () => {
    // '0' is byte 48, 48 % 27 = 21 → '4'; '9' is 57 % 27 = 3 → 'f'.
    assert.equal(safeEncodeString('09'), '4f');
  });

  test('the same template hashes the same whatever the key order; any change changes it', () => {
    const a: PodTemplateSpec = { metadata: { labels: { app: 'x', tier: 'web' } }, spec: { containers: [{ name: 'c', image: 'i:1' }] } };
    const b: PodTemplateSpec = { spec: { containers: [{ image: 'i:1', name: 'c' }] }, metadata: { labels: { tier: 'web', app: 'x' } } };
    assert.equal(canonicalJson(a), canonicalJson(b));
    assert.equal(computeHash(a), computeHash(b));
    assert.match(computeHash(a), /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
    assert.notEqual(computeHash(a), computeHash({ ...a, spec: { containers: [{ name: 'c', image: 'i:2' }] } }));
  });

  test('a collision count gives a different hash (how a Deployment escapes a name collision)', () => {
    const t: PodTemplateSpec = { metadata: { labels: { app: 'x' } } };
    assert.notEqual(computeHash(t), computeHash(t, 1));
    assert.notEqual(computeHash(t, 1), computeHash(t, 2));
    assert.equal(computeHash(t, 1), computeHash(t, 1));
  });

  test('the selector gains the hash label without touching the original', () => {
    const sel = { matchLabels: { app: 'x' }, matchExpressions: [{ key: 'k', operator: 'Exists' }] };
    const out = cloneSelectorAndAddLabel(sel, 'pod-template-hash', 'abc');
    assert.deepEqual(out.matchLabels, { app: 'x', 'pod-template-hash': 'abc' });
    assert.deepEqual(sel.matchLabels, { app: 'x' });
    assert.deepEqual(out.matchExpressions, sel.matchExpressions);
  });
});
