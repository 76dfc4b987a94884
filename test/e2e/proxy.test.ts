// kube-proxy end to end on this host: real apiserver + etcd, real iptables, real containers.
// Backends are busybox httpd pods on a private bridge; Services and EndpointSlices are made
// by hand (the EndpointSlice controller is not under test). Traffic only ever goes to
// loopback, the host's own addresses and pod IPs. Both modes live in this one file because
// they share the host's nat table and must not run at the same time.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { runCommand } from '../../kube-proxy/exec.js';
import { hostAddresses } from '../../kube-proxy/host.js';
import { cleanupAll } from '../../kube-proxy/iptables/applier.js';
import { startKubeProxy, type KubeProxyHandle } from '../../kube-proxy/proxier.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { lockHostNetwork } from '../harness/host-lock.js';
import { waitFor } from '../harness/ports.js';
import { PodFactory, connectOutcome, guardRejects, hostSnapshot, httpGet, tally, type TestPod } from './proxy-harness.js';

let api: TestApiserver;
let client: RestClient;
let pods: PodFactory;
let a: TestPod;
let b: TestPod;
let dead: TestPod;
let clientPod: TestPod;
let snapshot: Awaited<ReturnType<typeof hostSnapshot>>;
let hostIP: string;
let releaseHost: (() => Promise<void>) | undefined;

const services = () => client.resource('services', 'default');
const slices = () => client.resource('endpointslices.discovery.k8s.io', 'default');

function service(name: string, spec: Service['spec']): Service {
  return { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ name: 'http', port: 80, targetPort: 8080 }], ...spec } };
}

function slice(svc: string, backends: TestPod[], suffix = 'x'): EndpointSlice {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${svc}-${suffix}`, labels: { 'kubernetes.io/service-name': svc } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: backends.map((p) => ({ addresses: [p.ip], conditions: { ready: true }, nodeName: 'n1' })),
  };
}

async function setSlice(svc: string, backends: TestPod[], suffix = 'x'): Promise<void> {
  const s = slice(svc, backends, suffix);
  const cur = await slices().get(s.metadata!.name!).catch(() => undefined);
  if (cur) await slices().update({ ...s, metadata: { ...s.metadata, resourceVersion: cur.metadata?.resourceVersion } });
  else await slices().create(s);
}

async function clusterIP(name: string): Promise<string> {
  return (await services().get(name)).spec!.clusterIP!;
}

before(async () => {
  // Other test files (the scripts/up and compose tests) run kube-proxies on this host too.
  releaseHost = await lockHostNetwork();
  snapshot = await hostSnapshot();
  api = await startTestApiserver();
  client = new RestClient({ ...api.config });
  pods = new PodFactory();
  [a, b, dead, clientPod] = await Promise.all([pods.start('a'), pods.start('b'), pods.start('dead', false), pods.start('client', false)]);
  hostIP = hostAddresses(pods.clusterCIDR)[0]!;
  assert.ok(hostIP, 'the host needs an address besides loopback');
});

after(async () => {
  await cleanupAll(runCommand);
  await pods?.cleanup();
  await api?.stop();
  await releaseHost?.();
});

describe('iptables mode', () => {
  let proxy: KubeProxyHandle;
  before(async () => {
    proxy = await startKubeProxy({
      client,
      proxyMode: 'iptables',
      nodeName: 'n1',
      clusterCIDR: pods.clusterCIDR,
      minSyncPeriodMs: 100,
      healthzBindAddress: '127.0.0.1:0',
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });
  after(async () => proxy?.stop());

  test('a service IP without rules is refused at once and stays on the host', async () => {
    const route = (await runCommand('ip', ['route', 'get', '10.96.200.200'])).stdout;
    assert.match(route, /dev kube-svc0/);
    const before = await guardRejects();
    assert.equal(await connectOutcome('10.96.200.200', 80), 'ECONNREFUSED');
    assert.ok((await guardRejects()) > before, 'the guard REJECT rule counted the packet');
  });

  test('ClusterIP from the host and from a pod, balanced over two backends', async () => {
    await services().create(service('web', {}));
    await setSlice('web', [a, b]);
    const vip = await clusterIP('web');
    await waitFor('web reachable', () => httpGet(vip, 80).catch(() => undefined));
    const fromHost = await tally(30, () => httpGet(vip, 80));
    assert.deepEqual([...fromHost.keys()].sort(), ['hello-a', 'hello-b']);
    const fromPod = await tally(12, () => pods.wget(clientPod, `http://${vip}:80/`));
    assert.deepEqual([...fromPod.keys()].sort(), ['hello-a', 'hello-b']);
  });

  test('hairpin: a pod reaches itself through its own Service', async () => {
    const vip = await clusterIP('web');
    const seen = await tally(12, () => pods.wget(a, `http://${vip}:80/`));
    assert.ok(seen.has('hello-a'), `a never reached itself: ${JSON.stringify([...seen])}`);
  });

  test('NodePort on 127.0.0.1, on the host address and from a pod', async () => {
    const np = await services().create(service('webnp', { type: 'NodePort' }));
    const nodePort = np.spec!.ports![0]!.nodePort!;
    await setSlice('webnp', [a, b]);
    await waitFor('nodeport reachable', () => httpGet('127.0.0.1', nodePort).catch(() => undefined));
    assert.deepEqual([...(await tally(30, () => httpGet('127.0.0.1', nodePort))).keys()].sort(), ['hello-a', 'hello-b']);
    assert.deepEqual([...(await tally(30, () => httpGet(hostIP, nodePort))).keys()].sort(), ['hello-a', 'hello-b']);
    assert.match(await pods.wget(clientPod, `http://${hostIP}:${nodePort}/`), /^hello-[ab]$/);
  });

  test('LoadBalancer: the service port answers on the host address', async () => {
    await services().create(service('weblb', { type: 'LoadBalancer', ports: [{ name: 'http', port: 18091, targetPort: 8080 }] }));
    await setSlice('weblb', [a]);
    await waitFor('lb reachable', () => httpGet(hostIP, 18091).catch(() => undefined));
    assert.equal(await httpGet(hostIP, 18091), 'hello-a');
  });

  test('a removed endpoint leaves the rotation', async () => {
    const vip = await clusterIP('web');
    await setSlice('web', [b]);
    await waitFor('only b answers', async () => {
      const seen = await tally(10, () => httpGet(vip, 80));
      return seen.size === 1 && seen.has('hello-b');
    });
    await setSlice('web', [a, b]);
    await waitFor('a is back', async () => (await tally(10, () => httpGet(vip, 80))).has('hello-a'));
  });

  test('ClientIP affinity sticks to one backend', async () => {
    await services().create(service('sticky', { sessionAffinity: 'ClientIP' }));
    await setSlice('sticky', [a, b]);
    const vip = await clusterIP('sticky');
    await waitFor('sticky reachable', () => httpGet(vip, 80).catch(() => undefined));
    assert.equal((await tally(20, () => httpGet(vip, 80))).size, 1);
  });

  test('full resyncs keep exactly one jump per hook', async () => {
    await proxy.syncNow(true);
    await proxy.syncNow(true);
    const nat = (await runCommand('iptables-save', ['-t', 'nat'])).stdout;
    const filter = (await runCommand('iptables-save', ['-t', 'filter'])).stdout;
    const count = (text: string, re: RegExp) => text.split('\n').filter((l) => re.test(l)).length;
    assert.equal(count(nat, /^-A PREROUTING .*-j KUBE-SERVICES$/), 1);
    assert.equal(count(nat, /^-A OUTPUT .*-j KUBE-SERVICES$/), 1);
    assert.equal(count(nat, /^-A POSTROUTING .*-j KUBE-POSTROUTING$/), 1);
    assert.equal(count(filter, /^-A FORWARD .*-j KUBE-FORWARD$/), 1);
    assert.equal(count(filter, /^-A OUTPUT .*-j KUBE-PROXY-GUARD$/), 1);
  });

  test('/healthz and /metrics', async () => {
    const health = await fetch(`http://127.0.0.1:${proxy.healthPort}/healthz`);
    assert.equal(health.status, 200);
    const metrics = await (await fetch(`http://127.0.0.1:${proxy.healthPort}/metrics`)).text();
    assert.match(metrics, /kubeproxy_sync_proxy_rules_duration_seconds_count\{full="true"\} [1-9]/);
    assert.match(metrics, /kubeproxy_sync_proxy_rules_iptables_total\{table="nat"\} [1-9]/);
    assert.match(metrics, /kubeproxy_sync_proxy_rules_last_timestamp_seconds [1-9]/);
  });

  test('--cleanup leaves iptables and routes exactly as they were', async () => {
    await proxy.stop();
    await cleanupAll(runCommand);
    assert.deepEqual(await hostSnapshot(), snapshot);
  });
});

