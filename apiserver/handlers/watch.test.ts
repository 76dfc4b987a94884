// Watch over HTTP from the watch cache: event order, resume, selectors, bookmarks, 410 after
// the ring moves on or etcd compacts, and slow-reader safety.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { http, openWatch } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

let api: TestApiserver;
let req: ReturnType<typeof http>;

before(async () => {
  api = await startTestApiserver({ watchCacheSize: 20, bookmarkIntervalSeconds: 1 });
  req = http(api);
  await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'w' } });
});
after(async () => {
  await api?.stop();
});

const cm = (name: string, labels: Record<string, string> = {}, data: Record<string, string> = {}) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, labels },
  data,
});

describe('watch', () => {
  test('ADDED, MODIFIED, DELETED in order, from the list resourceVersion', async () => {
    const list = await req('GET', '/api/v1/namespaces/w/configmaps');
    const rv = list.body.metadata.resourceVersion;
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${rv}`, {}, api.dispatcher);
    assert.equal(w.status, 200);
    const c = (await req('POST', '/api/v1/namespaces/w/configmaps', cm('a'))).body;
    await req('PUT', '/api/v1/namespaces/w/configmaps/a', { ...c, data: { x: '1' } });
    await req('DELETE', '/api/v1/namespaces/w/configmaps/a');
    await waitFor('three events', () => w.events.length >= 3);
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'MODIFIED', 'DELETED']);
    assert.equal(w.events[1]!.object.data.x, '1');
    const rvs = w.events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.ok(rvs[0]! < rvs[1]! && rvs[1]! < rvs[2]!);
    await w.close();
  });

  test('without resourceVersion the watch starts with the current objects', async () => {
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('existing'));
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=1`, {}, api.dispatcher);
    await waitFor('initial ADDED', () => w.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === 'existing'));
    await w.close();
  });

  test('resume from a past resourceVersion replays what happened since', async () => {
    const a = (await req('POST', '/api/v1/namespaces/w/configmaps', cm('r1'))).body;
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('r2'));
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${a.metadata.resourceVersion}`, {}, api.dispatcher);
    await waitFor('replayed r2', () => w.events.some((e) => e.object.metadata?.name === 'r2'));
    assert.ok(!w.events.some((e) => e.object.metadata?.name === 'r1'));
    await w.close();
  });

  test('label-selector watches see objects enter and leave the selection', async () => {
    const list = await req('GET', '/api/v1/namespaces/w/configmaps');
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&labelSelector=team%3Dblue&resourceVersion=${list.body.metadata.resourceVersion}`, {}, api.dispatcher);
    const c = (await req('POST', '/api/v1/namespaces/w/configmaps', cm('sel', { team: 'red' }))).body;
    const blue = (await req('PUT', '/api/v1/namespaces/w/configmaps/sel', { ...c, metadata: { ...c.metadata, labels: { team: 'blue' } } })).body;
    await req('PUT', '/api/v1/namespaces/w/configmaps/sel', { ...blue, metadata: { ...blue.metadata, labels: { team: 'green' } } });
    await waitFor('added then deleted', () => w.events.length >= 2);
    assert.deepEqual(w.events.map((e) => e.type), ['ADDED', 'DELETED']);
    await w.close();
  });

  test('namespace scope and field selectors filter events', async () => {
    const list = await req('GET', '/api/v1/configmaps');
    const w = await openWatch(`${api.url}/api/v1/namespaces/default/configmaps?watch=true&fieldSelector=metadata.name%3Dpick&resourceVersion=${list.body.metadata.resourceVersion}`, {}, api.dispatcher);
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('pick'));
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('skip'));
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('pick'));
    await waitFor('one event', () => w.events.length >= 1);
    assert.equal(w.events[0]!.object.metadata.namespace, 'default');
    assert.equal(w.events[0]!.object.metadata.name, 'pick');
    await w.close();
  });

  test('bookmarks carry the current resourceVersion', async () => {
    const list = await req('GET', '/api/v1/namespaces/w/configmaps');
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&allowWatchBookmarks=true&resourceVersion=${list.body.metadata.resourceVersion}`, {}, api.dispatcher);
    await waitFor('a bookmark', () => w.events.some((e) => e.type === 'BOOKMARK'), 5000);
    const b = w.events.find((e) => e.type === 'BOOKMARK')!;
    assert.equal(b.object.kind, 'ConfigMap');
    assert.match(b.object.metadata.resourceVersion, /^\d+$/);
    await w.close();
  });

  test('timeoutSeconds ends the stream', async () => {
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&timeoutSeconds=1`, {}, api.dispatcher);
    await waitFor('stream end', () => w.ended, 5000);
  });

  test('a resourceVersion older than the cache window gets a 410 Expired ERROR event', async () => {
    const first = (await req('POST', '/api/v1/namespaces/w/configmaps', cm('old'))).body;
    for (let i = 0; i < 30; i++) await req('PUT', '/api/v1/namespaces/w/configmaps/old', { ...first, metadata: { ...first.metadata, resourceVersion: undefined }, data: { i: String(i) } });
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${first.metadata.resourceVersion}`, {}, api.dispatcher);
    await waitFor('error event', () => w.events.length >= 1 && w.ended);
    assert.equal(w.events[0]!.type, 'ERROR');
    assert.equal(w.events[0]!.object.kind, 'Status');
    assert.equal(w.events[0]!.object.code, 410);
    assert.equal(w.events[0]!.object.reason, 'Expired');
  });

  test('after etcd compaction a list at the old revision is 410; a relist and re-watch works', async () => {
    const a = (await req('POST', '/api/v1/namespaces/w/configmaps', cm('compact-a'))).body;
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('compact-b'));
    const rev = await api.server.storage.currentRevision();
    await api.server.storage.compact(rev);
    const gone = await req('GET', `/api/v1/namespaces/w/configmaps?resourceVersion=${a.metadata.resourceVersion}&resourceVersionMatch=Exact`);
    assert.equal(gone.status, 410, gone.text);
    assert.equal(gone.body.reason, 'Expired');
    const relist = await req('GET', '/api/v1/namespaces/w/configmaps');
    assert.equal(relist.status, 200);
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${relist.body.metadata.resourceVersion}`, {}, api.dispatcher);
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('compact-c'));
    await waitFor('event after compaction', () => w.events.some((e) => e.object.metadata?.name === 'compact-c'));
    await w.close();
  });

  test('Table watches send one-row tables', async () => {
    const list = await req('GET', '/api/v1/namespaces/w/configmaps');
    const w = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json',
    }, api.dispatcher);
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('tbl'));
    await waitFor('table event', () => w.events.length >= 1);
    assert.equal(w.events[0]!.object.kind, 'Table');
    assert.equal(w.events[0]!.object.rows.length, 1);
    assert.equal(w.events[0]!.object.rows[0].cells[0], 'tbl');
    await w.close();
  });

  test('a reader that never reads is dropped without hurting others', async () => {
    const tls = await import('node:tls');
    const url = new URL(api.url);
    const sock = tls.connect({ port: Number(url.port), host: url.hostname, ca: api.config.ca, cert: api.config.cert, key: api.config.key });
    sock.pause();
    await new Promise((r) => sock.once('secureConnect', r));
    sock.write(`GET /api/v1/namespaces/w/configmaps?watch=true HTTP/1.1\r\nHost: x\r\n\r\n`);
    const list = await req('GET', '/api/v1/namespaces/w/configmaps');
    const healthy = await openWatch(`${api.url}/api/v1/namespaces/w/configmaps?watch=true&resourceVersion=${list.body.metadata.resourceVersion}`, {}, api.dispatcher);
    await req('POST', '/api/v1/namespaces/w/configmaps', cm('still-fine'));
    await waitFor('healthy watcher gets its event', () => healthy.events.some((e) => e.object.metadata?.name === 'still-fine'));
    await healthy.close();
    sock.destroy();
  });
});
