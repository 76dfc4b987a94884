// Losing etcd's quorum under a real apiserver, on a real 3-member etcd cluster: /readyz turns 503
// with an `[-]etcd` line (fast: the quorum read has a deadline), /livez stays 200, writes fail
// with a 5xx Status naming etcd instead of hanging, reads from the watch cache keep answering
// (and the logs say they may be stale); when the members come back, /readyz is 200 again,
// writes resume and a watch opened before the outage sees every later event, in order.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { pino } from 'pino';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { startEtcdCluster, type EtcdCluster } from '../../test/harness/etcd-cluster.js';
import { http, openWatch } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

let cluster: EtcdCluster;
let api: TestApiserver;
let req: ReturnType<typeof http>;
const logs: { level: number; msg: string }[] = [];

before(async () => {
  cluster = await startEtcdCluster(3);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n').filter(Boolean)) logs.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  api = await startTestApiserver({
    etcd: cluster.handle(),
    etcdServers: cluster.endpoints,
    etcdRequestTimeoutMs: 3000,
    etcdReadycheckTimeoutMs: 1000,
    etcdHealthIntervalMs: 500,
    logger: pino({ level: 'info' }, sink),
  });
  req = http(api);
});

/** Closed in after(): an open watch would keep the test dispatcher (and the apiserver's stop) waiting. */
const watches: { close(): Promise<void> }[] = [];

after(async () => {
  for (const w of watches) await w.close();
  await api?.stop();
  await cluster?.stop();
});

const CM = '/api/v1/namespaces/default/configmaps';
const cm = (name: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { k: name } });

test('one member at a time killed (quorum kept): writes go on and a watch sees every one, in order', async () => {
  const start = (await req('GET', CM)).body.metadata.resourceVersion as string;
  const watch = await openWatch(`${api.url}${CM}?watch=true&resourceVersion=${start}`, {}, api.dispatcher);
  watches.push(watch);
  const written: string[] = [];
  // A write in flight when a member (maybe the leader) dies may fail; the writer tries again
  // (409: an earlier try landed after all).
  const write = (name: string) =>
    waitFor(`${name} written`, async () => {
      const r = await req('POST', CM, cm(name));
      return r.status === 201 || r.status === 409;
    }, 30_000, 200);
  for (let m = 0; m < 3; m++) {
    const writes = (async () => {
      for (let i = 0; i < 10; i++) {
        await write(`m${m}-${i}`);
        written.push(`m${m}-${i}`);
      }
    })();
    await cluster.kill(m);
    await writes;
    await cluster.restart(m);
    await cluster.waitHealthy();
  }
  // Whichever member the watch cache's etcd watch was on died once: it resumed elsewhere.
  await waitFor('every write seen by the watch', () => written.every((n) => watch.events.some((e) => e.type === 'ADDED' && e.object.metadata.name === n)), 20_000);
  const rvs = watch.events.filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
  for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `resourceVersions go forward: ${rvs.join(',')}`);
  assert.equal(new Set(watch.events.map((e) => e.object?.metadata?.name)).size, written.length, 'no event twice');
  assert.ok(logs.some((l) => /watch cache lost etcd/.test(l.msg)) && logs.some((l) => /watch cache resumed/.test(l.msg)), 'the cache\'s etcd watch broke and resumed');
  await waitFor('readyz 200', async () => (await req('GET', '/readyz')).status === 200, 20_000, 200);
});

