// A long watch across an apiserver failover: a client watches ConfigMaps through apiserver-1 (a
// real process), apiserver-1 is killed with SIGKILL in the middle of a stream of writes made
// through apiserver-2, and the client watches again on apiserver-2 from the last
// resourceVersion it saw. Both serve the same etcd revisions, so it gets every event exactly
// once, and resourceVersions never go backwards.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { startEtcd, type EtcdHandle } from '../test/harness/etcd.js';
import { http, openWatch } from '../test/harness/http.js';
import { waitFor } from '../test/harness/ports.js';
import { startApiserverProcess, type ApiserverProcess } from '../test/harness/processes.js';

let etcd: EtcdHandle;
let api2: TestApiserver;
let api1: ApiserverProcess;

before(async () => {
  etcd = await startEtcd();
  api2 = await startTestApiserver({ etcd });
  api1 = await startApiserverProcess({ etcdServers: [etcd.endpoint] });
});

/** Closed in after(): an open watch would keep the test dispatcher (and the apiserver's stop) waiting. */
const watches: { close(): Promise<void> }[] = [];

after(async () => {
  for (const w of watches) await w.close();
  await api1?.kill();
  await api2?.stop();
  await etcd?.stop();
});

const NS = 'failover';
const CM = `/api/v1/namespaces/${NS}/configmaps`;

test('a watch resumed on the other apiserver after kill -9 loses no event and never goes back', async () => {
  const req2 = http(api2);
  assert.equal((await req2('POST', '/api/v1/namespaces', { metadata: { name: NS } })).status, 201);
  const list = await req2('GET', CM);
  const startRV = list.body.metadata.resourceVersion as string;

  // What the writer saw acknowledged: `TYPE name rv`, in order.
  const acked: string[] = [];
  const seen: { type: string; name: string; rv: number }[] = [];
  let watch = await openWatch(`${api1.url}${CM}?watch=true&resourceVersion=${startRV}`, {}, api2.dispatcher);
  watches.push(watch);
  assert.equal(watch.status, 200);
  let consumed = 0;
  const drain = () => {
    for (; consumed < watch.events.length; consumed++) {
      const e = watch.events[consumed]!;
      if (e.type === 'BOOKMARK') continue;
      seen.push({ type: e.type, name: e.object.metadata.name, rv: Number(e.object.metadata.resourceVersion) });
    }
  };

  const write = async (i: number) => {
    const name = `cm-${i}`;
    const c = await req2('POST', CM, { metadata: { name }, data: { v: '0' } });
    assert.equal(c.status, 201, c.text);
    acked.push(`ADDED ${name} ${c.body.metadata.resourceVersion}`);
    if (i % 3 === 0) {
      const u = await req2('PUT', `${CM}/${name}`, { ...c.body, data: { v: '1' } });
      assert.equal(u.status, 200, u.text);
      acked.push(`MODIFIED ${name} ${u.body.metadata.resourceVersion}`);
    }
    if (i % 5 === 4) {
      const d = await req2('DELETE', `${CM}/${name}`);
      assert.equal(d.status, 200, d.text);
      acked.push(`DELETED ${name}`);
    }
  };

  for (let i = 0; i < 20; i++) await write(i);
  await waitFor('apiserver-1 streamed the first writes', () => watch.events.length >= 20, 10_000);
  // Kill it mid-stream while writes continue through apiserver-2.
  const writing = (async () => {
    for (let i = 20; i < 60; i++) await write(i);
  })();
  await api1.kill('SIGKILL');
  await waitFor('the watch on apiserver-1 ended', () => watch.ended, 10_000);
  drain();
  const lastRV = seen.length ? String(seen[seen.length - 1]!.rv) : startRV;
  watch = await openWatch(`${api2.url}${CM}?watch=true&resourceVersion=${lastRV}`, {}, api2.dispatcher);
  watches.push(watch);
  assert.equal(watch.status, 200);
  consumed = 0;
  await writing;

  const expected = acked.length;
  await waitFor('every acknowledged write seen', () => {
    drain();
    return seen.length >= expected;
  }, 20_000);
  await watch.close();
  drain();

  for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.rv > seen[i - 1]!.rv, `resourceVersion went back at ${i}: ${seen[i - 1]!.rv} → ${seen[i]!.rv}`);
  const got = seen.map((s) => (s.type === 'DELETED' ? `DELETED ${s.name}` : `${s.type} ${s.name} ${s.rv}`));
  assert.deepEqual(got, acked);
});