describe('userspace mode', () => {
  let proxy: KubeProxyHandle;
  before(async () => {
    proxy = await startKubeProxy({
      client,
      proxyMode: 'userspace',
      nodeName: 'n1',
      clusterCIDR: pods.clusterCIDR,
      minSyncPeriodMs: 100,
      logger: pino({ level: process.env.TEST_LOG_LEVEL ?? 'silent' }),
    });
  });
  after(async () => proxy?.stop());

  test('ClusterIP (through the REDIRECT portal) from the host and a pod, and the NodePort on 127.0.0.1', async () => {
    const vip = await clusterIP('web');
    await waitFor('web reachable', () => httpGet(vip, 80).catch(() => undefined));
    assert.deepEqual([...(await tally(10, () => httpGet(vip, 80))).keys()].sort(), ['hello-a', 'hello-b']);
    assert.deepEqual([...(await tally(6, () => pods.wget(clientPod, `http://${vip}:80/`))).keys()].sort(), ['hello-a', 'hello-b']);
    const nodePort = (await services().get('webnp')).spec!.ports![0]!.nodePort!;
    await waitFor('nodeport reachable', () => httpGet('127.0.0.1', nodePort).catch(() => undefined));
    assert.deepEqual([...(await tally(10, () => httpGet('127.0.0.1', nodePort))).keys()].sort(), ['hello-a', 'hello-b']);
    assert.equal(await connectOutcome('10.96.200.200', 80), 'ECONNREFUSED', 'the guard still rejects unused service IPs');
  });

  test('survives a refused endpoint by trying the next one', async () => {
    // `dead` runs no server: its connections are refused. Round robin hits it every third time.
    await setSlice('web', [dead], 'dead');
    const vip = await clusterIP('web');
    await waitFor('dead endpoint in rotation', () => proxy.servicePorts().find((p) => p.name === 'default/web:http')?.endpoints.length === 3);
    const seen = await tally(15, () => httpGet(vip, 80));
    assert.deepEqual([...seen.keys()].sort(), ['hello-a', 'hello-b']);
    assert.equal([...seen.values()].reduce((x, y) => x + y), 15);
  });

  test('--cleanup leaves iptables and routes exactly as they were', async () => {
    await proxy.stop();
    await cleanupAll(runCommand);
    assert.deepEqual(await hostSnapshot(), snapshot);
  });
});
