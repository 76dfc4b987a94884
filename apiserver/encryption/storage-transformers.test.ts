import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { parseEncryptionConfiguration, type ProviderConfiguration } from './config.js';
import { StorageTransformers } from './storage-transformers.js';

const k1 = randomBytes(32).toString('base64');
const k2 = randomBytes(32).toString('base64');
const KEY = '/registry/secrets/default/s1';
const plain = Buffer.from('{"kind":"Secret","metadata":{"name":"s1"}}');

const aescbc = (...keys: [string, string][]): ProviderConfiguration => ({ aescbc: { keys: keys.map(([name, secret]) => ({ name, secret })) } });
const aesgcm = (...keys: [string, string][]): ProviderConfiguration => ({ aesgcm: { keys: keys.map(([name, secret]) => ({ name, secret })) } });
const identity: ProviderConfiguration = { identity: {} };

function transformers(...entries: { resources: string[]; providers: ProviderConfiguration[] }[]): StorageTransformers {
  return StorageTransformers.forResources(parseEncryptionConfiguration(JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: entries })), '/registry');
}

/** The secrets transformer of a config of one entry for secrets. */
function secrets(...providers: ProviderConfiguration[]) {
  const t = transformers({ resources: ['secrets'], providers }).forKey(KEY);
  assert.ok(t);
  return t;
}

test('resources map to storage prefixes: exact, *.group and *.* (first matching entry wins)', () => {
  const t = transformers(
    { resources: ['secrets', 'deployments.apps'], providers: [aescbc(['a', k1])] },
    { resources: ['*.apps'], providers: [aesgcm(['b', k1])] },
    { resources: ['*.'], providers: [aescbc(['c', k1])] },
  );
  assert.ok(t.prefixes.includes('/registry/secrets/'));
  assert.ok(t.prefixes.includes('/registry/configmaps/'), 'via *.');
  assert.ok(t.prefixes.includes('/registry/apps/replicasets/'), 'via *.apps');
  assert.ok(!t.prefixes.includes('/registry/batch/jobs/'), 'no rule covers batch');
  const written = (key: string) => t.forKey(key)!.toStorage(plain, key).subarray(0, 20).toString('latin1');
  assert.equal(written('/registry/secrets/ns/x'), 'k8s:enc:aescbc:v1:a:');
  assert.equal(written('/registry/apps/deployments/ns/x'), 'k8s:enc:aescbc:v1:a:');
  assert.equal(written('/registry/apps/replicasets/ns/x'), 'k8s:enc:aesgcm:v1:b:');
  assert.equal(written('/registry/configmaps/ns/x'), 'k8s:enc:aescbc:v1:c:');
  assert.equal(t.forKey('/registry/batch/jobs/ns/x'), undefined);
  assert.equal(t.forKey('/registry/namespaces/default')!.toStorage(plain, '').subarray(0, 20).toString('latin1'), 'k8s:enc:aescbc:v1:c:', 'cluster-scoped core');
  assert.equal(t.forKey('/registry'), undefined);
  assert.equal(t.forKey('/registry/ranges/serviceips'), undefined);

  // A config of a few resources (looked up by comparing prefixes rather than a map).
  const few = transformers({ resources: ['secrets', 'leases.coordination.k8s.io'], providers: [aescbc(['a', k1])] });
  assert.deepEqual(few.prefixes, ['/registry/coordination.k8s.io/leases/', '/registry/secrets/']);
  assert.ok(few.forKey('/registry/secrets/ns/x'));
  assert.ok(few.forKey('/registry/coordination.k8s.io/leases/ns/x'));
  assert.equal(few.forKey('/registry/secretsx/ns/x'), undefined);
  assert.equal(few.forKey('/registry/configmaps/ns/x'), undefined);
});

test('*.* covers every served resource; an etcd prefix other than /registry works', () => {
  const cfg = parseEncryptionConfiguration(JSON.stringify({ apiVersion: 'apiserver.config.k8s.io/v1', kind: 'EncryptionConfiguration', resources: [{ resources: ['*.*'], providers: [aescbc(['a', k1])] }] }));
  const t = StorageTransformers.forResources(cfg, '/tskube/');
  assert.ok(t.forKey('/tskube/pods/ns/p'));
  assert.ok(t.forKey('/tskube/rbac.authorization.k8s.io/clusterroles/admin'));
  assert.equal(t.forKey('/registry/pods/ns/p'), undefined);
});

