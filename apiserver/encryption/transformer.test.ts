import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdentityTransformer, PrefixTransformers, ResourceTransformer, TransformError, valuePrefix, type ValueTransformer } from './transformer.js';

const KEY = '/registry/secrets/ns/a';

/** Reversal under a prefix: enough to see which transformer ran. */
const reverse: ValueTransformer = {
  toStorage: (d) => Buffer.from(d).reverse(),
  fromStorage: (d) => ({ data: Buffer.from(d).reverse(), stale: false }),
};
const failing = (why: string): ValueTransformer => ({
  toStorage: (d) => d,
  fromStorage: () => {
    throw new TransformError(why);
  },
});

test('identity: plaintext both ways; refuses a k8s:enc: value', () => {
  const t = new IdentityTransformer();
  assert.deepEqual(t.toStorage(Buffer.from('{}')), Buffer.from('{}'));
  assert.deepEqual(t.fromStorage(Buffer.from('{}')), { data: Buffer.from('{}'), stale: false });
  assert.throws(() => t.fromStorage(Buffer.from('k8s:enc:aescbc:v1:k:xyz')), /identity transformer tried to read encrypted data/);
});

test('prefix transformers: the first writes with its prefix; reads pick by prefix; non-first reads are stale', () => {
  const t = new PrefixTransformers(
    [
      { prefix: Buffer.from('A:'), transformer: reverse },
      { prefix: Buffer.from('B:'), transformer: reverse },
    ],
    'no matching prefix found',
  );
  const stored = t.toStorage(Buffer.from('abc'), KEY);
  assert.equal(stored.toString(), 'A:cba');
  assert.deepEqual(t.fromStorage(stored, KEY), { data: Buffer.from('abc'), stale: false });
  assert.deepEqual(t.fromStorage(Buffer.from('B:cba'), KEY), { data: Buffer.from('abc'), stale: true });
  assert.throws(() => t.fromStorage(Buffer.from('C:cba'), KEY), /^Error: no matching prefix found$/);
});

test('prefix transformers: a failing match does not stop the search; all failures are reported', () => {
  const t = new PrefixTransformers(
    [
      { prefix: Buffer.from('P:'), transformer: failing('first failed') },
      { prefix: Buffer.from('P:'), transformer: reverse },
    ],
    'none',
  );
  assert.deepEqual(t.fromStorage(Buffer.from('P:ba'), KEY), { data: Buffer.from('ab'), stale: true });
  const both = new PrefixTransformers(
    [
      { prefix: Buffer.from('P:'), transformer: failing('one') },
      { prefix: Buffer.from('P:'), transformer: failing('two') },
    ],
    'none',
  );
  assert.throws(() => both.fromStorage(Buffer.from('P:x'), KEY), /^Error: \[one, two\]$/);
});

test('prefix transformers: identity (empty prefix) failing on encrypted data stays silent', () => {
  const t = new PrefixTransformers([{ prefix: Buffer.alloc(0), transformer: new IdentityTransformer() }], 'no matching prefix found');
  assert.throws(() => t.fromStorage(Buffer.from('k8s:enc:aescbc:v1:key1:zz'), KEY), /^Error: no matching prefix found$/);
});

test('valuePrefix: the provider and key name of an encrypted value, nothing of its body', () => {
  assert.equal(valuePrefix(Buffer.from('k8s:enc:aescbc:v1:key1:\x00\x01secret')), 'k8s:enc:aescbc:v1:key1:');
  assert.equal(valuePrefix(Buffer.from('k8s:enc:aesgcm:v1:k2:a:b:c')), 'k8s:enc:aesgcm:v1:k2:');
  assert.equal(valuePrefix(Buffer.from('k8s:enc:aescbc\x00:v1:key1:')), 'k8s:enc:');
  assert.equal(valuePrefix(Buffer.from('{"kind":"Secret"}')), undefined);
});

test('resource transformer: errors name the value prefix, or say the value is plaintext', () => {
  const t = new ResourceTransformer(new PrefixTransformers([{ prefix: Buffer.from('k8s:enc:aescbc:v1:'), transformer: failing('no matching key was found for the provided AES transformer') }], 'no matching prefix found'));
  assert.throws(
    () => t.fromStorage(Buffer.from('k8s:enc:aescbc:v1:key9:\x01\x02'), KEY),
    (e: Error) => e.message === 'no matching key was found for the provided AES transformer (value prefix "k8s:enc:aescbc:v1:key9:")',
  );
  assert.throws(() => t.fromStorage(Buffer.from('{"kind":"Secret"}'), KEY), /no matching prefix found \(the value is not encrypted and identity is not a configured provider\)/);
});
