// A watcher whose client stops reading is closed once its queued bytes pass the bound
// (apiserver_terminated_watchers_total counts it), while a healthy watcher of the same
// resource receives every event; and a watch from 0 over more objects than the bound is
// written as the socket drains, not dropped.
import assert from 'node:assert/strict';
import { connect } from 'node:tls';
import { after, before, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { http, openWatch } from '../../test/harness/http.js';
import { waitFor } from '../../test/harness/ports.js';

const BOUND = 256 * 1024;
let api: TestApiserver;
let req: ReturnType<typeof http>;

before(async () => {
  api = await startTestApiserver({ watchMaxBufferedBytes: BOUND });
  req = http(api);
  await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'slow' } });
});
after(async () => {
  await api?.stop();
});

async function metric(name: string): Promise<number> {
  const m = await req('GET', '/metrics');
  const line = m.text.split('\n').find((l) => l.startsWith(`${name}{resource="configmaps"}`));
  return line ? Number(line.split(' ').pop()) : 0;
}

const cm = (name: string, bytes: number) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { blob: 'x'.repeat(bytes) } });

test('a watcher that never reads is closed; the others get every event', async () => {
  const list = await req('GET', '/api/v1/namespaces/slow/configmaps');
  const rv = list.body.metadata.resourceVersion;
  const url = new URL(api.url);
  const sock = connect({ port: Number(url.port), host: url.hostname, ca: api.config.ca, cert: api.config.cert, key: api.config.key });
  sock.pause();
  await new Promise((r) => sock.once('secureConnect', r));
  sock.write(`GET /api/v1/namespaces/slow/configmaps?watch=true&resourceVersion=${rv} HTTP/1.1\r\nHost: x\r\n\r\n`);
  let closed = false;
  sock.once('close', () => (closed = true));
  await waitFor('the stalled watch is registered', async () => (await metric('apiserver_registered_watchers')) === 1);
  const healthy = await openWatch(`${api.url}/api/v1/namespaces/slow/configmaps?watch=true&resourceVersion=${rv}`, {}, api.dispatcher);
  await waitFor('the healthy watch is registered', async () => (await metric('apiserver_registered_watchers')) === 2);

  // Far more than the bound plus what the kernel buffers for a socket that is not read.
  const written: string[] = [];
  for (let i = 0; i < 150 && (await metric('apiserver_terminated_watchers_total')) === 0; i++) {
    const r = await req('POST', '/api/v1/namespaces/slow/configmaps', cm(`big-${i}`, 200_000));
    assert.equal(r.status, 201);
    written.push(`big-${i}`);
  }
  assert.equal(await metric('apiserver_terminated_watchers_total'), 1);
  await req('POST', '/api/v1/namespaces/slow/configmaps', cm('after', 10));
  written.push('after');
  await waitFor('the healthy watcher got every event', () => written.every((n) => healthy.events.some((e) => e.object.metadata?.name === n)), 60_000);
  await healthy.close();
  // The client reads again: what the kernel held arrives, then the connection ends.
  sock.resume();
  await waitFor('the stalled watch connection is closed', () => closed, 60_000);
  await waitFor('only live watches remain registered', async () => (await metric('apiserver_registered_watchers')) === 0);
});

test('a watch from 0 over more data than the bound gets every object', async () => {
  await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'many' } });
  const names: string[] = [];
  for (let i = 0; i < 40; i++) {
    const r = await req('POST', '/api/v1/namespaces/many/configmaps', cm(`obj-${i}`, 20_000));
    assert.equal(r.status, 201);
    names.push(`obj-${i}`);
  }
  const terminated = await metric('apiserver_terminated_watchers_total');
  const w = await openWatch(`${api.url}/api/v1/namespaces/many/configmaps?watch=true`, {}, api.dispatcher);
  await waitFor('every initial event', () => names.every((n) => w.events.some((e) => e.type === 'ADDED' && e.object.metadata?.name === n)), 60_000);
  await w.close();
  assert.equal(await metric('apiserver_terminated_watchers_total'), terminated);
});