test('quorum lost: 503 readyz, 200 livez, writes 5xx Status, cache reads answer; quorum back: all resumes, no event lost', async () => {
  const created = await req('POST', CM, cm('before'));
  assert.equal(created.status, 201);
  const fromRV = created.body.metadata.resourceVersion as string;
  const watch = await openWatch(`${api.url}${CM}?watch=true&resourceVersion=${fromRV}`, {}, api.dispatcher);
  watches.push(watch);
  assert.equal(watch.status, 200);
  assert.equal((await req('GET', '/readyz')).status, 200);

  await cluster.kill(1);
  await cluster.kill(2);
  const notReady = await waitFor('readyz 503', async () => {
    const r = await req('GET', '/readyz');
    return r.status === 503 ? r : undefined;
  }, 20_000, 200);
  assert.match(notReady.text, /^\[-\]etcd failed: reason withheld$/m);
  assert.match(notReady.text, /readyz check failed$/);
  const verbose = await req('GET', '/readyz?verbose');
  assert.match(verbose.text, /\[\+\]ping ok/);
  assert.equal((await req('GET', '/livez')).status, 200);
  assert.equal((await req('GET', '/healthz')).status, 200);

  // A write fails with a Status, within the etcd deadline (not the test's).
  const started = Date.now();
  const write = await req('POST', CM, cm('during'));
  assert.ok(write.status >= 500 && write.status < 600, `status ${write.status}: ${write.text}`);
  assert.equal(write.body.kind, 'Status');
  assert.equal(write.body.status, 'Failure');
  assert.match(write.body.message, /etcdserver: request timed out|etcd cluster is unavailable/);
  assert.ok(Date.now() - started < 30_000);
  // It reached a member and timed out: it may yet commit, so its Status suggests no retry
  // (a resent generateName create would make a second object). A failed read is safe to
  // resend and says so.
  assert.equal(write.body.details?.retryAfterSeconds, undefined, write.text);
  const quorumRead = await req('GET', `${CM}/before`);
  assert.equal(quorumRead.status, 500, quorumRead.text);
  assert.equal(quorumRead.body.details?.retryAfterSeconds, 1);
  const update = await req('PUT', `${CM}/before`, { ...cm('before'), data: { k: 'changed' } });
  assert.ok(update.status >= 500 && update.status < 600 && update.body.kind === 'Status', update.text);

  // The watch cache answers resourceVersion=0 reads.
  const list = await req('GET', `${CM}?resourceVersion=0`);
  assert.equal(list.status, 200);
  assert.ok(list.body.items.some((i: { metadata: { name: string } }) => i.metadata.name === 'before'));
  const get = await req('GET', `${CM}/before?resourceVersion=0`);
  assert.equal(get.status, 200);
  assert.equal(get.body.data.k, 'before');
  assert.equal((await req('GET', '/livez')).status, 200);
  await waitFor('a warning that cached reads may be stale', () => logs.some((l) => l.level === 40 && /stale/.test(l.msg)), 10_000);

  await cluster.restart(1);
  await cluster.restart(2);
  await cluster.waitHealthy();
  await waitFor('readyz 200 again', async () => (await req('GET', '/readyz')).status === 200, 30_000, 200);
  assert.ok(logs.some((l) => /etcd reachable again/.test(l.msg)));

  // Writes resume (the client may need a moment to leave hosts it saw fail).
  const names = ['after-0', 'after-1', 'after-2', 'after-3', 'after-4'];
  for (const name of names) {
    await waitFor(`${name} written`, async () => {
      const r = await req('POST', CM, cm(name));
      return r.status === 201 || r.status === 409;
    }, 30_000, 300);
  }
  const stored = await req('GET', `${CM}/before`);
  assert.equal(stored.status, 200);
  assert.ok(['before', 'changed'].includes(stored.body.data.k), 'the object is intact (an unacknowledged update may or may not have landed)');

  // The watch opened before the outage is still open and saw every later write, in order.
  await waitFor('the watch saw every write after the outage', () => names.every((n) => watch.events.some((e) => e.object?.metadata?.name === n)), 20_000);
  assert.equal(watch.ended, false);
  const rvs = watch.events.filter((e) => e.type !== 'BOOKMARK').map((e) => Number(e.object.metadata.resourceVersion));
  for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i]! > rvs[i - 1]!, `resourceVersions go forward: ${rvs.join(',')}`);
  await watch.close();
});
