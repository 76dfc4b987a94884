// The lease endpoint reconciler with real apiservers on one etcd: an in-process one and one run
// as a process (so it can be killed with SIGKILL). The kubernetes Service's Endpoints and
// EndpointSlices list every live apiserver; a killed one drops out when its lease (15 s)
// expires; a cleanly stopped one is removed at once; kube-proxy's view merges the slices.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Endpoints, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { RestClient } from '../../client/index.js';
import { buildServicePorts } from '../../kube-proxy/service-ports.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { startEtcd, type EtcdHandle } from '../../test/harness/etcd.js';
import { freePort, waitFor } from '../../test/harness/ports.js';
import { startApiserverProcess, type ApiserverProcess } from '../../test/harness/processes.js';

let etcd: EtcdHandle;
let api: TestApiserver;
let client: RestClient;
let portA: number;
const procs: ApiserverProcess[] = [];
const extra: TestApiserver[] = [];

const fast = { intervalMs: 300, leaseTTLSeconds: 3 };

before(async () => {
  etcd = await startEtcd();
  portA = await freePort();
  api = await startTestApiserver({ etcd, port: portA, advertise: { address: '127.0.0.1', port: portA }, endpointReconciler: fast });
  client = new RestClient({ ...api.config, qps: 0 });
});

after(async () => {
  for (const p of procs) await p.kill();
  for (const a of extra) await a.stop();
  await client?.close();
  await api?.stop();
  await etcd?.stop();
});

/** `ip:port` of every address in the Endpoints, sorted. */
async function endpointAddrs(): Promise<string[]> {
  const ep = await client.resource<Endpoints>('endpoints', 'default').get('kubernetes');
  return (ep.subsets ?? []).flatMap((s) => (s.addresses ?? []).flatMap((a) => (s.ports ?? []).map((p) => `${a.ip}:${p.port}`))).sort();
}

async function kubernetesSlices(): Promise<EndpointSlice[]> {
  const list = await client.resource<EndpointSlice>('endpointslices.discovery.k8s.io', 'default').list({ labelSelector: 'kubernetes.io/service-name=kubernetes' });
  return list.items.sort((a, b) => (a.metadata!.name! < b.metadata!.name! ? -1 : 1));
}

const same = (want: string[]) => async () => JSON.stringify(await endpointAddrs()) === JSON.stringify([...want].sort());

test('two apiservers on one IP, different ports: both listed, one subset and one slice per port; kube-proxy sees both', async () => {
  const b = await startApiserverProcess({ etcdServers: [etcd.endpoint] });
  procs.push(b);
  const [lo, hi] = [Math.min(portA, b.port), Math.max(portA, b.port)];
  await waitFor('both apiservers in Endpoints', same([`127.0.0.1:${portA}`, `127.0.0.1:${b.port}`]), 20_000);
  const ep = await client.resource<Endpoints>('endpoints', 'default').get('kubernetes');
  assert.equal(ep.subsets?.length, 2);
  assert.equal(ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
  await waitFor('a slice per port', async () => (await kubernetesSlices()).length === 2, 10_000);
  const slices = await kubernetesSlices();
  assert.deepEqual(slices.map((s) => [s.metadata?.name, s.ports?.[0]?.port, s.endpoints?.map((e) => e.addresses[0])]), [
    ['kubernetes', lo, ['127.0.0.1']],
    [`kubernetes-${hi}`, hi, ['127.0.0.1']],
  ]);
  const svc = await client.resource<Service>('services', 'default').get('kubernetes');
  const ports = buildServicePorts([svc], slices);
  assert.deepEqual(ports.map((p) => [p.name, p.endpoints.map((e) => `${e.ip}:${e.port}`)]), [['default/kubernetes:https', [`127.0.0.1:${lo}`, `127.0.0.1:${hi}`]]]);
});

test('kill -9 of an apiserver: it drops out once its lease expires; the survivor stays', async () => {
  const b = procs[0]!;
  await b.kill('SIGKILL');
  const killedAt = Date.now();
  // Its lease (15 s, upstream's TTL) outlives it: the endpoints still list it for a while.
  assert.ok((await endpointAddrs()).includes(`127.0.0.1:${b.port}`));
  await waitFor('the killed apiserver gone from Endpoints', same([`127.0.0.1:${portA}`]), 30_000, 200);
  assert.ok(Date.now() - killedAt >= 5_000, 'dropped out before its lease could have expired');
  await waitFor('only the kubernetes slice left', async () => (await kubernetesSlices()).map((s) => s.metadata?.name).join() === 'kubernetes', 10_000);
  assert.deepEqual((await kubernetesSlices())[0]!.ports?.[0]?.port, portA);
});

test('a clean stop removes the apiserver at once (its lease is deleted, not left to expire)', async () => {
  const c = await startApiserverProcess({ etcdServers: [etcd.endpoint] });
  procs.push(c);
  await waitFor('the new apiserver listed', same([`127.0.0.1:${portA}`, `127.0.0.1:${c.port}`]), 20_000);
  const stopping = Date.now();
  await c.kill('SIGTERM');
  assert.equal(c.proc.exitCode, 0, c.output());
  // Its own stop rewrote the endpoints; well inside its 15 s lease.
  await waitFor('removed on stop', same([`127.0.0.1:${portA}`]), 3_000, 50);
  assert.ok(Date.now() - stopping < 15_000);
});

test('apiservers sharing a port (two addresses): exactly upstream\'s shape, one subset and the one slice', async () => {
  const other = await startTestApiserver({ etcd, advertise: { address: '127.0.0.2', port: portA }, endpointReconciler: fast });
  extra.push(other);
  await waitFor('both addresses on one port', same([`127.0.0.1:${portA}`, `127.0.0.2:${portA}`]), 10_000);
  const ep = await client.resource<Endpoints>('endpoints', 'default').get('kubernetes');
  assert.deepEqual(ep.subsets, [{ addresses: [{ ip: '127.0.0.1' }, { ip: '127.0.0.2' }], ports: [{ name: 'https', port: portA, protocol: 'TCP' }] }]);
  await waitFor('one slice with both', async () => {
    const s = await kubernetesSlices();
    return s.length === 1 && s[0]!.endpoints?.length === 2;
  }, 10_000);
  await other.stop();
  extra.pop();
  await waitFor('the stopped one removed', same([`127.0.0.1:${portA}`]), 3_000, 50);
});
