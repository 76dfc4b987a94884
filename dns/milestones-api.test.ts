// The DNS server's DNSRecordsServed Event against a real apiserver, as `system:tskube-dns`
// (its bootstrap RBAC must allow writing Events): once per (Service, ClusterIP), after the
// informer delivered the Service — and the name then answers with that IP.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Service } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { startDns, type DnsHandle } from './dns.js';
import { queryDns } from './query.js';

let api: TestApiserver;
let admin: RestClient;
let dns: DnsHandle | undefined;

const services = () => admin.resource<Service>('services', 'default');
const served = async (uid: string) => (await admin.resource<Event>('events', 'default').list()).items.filter((e) => e.reason === 'DNSRecordsServed' && e.involvedObject.uid === uid);

before(async () => {
  api = await startTestApiserver();
  admin = new RestClient({ ...api.config, qps: 0 });
  await services().create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'old' }, spec: { clusterIP: '10.96.8.1', ports: [{ port: 80 }] } });
  const client = new RestClient({ ...(await api.configFor('system:tskube-dns')), qps: 0 });
  dns = await startDns({ client, bindAddress: '127.0.0.1', port: 0, metricsPort: -1, logger: pino({ level: 'silent' }), syncTimeoutMs: 20_000 });
  assert.equal(dns.synced(), true);
});
after(async () => {
  await dns?.stop();
  await api?.stop();
});

test('DNSRecordsServed once per Service and ClusterIP; none for the Services there at start', async () => {
  const web = await services().create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { clusterIP: '10.96.8.2', ports: [{ port: 80 }] } });
  const uid = web.metadata!.uid!;
  const [ev] = await waitFor('the DNSRecordsServed event', async () => ((await served(uid)).length ? served(uid) : undefined));
  assert.equal(ev!.message, 'web.default.svc.cluster.local answers 10.96.8.2');
  assert.equal(ev!.source?.component, 'dns');
  assert.equal(ev!.involvedObject.kind, 'Service');
  assert.equal(ev!.type, 'Normal');
  const answer = await queryDns({ server: '127.0.0.1', port: dns!.port, name: 'web.default.svc.cluster.local', type: 'A', transport: 'udp' });
  assert.deepEqual(answer.answers?.map((a) => (a.type === 'A' ? a.data : undefined)), ['10.96.8.2']);
  // An update that keeps the ClusterIP is not news.
  await services().update({ ...web, metadata: { ...web.metadata, labels: { tier: 'front' } } });
  const marker = await services().create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'marker' }, spec: { clusterIP: '10.96.8.3', ports: [{ port: 80 }] } });
  await waitFor('the later Service is reported', async () => (await served(marker.metadata!.uid!)).length === 1);
  const again = await served(uid);
  assert.equal(again.length, 1);
  assert.equal(again[0]!.count, 1);
  const old = await services().get('old');
  assert.deepEqual(await served(old.metadata!.uid!), [], 'a Service there at start-up');
});
