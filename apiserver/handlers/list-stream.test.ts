// A LIST longer than the streaming threshold is written in batches (chunked), and is still
// one well-formed List with every item, the list metadata and the negotiated Content-Type.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { http } from '../../test/harness/http.js';

const COUNT = 1500;
let api: TestApiserver;
let req: ReturnType<typeof http>;

before(async () => {
  api = await startTestApiserver();
  req = http(api);
  await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'many' } });
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    for (let i = next++; i < COUNT; i = next++) {
      const r = await req('POST', '/api/v1/namespaces/many/configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${i}` }, data: { i: String(i) } });
      assert.equal(r.status, 201);
    }
  }));
});
after(async () => {
  await api?.stop();
});

test('a long LIST, from etcd and from the watch cache, is one List with every item', async () => {
  for (const q of ['', '?resourceVersion=0']) {
    const r = await req('GET', `/api/v1/namespaces/many/configmaps${q}`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^application\/json/);
    assert.equal(r.body.kind, 'ConfigMapList');
    assert.equal(r.body.apiVersion, 'v1');
    assert.ok(Number(r.body.metadata.resourceVersion) > 0);
    assert.equal(r.body.items.length, COUNT);
    assert.equal(new Set(r.body.items.map((i: { metadata: { name: string } }) => i.metadata.name)).size, COUNT);
  }
});