test('aescbc round trip through the configured transformer, with the Kubernetes prefix', () => {
  const t = secrets(aescbc(['key1', k1]));
  const stored = t.toStorage(plain, KEY);
  assert.ok(stored.subarray(0, 23).equals(Buffer.from('k8s:enc:aescbc:v1:key1:')));
  assert.ok(!stored.includes(Buffer.from('"kind":"Secret"')));
  assert.deepEqual(t.fromStorage(stored, KEY), { data: plain, stale: false });
});

test('aesgcm round trip; the value under another key fails, naming its prefix', () => {
  const t = secrets(aesgcm(['key1', k1]));
  const stored = t.toStorage(plain, KEY);
  assert.ok(stored.subarray(0, 23).equals(Buffer.from('k8s:enc:aesgcm:v1:key1:')));
  assert.deepEqual(t.fromStorage(stored, KEY), { data: plain, stale: false });
  assert.throws(() => t.fromStorage(stored, '/registry/secrets/default/other'), /^Error: cipher: message authentication failed \(value prefix "k8s:enc:aesgcm:v1:key1:"\)$/);
});

test('identity round trip: plaintext in, plaintext out', () => {
  const t = secrets(identity);
  assert.deepEqual(t.toStorage(plain, KEY), plain);
  assert.deepEqual(t.fromStorage(plain, KEY), { data: plain, stale: false });
});

test('rotation: written with key1; [key2, key1] reads it stale and writes key2', () => {
  const stored = secrets(aescbc(['key1', k1]), identity).toStorage(plain, KEY);
  for (const rotated of [secrets(aescbc(['key2', k2], ['key1', k1]), identity), secrets(aescbc(['key2', k2]), aescbc(['key1', k1]), identity)]) {
    assert.deepEqual(rotated.fromStorage(stored, KEY), { data: plain, stale: true });
    const rewritten = rotated.toStorage(plain, KEY);
    assert.ok(rewritten.subarray(0, 23).equals(Buffer.from('k8s:enc:aescbc:v1:key2:')));
    assert.deepEqual(rotated.fromStorage(rewritten, KEY), { data: plain, stale: false });
  }
});

test('plaintext reads only when identity is listed; stale unless identity is first', () => {
  assert.throws(() => secrets(aescbc(['key1', k1])).fromStorage(plain, KEY), /no matching prefix found \(the value is not encrypted and identity is not a configured provider\)/);
  assert.deepEqual(secrets(aescbc(['key1', k1]), identity).fromStorage(plain, KEY), { data: plain, stale: true });
  assert.deepEqual(secrets(identity, aescbc(['key1', k1])).fromStorage(plain, KEY), { data: plain, stale: false });
});

test('decrypting away: identity first reads encrypted values (stale) and writes plaintext', () => {
  const stored = secrets(aescbc(['key1', k1])).toStorage(plain, KEY);
  const t = secrets(identity, aescbc(['key1', k1]));
  assert.deepEqual(t.fromStorage(stored, KEY), { data: plain, stale: true });
  assert.deepEqual(t.toStorage(plain, KEY), plain);
});

test('an unknown key or provider is an error naming the value prefix, identity or not', () => {
  const stored = secrets(aescbc(['key1', k1])).toStorage(plain, KEY);
  for (const t of [secrets(aescbc(['key2', k2])), secrets(aescbc(['key2', k2]), identity)]) {
    assert.throws(() => t.fromStorage(stored, KEY), /^Error: no matching key was found for the provided AES transformer \(value prefix "k8s:enc:aescbc:v1:key1:"\)$/);
  }
  const gcm = secrets(aesgcm(['key1', k1])).toStorage(plain, KEY);
  assert.throws(() => secrets(aescbc(['key1', k1]), identity).fromStorage(gcm, KEY), /^Error: no matching prefix found \(value prefix "k8s:enc:aesgcm:v1:key1:"\)$/);
});

test('a key of the right name but the wrong secret fails', () => {
  const stored = secrets(aesgcm(['key1', k1])).toStorage(plain, KEY);
  assert.throws(() => secrets(aesgcm(['key1', k2])).fromStorage(stored, KEY), /message authentication failed \(value prefix "k8s:enc:aesgcm:v1:key1:"\)/);
});

test('the same resource in two entries: the first entry writes, both read', () => {
  const old = secrets(aescbc(['old', k1])).toStorage(plain, KEY);
  const t = transformers({ resources: ['secrets'], providers: [aesgcm(['new', k2])] }, { resources: ['secrets', 'configmaps'], providers: [aescbc(['old', k1])] }).forKey(KEY)!;
  assert.ok(t.toStorage(plain, KEY).subarray(0, 22).equals(Buffer.from('k8s:enc:aesgcm:v1:new:')));
  assert.deepEqual(t.fromStorage(old, KEY), { data: plain, stale: true });
});
