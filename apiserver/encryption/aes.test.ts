import assert from 'node:assert/strict';
import { createDecipheriv, randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { AESCBCTransformer, AESGCMTransformer, aesKeyTransformers } from './aes.js';

const KEY = '/registry/secrets/default/s1';
const plain = Buffer.from('{"kind":"Secret","data":{"password":"aHVudGVyMg=="}}');

for (const size of [16, 24, 32]) {
  test(`aescbc ${size * 8}-bit: round trip, random IV, the layout Kubernetes writes`, () => {
    const secret = randomBytes(size);
    const t = new AESCBCTransformer(secret);
    const a = t.toStorage(plain, KEY);
    const b = t.toStorage(plain, KEY);
    assert.notDeepEqual(a, b, 'a fresh IV per write');
    assert.equal((a.length - 16) % 16, 0);
    assert.deepEqual(t.fromStorage(a, KEY), { data: plain, stale: false });
    // IV ‖ CBC(PKCS#7): an independent decipher reads it.
    const d = createDecipheriv(`aes-${size * 8}-cbc`, secret, a.subarray(0, 16));
    assert.deepEqual(Buffer.concat([d.update(a.subarray(16)), d.final()]), plain);
  });

  test(`aesgcm ${size * 8}-bit: round trip, nonce ‖ ciphertext ‖ tag with the etcd key as AAD`, () => {
    const secret = randomBytes(size);
    const t = new AESGCMTransformer(secret);
    const a = t.toStorage(plain, KEY);
    assert.equal(a.length, 12 + plain.length + 16);
    assert.deepEqual(t.fromStorage(a, KEY), { data: plain, stale: false });
    const d = createDecipheriv(`aes-${size * 8}-gcm` as 'aes-256-gcm', secret, a.subarray(0, 12));
    d.setAAD(Buffer.from(KEY));
    d.setAuthTag(a.subarray(a.length - 16));
    assert.deepEqual(Buffer.concat([d.update(a.subarray(12, a.length - 16)), d.final()]), plain);
  });
}

test('aesgcm: a value moved under another etcd key does not decrypt', () => {
  const t = new AESGCMTransformer(randomBytes(32));
  const stored = t.toStorage(plain, KEY);
  assert.throws(() => t.fromStorage(stored, '/registry/secrets/default/s2'), /message authentication failed/);
});

test('aesgcm: a flipped ciphertext bit is detected', () => {
  const t = new AESGCMTransformer(randomBytes(32));
  const stored = t.toStorage(plain, KEY);
  stored[20]! ^= 1;
  assert.throws(() => t.fromStorage(stored, KEY), /message authentication failed/);
});

test('aescbc: a wrong key or a truncated value is an error, never garbage', () => {
  const stored = new AESCBCTransformer(randomBytes(32)).toStorage(plain, KEY);
  const other = new AESCBCTransformer(randomBytes(32));
  // A wrong key yields valid padding by chance ~1/256; the value differs, so try a few keys.
  let failures = 0;
  for (let i = 0; i < 8; i++) {
    try {
      const out = new AESCBCTransformer(randomBytes(32)).fromStorage(stored, KEY).data;
      assert.notDeepEqual(out, plain);
    } catch (e) {
      assert.match(String(e), /invalid PKCS7 data/);
      failures++;
    }
  }
  assert.ok(failures >= 6, `wrong keys failed ${failures}/8 times`);
  assert.throws(() => other.fromStorage(stored.subarray(0, 10), KEY), /shorter than the required size/);
  assert.throws(() => other.fromStorage(stored.subarray(0, stored.length - 1), KEY), /not a multiple of the block size/);
});

test('aes keys: the first key writes, every key reads, reads by another key are stale', () => {
  const [k1, k2] = [randomBytes(32), randomBytes(32)];
  const old = aesKeyTransformers('aescbc', [{ name: 'key1', secret: k1 }]);
  const written = old.toStorage(plain, KEY);
  assert.equal(written.subarray(0, 5).toString(), 'key1:');

  const rotated = aesKeyTransformers('aescbc', [
    { name: 'key2', secret: k2 },
    { name: 'key1', secret: k1 },
  ]);
  assert.deepEqual(rotated.fromStorage(written, KEY), { data: plain, stale: true });
  const rewritten = rotated.toStorage(plain, KEY);
  assert.equal(rewritten.subarray(0, 5).toString(), 'key2:');
  assert.deepEqual(rotated.fromStorage(rewritten, KEY), { data: plain, stale: false });

  const without = aesKeyTransformers('aescbc', [{ name: 'key2', secret: k2 }]);
  assert.throws(() => without.fromStorage(written, KEY), /no matching key was found for the provided AES transformer/);
});

test('aes: keys must be 16, 24 or 32 bytes', () => {
  assert.throws(() => new AESCBCTransformer(randomBytes(10)), /16, 24 or 32 bytes/);
  assert.throws(() => new AESGCMTransformer(randomBytes(33)), /16, 24 or 32 bytes/);
});
