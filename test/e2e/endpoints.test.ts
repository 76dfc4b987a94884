// Endpoints, EndpointSlice and service-lb controllers against a real apiserver + etcd. No
// kubelet: pods are made Running/Ready (or not) by writing pods/status directly.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { pino } from 'pino';
import type { Endpoints, Node, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { startControllerManager, type ControllerManagerHandle } from '../../controller-manager/manager.js';

const NS = 'default';

describe('endpoints, endpointslice and service-lb controllers', () => {
  let api: TestApiserver;
  let client: RestClient;
  let cm: ControllerManagerHandle;

  before(async () => {
    api = await startTestApiserver();
    client = new RestClient({ ...api.config, qps: 0 });
    cm = await startControllerManager({
      config: api.config,
      controllers: ['endpoints', 'endpointslice', 'service-lb'],
      options: { 'max-endpoints-per-slice': 3 },
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });

  after(async () => {
    await cm?.stop();
    await client?.close();
    await api?.stop();
  });

  const pods = () => client.resource('pods', NS);
  const services = () => client.resource('services', NS);

  async function createPod(name: string, app: string, port: number, opts: { nodeName?: string } = {}): Promise<Pod> {
    return pods().create({
      metadata: { name, labels: { app } },
      spec: { ...(opts.nodeName ? { nodeName: opts.nodeName } : {}), containers: [{ name: 'c', image: 'busybox:1.35', ports: [{ name: 'http', containerPort: port }] }] },
    });
  }

  async function setStatus(name: string, ip: string, ready: boolean): Promise<void> {
    await pods().patch(
      name,
      'merge',
      { status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z') }] } },
      { subresource: 'status' },
    );
  }

  async function endpointsOf(name: string): Promise<Endpoints | undefined> {
    return client.resource('endpoints', NS).get(name).catch(() => undefined);
  }

  const readyIPs = (ep: Endpoints | undefined) => (ep?.subsets ?? []).flatMap((s) => (s.addresses ?? []).map((a) => a.ip)).sort();
  const notReadyIPs = (ep: Endpoints | undefined) => (ep?.subsets ?? []).flatMap((s) => (s.notReadyAddresses ?? []).map((a) => a.ip)).sort();

  async function slicesOf(svc: string): Promise<EndpointSlice[]> {
    return (await client.resource('endpointslices.discovery.k8s.io', NS).list({ labelSelector: `kubernetes.io/service-name=${svc}` })).items;
  }
  const sliceIPs = (slices: EndpointSlice[], pred: (e: EndpointSlice['endpoints'][number]) => boolean = () => true) =>
    slices.flatMap((s) => (s.endpoints ?? []).filter(pred).map((e) => e.addresses[0])).sort();

  test('endpoints and slices follow pod readiness, scaling and termination; named ports resolve per pod', async () => {
    const svc = await services().create({
      metadata: { name: 'web', labels: { tier: 'front' } },
      spec: { selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
    });
    await createPod('web-1', 'web', 8080);
    await createPod('web-2', 'web', 8080);
    await createPod('web-3', 'web', 9090, { nodeName: 'node-x' });
    await createPod('other', 'other', 8080);
    await setStatus('web-1', '10.244.0.11', true);
    await setStatus('web-2', '10.244.0.12', false);
    await setStatus('web-3', '10.244.0.13', true);
    await setStatus('other', '10.244.0.99', true);

    let ep = await waitFor('endpoints of web', async () => {
      const e = await endpointsOf('web');
      return readyIPs(e).length === 2 && notReadyIPs(e).length === 1 ? e : undefined;
    });
    assert.deepEqual(readyIPs(ep), ['10.244.0.11', '10.244.0.13']);
    assert.deepEqual(notReadyIPs(ep), ['10.244.0.12']);
    assert.equal(ep.metadata?.labels?.tier, 'front');
    // The named targetPort resolved per pod: 8080 for web-1/web-2, 9090 for web-3.
    const portOf = (ip: string) => ep.subsets?.find((s) => [...(s.addresses ?? []), ...(s.notReadyAddresses ?? [])].some((a) => a.ip === ip))?.ports?.[0]?.port;
    assert.deepEqual([portOf('10.244.0.11'), portOf('10.244.0.12'), portOf('10.244.0.13')], [8080, 8080, 9090]);
    const addr = ep.subsets?.flatMap((s) => s.addresses ?? []).find((a) => a.ip === '10.244.0.13');
    assert.deepEqual([addr?.nodeName, addr?.targetRef?.kind, addr?.targetRef?.name], ['node-x', 'Pod', 'web-3']);

    let slices = await waitFor('slices of web', async () => {
      const s = await slicesOf('web');
      return sliceIPs(s).length === 3 ? s : undefined;
    });
    assert.equal(slices.length, 2, 'one slice per distinct port list');
    for (const s of slices) {
      assert.equal(s.metadata?.labels?.['endpointslice.kubernetes.io/managed-by'], 'endpointslice-controller.k8s.io');
      assert.equal(s.metadata?.labels?.tier, 'front');
      assert.deepEqual(s.metadata?.ownerReferences?.map((r) => [r.kind, r.name, r.uid, r.controller]), [['Service', 'web', svc.metadata?.uid, true]]);
    }
    assert.deepEqual(slices.find((s) => s.ports?.[0]?.port === 9090)?.endpoints.map((e) => e.addresses[0]), ['10.244.0.13']);
    assert.deepEqual(sliceIPs(slices, (e) => e.conditions?.ready === true), ['10.244.0.11', '10.244.0.13']);

    // Readiness flips.
    await setStatus('web-2', '10.244.0.12', true);
    await setStatus('web-1', '10.244.0.11', false);
    ep = await waitFor('web-2 ready, web-1 not', async () => {
      const e = await endpointsOf('web');
      return readyIPs(e).join() === '10.244.0.12,10.244.0.13' ? e : undefined;
    });
    assert.deepEqual(notReadyIPs(ep), ['10.244.0.11']);
    await waitFor('slices follow readiness', async () => sliceIPs(await slicesOf('web'), (e) => e.conditions?.ready === true).join() === '10.244.0.12,10.244.0.13');

    // Scale up past the per-slice limit (3 here): the 8080 group splits into two slices.
    for (const i of [4, 5, 6]) {
      await createPod(`web-${i}`, 'web', 8080);
      await setStatus(`web-${i}`, `10.244.0.1${i}`, true);
    }
    slices = await waitFor('six endpoints', async () => {
      const s = await slicesOf('web');
      return sliceIPs(s).length === 6 ? s : undefined;
    });
    assert.ok(slices.every((s) => s.endpoints.length <= 3));
    assert.equal(slices.filter((s) => s.ports?.[0]?.port === 8080).length, 2);

    // Scale down: a deleted (unbound) pod disappears from both.
    await pods().delete('web-4');
    await waitFor('web-4 gone from endpoints', async () => !readyIPs(await endpointsOf('web')).includes('10.244.0.14'));
    await waitFor('web-4 gone from slices', async () => !sliceIPs(await slicesOf('web')).includes('10.244.0.14'));

    // A terminating pod (bound, so it waits for a kubelet that never comes): out of Endpoints,
    // but still in its slice as terminating, not ready, serving.
    await pods().delete('web-3');
    await waitFor('web-3 out of endpoints', async () => !readyIPs(await endpointsOf('web')).includes('10.244.0.13'));
    const term = await waitFor('web-3 terminating in slice', async () => {
      const e = (await slicesOf('web')).flatMap((s) => s.endpoints).find((x) => x.addresses[0] === '10.244.0.13');
      return e?.conditions?.terminating ? e : undefined;
    });
    assert.deepEqual(term.conditions, { ready: false, serving: true, terminating: true });
    await pods().delete('web-3', { gracePeriodSeconds: 0 });
  });

  test('publishNotReadyAddresses lists not-ready pods as ready', async () => {
    await services().create({ metadata: { name: 'peers' }, spec: { clusterIP: 'None', publishNotReadyAddresses: true, selector: { app: 'peer' }, ports: [{ port: 7000 }] } });
    await createPod('peer-1', 'peer', 7000);
    await setStatus('peer-1', '10.244.1.1', false);
    const ep = await waitFor('peer endpoints', async () => {
      const e = await endpointsOf('peers');
      return readyIPs(e).length ? e : undefined;
    });
    assert.equal(ep.metadata?.labels?.['service.kubernetes.io/headless'], '');
    const slices = await waitFor('peer slice', async () => {
      const s = await slicesOf('peers');
      return sliceIPs(s).length ? s : undefined;
    });
    assert.equal(slices.length, 1, 'the placeholder slice took the endpoint; no second slice beside it');
    assert.equal(slices[0].endpoints[0]?.conditions?.ready, true);
    assert.equal(slices[0].endpoints[0]?.conditions?.serving, false);
  });

  test('services without a selector are left alone; a deleted service takes its Endpoints along', async () => {
    await services().create({ metadata: { name: 'manual' }, spec: { ports: [{ port: 5432 }] } });
    await client.resource('endpoints', NS).create({ metadata: { name: 'manual' }, subsets: [{ addresses: [{ ip: '192.0.2.10' }], ports: [{ port: 5432 }] }] });
    // A selector service created after it is handled, proving the controller got past 'manual'.
    await services().create({ metadata: { name: 'marker' }, spec: { selector: { app: 'none' }, ports: [{ port: 1 }] } });
    await waitFor('marker endpoints', () => endpointsOf('marker'));
    assert.deepEqual(readyIPs(await endpointsOf('manual')), ['192.0.2.10']);
    assert.equal((await slicesOf('manual')).length, 0);
    // A selector service with no pods has an empty placeholder slice.
    const placeholder = await waitFor('placeholder slice', async () => (await slicesOf('marker'))[0]);
    assert.deepEqual([placeholder.endpoints ?? [], placeholder.ports ?? []], [[], []]);

    await services().delete('marker');
    await waitFor('marker endpoints deleted', async () => (await endpointsOf('marker')) === undefined);
  });

  test('deleted Endpoints of a selector service are recreated', async () => {
    await waitFor('web endpoints', () => endpointsOf('web'));
    await client.resource('endpoints', NS).delete('web');
    await waitFor('web endpoints back', async () => readyIPs(await endpointsOf('web')).length > 0);
  });

  test('LoadBalancer services get the Ready nodes\' InternalIPs as ingress', async () => {
    const mkNode = (name: string, ip: string, ready: string): Node => ({
      metadata: { name },
      status: { conditions: [{ type: 'Ready', status: ready }], addresses: [{ type: 'InternalIP', address: ip }, { type: 'Hostname', address: name }] },
    });
    await client.resource('nodes').create(mkNode('lb-1', '192.0.2.1', 'True'));
    await client.resource('nodes').create(mkNode('lb-2', '192.0.2.2', 'False'));
    await services().create({ metadata: { name: 'front' }, spec: { type: 'LoadBalancer', selector: { app: 'web' }, ports: [{ port: 8000, targetPort: 8080 }] } });
    const ingress = async () => ((await services().get('front')) as Service).status?.loadBalancer?.ingress?.map((i) => i.ip).join() ?? '';
    await waitFor('ingress lb-1', async () => (await ingress()) === '192.0.2.1');
    // A node becoming Ready joins the ingress list.
    await client.resource('nodes').patch('lb-2', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'True' }] } }, { subresource: 'status' });
    await waitFor('ingress both', async () => (await ingress()) === '192.0.2.1,192.0.2.2');
    // No longer a LoadBalancer: the status is cleared.
    await services().patch('front', 'merge', { spec: { type: 'ClusterIP' } });
    await waitFor('ingress cleared', async () => (await ingress()) === '');
  });
});
