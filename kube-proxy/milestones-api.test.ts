// kube-proxy's EndpointsProgrammed Event against a real apiserver, as `system:kube-proxy`
// (its bootstrap RBAC must allow writing Events). The userspace mode without iptables: it
// touches nothing on the host (listeners only), so the test needs no root and no host lock.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { Event, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { pino } from 'pino';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { Proxier } from './proxier.js';

let api: TestApiserver;
let admin: RestClient;
let proxier: Proxier | undefined;

before(async () => {
  api = await startTestApiserver();
  admin = new RestClient({ ...api.config, qps: 0 });
  const client = new RestClient({ ...(await api.configFor('system:kube-proxy')), qps: 0 });
  proxier = new Proxier({ client, proxyMode: 'userspace', nodeName: 'node-1', nodePortAddresses: ['127.0.0.1'], nodeIPs: ['127.0.0.1'], logger: pino({ level: 'silent' }) }, false);
  await proxier.start();
});
after(async () => {
  await proxier?.stop();
  await api?.stop();
});

const slice = (ips: string[]): EndpointSlice => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'web-x', labels: { 'kubernetes.io/service-name': 'web' } },
  addressType: 'IPv4',
  ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: ips.map((ip) => ({ addresses: [ip], conditions: { ready: true }, nodeName: 'node-1' })),
});

async function programmed(uid: string, n: number): Promise<Event[]> {
  return waitFor(`${n} EndpointsProgrammed events`, async () => {
    const events = (await admin.resource<Event>('events', 'default').list()).items.filter((e) => e.reason === 'EndpointsProgrammed' && e.involvedObject.uid === uid);
    return events.length >= n ? events : undefined;
  });
}

test('one EndpointsProgrammed Event on the Service per endpoint set programmed on the node', async () => {
  const svc = await admin.resource<Service>('services', 'default').create({ apiVersion: 'v1', kind: 'Service', metadata: { name: 'web' }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }] } });
  const uid = svc.metadata!.uid!;
  const slices = admin.resource<EndpointSlice>('endpointslices.discovery.k8s.io', 'default');
  const created = await slices.create(slice(['10.244.1.2', '10.244.1.3']));
  const [first] = await programmed(uid, 1);
  assert.equal(first!.involvedObject.kind, 'Service');
  assert.equal(first!.involvedObject.name, 'web');
  assert.equal(first!.type, 'Normal');
  assert.equal(first!.source?.component, 'kube-proxy');
  assert.equal(first!.source?.host, 'node-1');
  assert.equal(first!.message, 'userspace rules for 2 endpoints programmed on node-1');
  // Full resyncs of the same set send nothing; a third endpoint is a new set.
  await proxier!.syncNow(true);
  await proxier!.syncNow(true);
  await slices.update({ ...slice(['10.244.1.2', '10.244.1.3', '10.244.1.4']), metadata: { ...created.metadata } });
  const events = await programmed(uid, 2);
  assert.deepEqual(events.map((e) => e.message).sort(), ['userspace rules for 2 endpoints programmed on node-1', 'userspace rules for 3 endpoints programmed on node-1']);
  assert.ok(events.every((e) => e.count === 1), 'the unchanged set was not reported again');
});
