// Encryption at rest end to end: a real etcd, in-process apiservers started with
// --encryption-provider-config, the raw etcd values read with the etcd3 client.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { pino, type Logger } from 'pino';
import { createApiserver, DEFAULT_OPTIONS, type Apiserver } from '../server/apiserver.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import type { EtcdHandle } from '../../test/harness/etcd.js';
import { http, openWatch } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

const dir = mkdtempSync(join(tmpdir(), 'tskube-encryption-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const key1 = randomBytes(32).toString('base64');
const key2 = randomBytes(32).toString('base64');

/** Writes an EncryptionConfiguration for secrets with these providers; returns its path. */
function configFile(name: string, providers: unknown[]): string {
  const path = join(dir, `${name}.yaml`);
  const yaml = ['apiVersion: apiserver.config.k8s.io/v1', 'kind: EncryptionConfiguration', 'resources:', '  - resources: [secrets]', `    providers: ${JSON.stringify(providers)}`].join('\n');
  writeFileSync(path, yaml);
  return path;
}
const aescbc = (...keys: [string, string][]) => ({ aescbc: { keys: keys.map(([name, secret]) => ({ name, secret })) } });
const identity = { identity: {} };

// ---- the HTTP edge: every call the tests make goes through these two functions ----------

interface Served {
  url: string;
  server: Apiserver;
}

/** A second (third…) apiserver on an etcd that already holds data, as after a restart. */
async function serveOn(etcd: EtcdHandle, encryptionProviderConfig: string | undefined, logger: Logger = pino({ level: 'silent' })): Promise<Served> {
  const server = await createApiserver({ ...DEFAULT_OPTIONS, compactionIntervalSeconds: 0, etcdServers: [etcd.endpoint], logger, encryptionProviderConfig });
  await server.app.listen({ host: '127.0.0.1', port: 0 });
  await server.ready();
  const addr = server.app.server.address();
  return { url: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`, server };
}

/** One API call against an apiserver; JSON in, status and JSON out. */
async function call(api: { url: string }, method: string, path: string, body?: unknown) {
  return http(api)(method, path, body);
}

// ---- helpers -----------------------------------------------------------------------------

const secret = (name: string, password: string) => ({
  apiVersion: 'v1',
  kind: 'Secret',
  metadata: { name },
  type: 'Opaque',
  data: { password: Buffer.from(password).toString('base64') },
});
const password = (obj: { data?: { password?: string } }) => Buffer.from(obj.data?.password ?? '', 'base64').toString();

async function raw(etcd: EtcdHandle, key: string): Promise<Buffer> {
  const client = new Etcd3({ hosts: etcd.endpoint });
  try {
    const v = await client.get(key).buffer();
    assert.ok(v, `${key} is in etcd`);
    return v;
  } finally {
    client.close();
  }
}

async function createSecret(api: { url: string }, name: string, pw: string) {
  const res = await call(api, 'POST', '/api/v1/namespaces/default/secrets', secret(name, pw));
  assert.equal(res.status, 201, res.text);
  return res.body;
}

// ---- tests ------------------------------------------------------------------------------

test('secrets are aescbc-encrypted in etcd; GET, LIST and WATCH return them in plaintext; configmaps stay plain', async () => {
  const api: TestApiserver = await startTestApiserver({ encryptionProviderConfig: configFile('cbc', [aescbc(['key1', key1]), identity]) });
  try {
    const name = 'database-credentials';
    const pw = 'correct-horse-battery-staple';
    const created = await createSecret(api, name, pw);
    assert.equal(password(created), pw);

    const stored = await raw(api.etcd, `/registry/secrets/default/${name}`);
    assert.ok(stored.subarray(0, 23).equals(Buffer.from('k8s:enc:aescbc:v1:key1:')), stored.subarray(0, 40).toString('latin1'));
    for (const plain of [pw, Buffer.from(pw).toString('base64'), name, '"kind":"Secret"']) {
      assert.ok(!stored.includes(Buffer.from(plain)), `etcd value must not contain ${plain}`);
    }

    const got = await call(api, 'GET', `/api/v1/namespaces/default/secrets/${name}`);
    assert.equal(got.status, 200);
    assert.equal(password(got.body), pw);
    assert.equal(got.body.metadata.resourceVersion, created.metadata.resourceVersion);
    // From etcd (no resourceVersion) and from the watch cache (resourceVersion=0).
    for (const q of ['', '?resourceVersion=0']) {
      const list = await call(api, 'GET', `/api/v1/namespaces/default/secrets${q}`);
      assert.equal(list.status, 200);
      assert.equal(password(list.body.items.find((s: { metadata: { name: string } }) => s.metadata.name === name)), pw, `LIST${q}`);
    }
    const cached = await call(api, 'GET', `/api/v1/namespaces/default/secrets/${name}?resourceVersion=0`);
    assert.equal(password(cached.body), pw);

    // WATCH: the initial state from the cache, then an update decoded from the etcd event.
    const w = await openWatch(`${api.url}/api/v1/namespaces/default/secrets?watch=1`, {}, api.dispatcher);
    await waitFor('initial ADDED', () => w.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === name));
    assert.equal(password(w.events.find((e) => e.object.metadata.name === name)!.object), pw);
    const upd = await call(api, 'PUT', `/api/v1/namespaces/default/secrets/${name}`, { ...got.body, data: { password: Buffer.from('rotated-pw').toString('base64') } });
    assert.equal(upd.status, 200, upd.text);
    await waitFor('MODIFIED', () => w.events.some((e) => e.type === 'MODIFIED' && password(e.object) === 'rotated-pw'));
    await w.close();

    const cm = await call(api, 'POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'plain-visible' } });
    assert.equal(cm.status, 201);
    const cmStored = JSON.parse((await raw(api.etcd, '/registry/configmaps/default/settings')).toString());
    assert.equal(cmStored.data.mode, 'plain-visible');
  } finally {
    await api.stop();
  }
});

test('enabling encryption on existing data, then rotating to a new key across restarts', async () => {
  const api = await startTestApiserver();
  let current: Served | undefined;
  try {
    await createSecret(api, 'written-before', 'pw-before');
    assert.equal(JSON.parse((await raw(api.etcd, '/registry/secrets/default/written-before')).toString()).kind, 'Secret');
    await api.server.close();

    // Encryption on: key1 writes; the plaintext secret still reads because identity is listed.
    current = await serveOn(api.etcd, configFile('enable', [aescbc(['key1', key1]), identity]));
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/written-before')).body), 'pw-before');
    const s1 = await createSecret(current, 'written-with-key1', 'pw-key1');
    assert.ok((await raw(api.etcd, '/registry/secrets/default/written-with-key1')).subarray(0, 23).equals(Buffer.from('k8s:enc:aescbc:v1:key1:')));
    await current.server.close();

    // Rotation: key2 first, key1 still read.
    current = await serveOn(api.etcd, configFile('rotate', [aescbc(['key2', key2], ['key1', key1]), identity]));
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/written-with-key1')).body), 'pw-key1');
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/written-before')).body), 'pw-before');
    const list = await call(current, 'GET', '/api/v1/namespaces/default/secrets?resourceVersion=0');
    assert.deepEqual(list.body.items.map((s: { metadata: { name: string } }) => s.metadata.name).sort(), ['written-before', 'written-with-key1']);
    const upd = await call(current, 'PUT', '/api/v1/namespaces/default/secrets/written-with-key1', { ...s1, metadata: { ...s1.metadata, resourceVersion: undefined }, data: { password: Buffer.from('pw-key2').toString('base64') } });
    assert.equal(upd.status, 200, upd.text);
    assert.ok((await raw(api.etcd, '/registry/secrets/default/written-with-key1')).subarray(0, 23).equals(Buffer.from('k8s:enc:aescbc:v1:key2:')));
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/written-with-key1')).body), 'pw-key2');
    await current.server.close();

    // The flag left off: plaintext values read, encrypted ones are a clear 500, not a JSON error.
    current = await serveOn(api.etcd, undefined);
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/written-before')).body), 'pw-before');
    const lost = await call(current, 'GET', '/api/v1/namespaces/default/secrets/written-with-key1');
    assert.equal(lost.status, 500);
    assert.equal(
      lost.body.message,
      'Internal error occurred: unable to transform key "/registry/secrets/default/written-with-key1": identity transformer tried to read encrypted data (value prefix "k8s:enc:aescbc:v1:key2:")',
    );
    assert.equal((await call(current, 'GET', '/api/v1/namespaces/default/secrets?resourceVersion=0')).status, 500);
  } finally {
    await current?.server.close();
    await api.etcd.stop();
  }
});

test('a value no configured key can read: 500 for that request, logged once, the apiserver keeps serving', async () => {
  const api = await startTestApiserver({ encryptionProviderConfig: configFile('only-key1', [aescbc(['key1', key1])]) });
  let current: Served | undefined;
  try {
    await createSecret(api, 'old-key', 'pw-old');
    await api.server.close();

    const logged: { msg: string; key?: string }[] = [];
    const logger = pino({ level: 'error' }, { write: (line: string) => void logged.push(JSON.parse(line)) });
    current = await serveOn(api.etcd, configFile('only-key2', [aescbc(['key2', key2])]), logger);
    await createSecret(current, 'new-key', 'pw-new');

    for (let i = 0; i < 2; i++) {
      const got = await call(current, 'GET', '/api/v1/namespaces/default/secrets/old-key');
      assert.equal(got.status, 500);
      assert.equal(got.body.kind, 'Status');
      assert.equal(got.body.reason, 'InternalError');
      assert.equal(
        got.body.message,
        'Internal error occurred: unable to transform key "/registry/secrets/default/old-key": no matching key was found for the provided AES transformer (value prefix "k8s:enc:aescbc:v1:key1:")',
      );
    }
    // A LIST that covers the unreadable secret fails, from etcd and from the watch cache alike.
    for (const path of ['/api/v1/namespaces/default/secrets', '/api/v1/namespaces/default/secrets?resourceVersion=0', '/api/v1/secrets?resourceVersion=0']) {
      const list = await call(current, 'GET', path);
      assert.equal(list.status, 500, path);
      assert.match(list.body.message, /unable to transform key "\/registry\/secrets\/default\/old-key"/);
    }
    // The rest is served: readable secrets, other namespaces, other resources.
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/new-key')).body), 'pw-new');
    assert.equal((await call(current, 'GET', '/api/v1/namespaces/kube-system/secrets?resourceVersion=0')).status, 200);
    assert.equal((await call(current, 'GET', '/api/v1/namespaces/default/configmaps')).status, 200);
    const about = logged.filter((l) => l.key === '/registry/secrets/default/old-key');
    assert.equal(about.length, 1, JSON.stringify(logged));

    // An unreadable value arriving as a watch event: the cache stops serving it, open
    // watchers end, the process lives on.
    const w = await openWatch(`${current.url}/api/v1/namespaces/kube-system/secrets?watch=1`);
    const client = new Etcd3({ hosts: api.etcd.endpoint });
    try {
      await client.put('/registry/secrets/kube-system/planted').value(Buffer.concat([Buffer.from('k8s:enc:aescbc:v1:key9:'), randomBytes(48)]));
    } finally {
      client.close();
    }
    await waitFor('the watch to end', () => w.ended);
    await w.close();
    const listed = await waitFor('the cached LIST to fail', async () => {
      const r = await call(current!, 'GET', '/api/v1/namespaces/kube-system/secrets?resourceVersion=0');
      return r.status === 500 ? r : undefined;
    });
    assert.match(listed.body.message, /unable to transform key "\/registry\/secrets\/kube-system\/planted": no matching key was found for the provided AES transformer \(value prefix "k8s:enc:aescbc:v1:key9:"\)/);
    assert.equal((await call(current, 'GET', '/api/v1/namespaces/kube-system/secrets/planted?resourceVersion=0')).status, 500);
    assert.equal((await call(current, 'GET', '/healthz')).status, 200);
    assert.equal(password((await call(current, 'GET', '/api/v1/namespaces/default/secrets/new-key?resourceVersion=0')).body), 'pw-new');
  } finally {
    await current?.server.close();
    await api.etcd.stop();
  }
});

test('an invalid --encryption-provider-config refuses the start, naming the field', async () => {
  const path = join(dir, 'bad.yaml');
  writeFileSync(path, 'apiVersion: apiserver.config.k8s.io/v1\nkind: EncryptionConfiguration\nresources:\n  - resources: [secrets]\n    providers: [{kms: {name: k}}]\n');
  await assert.rejects(
    createApiserver({ ...DEFAULT_OPTIONS, etcdServers: ['http://127.0.0.1:1'], logger: pino({ level: 'silent' }), encryptionProviderConfig: path }),
    (e: Error) => e.message === `error while parsing encryption provider configuration file "${path}": resources[0].providers[0].kms: Unsupported value: "kms": tskube does not implement the kms provider; supported values: "aescbc", "aesgcm", "identity"`,
  );
});
