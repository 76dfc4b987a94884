// The DNS server against a real apiserver (real etcd): objects created through the API,
// questions asked over real UDP and TCP sockets on loopback.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { pino } from 'pino';
import dnsPacket, { type Answer, type RecordType } from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { freePort, waitFor } from '../test/harness/ports.js';
import { startDns, type DnsHandle } from './dns.js';
import { queryDns } from './query.js';
import { startTransports } from './server.js';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { kubeconfigFor } from '../test/harness/kubectl.js';

const silent = pino({ level: 'silent' });
let api: TestApiserver;
let client: RestClient;
let dns: DnsHandle;

function ask(name: string, type: RecordType = 'A', transport: 'udp' | 'tcp' = 'udp', port = dns.port) {
  return queryDns({ server: '127.0.0.1', port, name, type, transport });
}

function data(answers: Answer[] | undefined): unknown[] {
  return (answers ?? []).map((a) => (a.type === 'OPT' ? undefined : a.data));
}

function service(name: string, spec: NonNullable<Service['spec']>, ns = 'default'): Service {
  return { metadata: { name, namespace: ns }, spec };
}

function slice(service: string, name: string, endpoints: EndpointSlice['endpoints'], ns = 'default'): EndpointSlice {
  return {
    metadata: { name, namespace: ns, labels: { 'kubernetes.io/service-name': service } },
    addressType: 'IPv4',
    endpoints,
    ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }],
  };
}

before(async () => {
  api = await startTestApiserver();
  client = new RestClient({ ...api.config, qps: 0 });
  const services = client.resource('services', 'default');
  await services.create(service('web', { clusterIP: '10.96.7.7', ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }] }));
  await services.create(service('db', { clusterIP: 'None', ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }] }));
  await services.create(service('ext', { type: 'ExternalName', externalName: 'db.example.test' }));
  await client.resource('endpointslices.discovery.k8s.io', 'default').create(
    slice('db', 'db-1', [
      { addresses: ['10.244.9.1'], hostname: 'db-0', conditions: { ready: true } },
      { addresses: ['10.244.9.2'], conditions: { ready: true } },
    ]),
  );
  dns = await startDns({ config: api.config, bindAddress: '127.0.0.1', port: 0, metricsPort: 0, logger: silent, syncTimeoutMs: 20_000 });
  assert.equal(dns.synced(), true);
});

after(async () => {
  await dns?.stop();
  await api?.stop();
});

describe('answers from the cluster, over UDP and TCP', () => {
  for (const transport of ['udp', 'tcp'] as const) {
    test(`${transport}: A of a ClusterIP service`, async () => {
      const r = await ask('web.default.svc.cluster.local', 'A', transport);
      assert.equal(r.rcode, 'NOERROR');
      assert.equal(r.flag_aa, true);
      assert.deepEqual(data(r.answers), ['10.96.7.7']);
      assert.equal(r.answers?.[0].type === 'A' && r.answers[0].ttl, 5);
    });
  }

  test('SRV of a named port', async () => {
    const r = await ask('_http._tcp.web.default.svc.cluster.local', 'SRV');
    assert.deepEqual(data(r.answers), [{ priority: 0, weight: 100, port: 80, target: 'web.default.svc.cluster.local' }]);
    assert.deepEqual(data(r.additionals), ['10.96.7.7']);
  });

  test('headless: A of ready endpoints, per-endpoint names, SRV per endpoint', async () => {
    assert.deepEqual(data((await ask('db.default.svc.cluster.local')).answers).sort(), ['10.244.9.1', '10.244.9.2']);
    assert.deepEqual(data((await ask('db-0.db.default.svc.cluster.local')).answers), ['10.244.9.1']);
    const srv = await ask('_mysql._tcp.db.default.svc.cluster.local', 'SRV', 'tcp');
    assert.deepEqual(
      data(srv.answers).map((d) => (d as { target: string }).target).sort(),
      ['10-244-9-2.db.default.svc.cluster.local', 'db-0.db.default.svc.cluster.local'],
    );
  });

  test('ExternalName: CNAME', async () => {
    const r = await ask('ext.default.svc.cluster.local', 'A');
    assert.deepEqual(r.answers?.map((a) => [a.type, a.type === 'OPT' ? '' : a.data]), [['CNAME', 'db.example.test']]);
  });

  test('PTR of a ClusterIP and of a headless endpoint', async () => {
    assert.deepEqual(data((await ask('7.7.96.10.in-addr.arpa', 'PTR')).answers), ['web.default.svc.cluster.local']);
    assert.deepEqual(data((await ask('1.9.244.10.in-addr.arpa', 'PTR')).answers), ['db-0.db.default.svc.cluster.local']);
  });

  test('pod A records', async () => {
    assert.deepEqual(data((await ask('10-244-9-7.default.pod.cluster.local')).answers), ['10.244.9.7']);
  });

  test('unknown names: NXDOMAIN with the SOA; AAAA of an existing name: NODATA; outside: REFUSED', async () => {
    const nx = await ask('nope.default.svc.cluster.local');
    assert.equal(nx.rcode, 'NXDOMAIN');
    assert.deepEqual(nx.authorities?.map((a) => [a.type, a.name]), [['SOA', 'cluster.local']]);
    const nodata = await ask('web.default.svc.cluster.local', 'AAAA');
    assert.equal(nodata.rcode, 'NOERROR');
    assert.deepEqual(nodata.answers, []);
    assert.equal(nodata.authorities?.[0].type, 'SOA');
    assert.equal((await ask('example.com')).rcode, 'REFUSED');
  });
});

describe('follows the cluster', () => {
  test('a new service resolves, a deleted one becomes NXDOMAIN', async () => {
    const services = client.resource('services', 'default');
    await services.create(service('late', { clusterIP: '10.96.7.8', ports: [{ port: 80, protocol: 'TCP' }] }));
    await waitFor('late to resolve', async () => (await ask('late.default.svc.cluster.local')).answers?.length === 1, 5000);
    await services.delete('late');
    await waitFor('late to be NXDOMAIN', async () => (await ask('late.default.svc.cluster.local')).rcode === 'NXDOMAIN', 5000);
  });

  test('endpoint changes show in headless answers', async () => {
    const slices = client.resource('endpointslices.discovery.k8s.io', 'default');
    const cur = await slices.get('db-1');
    await slices.update({ ...cur, endpoints: [{ addresses: ['10.244.9.3'], conditions: { ready: true } }, { addresses: ['10.244.9.1'], conditions: { ready: false } }] });
    await waitFor('db to be 10.244.9.3 only', async () => data((await ask('db.default.svc.cluster.local')).answers).join() === '10.244.9.3', 5000);
    await slices.delete('db-1');
    await waitFor('db without endpoints to be NXDOMAIN', async () => (await ask('db.default.svc.cluster.local')).rcode === 'NXDOMAIN', 5000);
  });
});

test('/healthz and /metrics', async () => {
  const health = await fetch(`http://127.0.0.1:${dns.metricsPort}/healthz`);
  assert.equal(health.status, 200);
  const text = await (await fetch(`http://127.0.0.1:${dns.metricsPort}/metrics`)).text();
  assert.match(text, /tskube_dns_requests_total\{proto="udp",type="A"\} \d+/);
  assert.match(text, /tskube_dns_requests_total\{proto="tcp",type="SRV"\} \d+/);
  assert.match(text, /tskube_dns_responses_total\{rcode="NXDOMAIN"\} \d+/);
  assert.match(text, /tskube_dns_request_duration_seconds_count\{type="PTR"\} \d+/);
});

test('before its caches sync (apiserver unreachable) it answers SERVFAIL for the zone and /healthz fails', async () => {
  const unreachable = await startDns({ master: 'http://127.0.0.1:9', bindAddress: '127.0.0.1', port: 0, metricsPort: 0, logger: silent, syncTimeoutMs: 50 });
  try {
    assert.equal(unreachable.synced(), false);
    assert.equal((await ask('web.default.svc.cluster.local', 'A', 'udp', unreachable.port)).rcode, 'SERVFAIL');
    assert.equal((await ask('example.com', 'A', 'udp', unreachable.port)).rcode, 'REFUSED');
    assert.equal((await fetch(`http://127.0.0.1:${unreachable.metricsPort}/healthz`)).status, 500);
  } finally {
    await unreachable.stop();
  }
});

test('--upstream: names outside the zone are forwarded (UDP and TCP), ExternalName targets chased, a dead upstream is SERVFAIL', async () => {
  // A stand-in upstream on loopback: every A question gets 192.0.2.1.
  const upstream = await startTransports({
    bindAddress: '127.0.0.1',
    port: 0,
    log: silent,
    handle: async (buf) => {
      const q = dnsPacket.decode(buf);
      const question = q.questions?.[0];
      return dnsPacket.encode({
        type: 'response',
        id: q.id,
        flags: dnsPacket.RECURSION_AVAILABLE,
        questions: q.questions,
        answers: question?.type === 'A' ? [{ name: question.name, type: 'A', ttl: 60, class: 'IN', data: '192.0.2.1' }] : [],
      });
    },
  });
  const dead = await startTransports({ bindAddress: '127.0.0.1', port: 0, log: silent, handle: async () => undefined });
  const forwarding = await startDns({
    config: api.config, bindAddress: '127.0.0.1', port: 0, metricsPort: -1, logger: silent, upstreams: [`127.0.0.1:${upstream.port}`],
  });
  const broken = await startDns({
    config: api.config, bindAddress: '127.0.0.1', port: 0, metricsPort: -1, logger: silent, upstreams: [`127.0.0.1:${dead.port}`], upstreamTimeoutMs: 300,
  });
  try {
    for (const transport of ['udp', 'tcp'] as const) {
      const r = await ask('www.example.test', 'A', transport, forwarding.port);
      assert.equal(r.rcode, 'NOERROR');
      assert.deepEqual(data(r.answers), ['192.0.2.1']);
    }
    const chased = await ask('ext.default.svc.cluster.local', 'A', 'udp', forwarding.port);
    assert.deepEqual(chased.answers?.map((a) => [a.type, a.name, a.type === 'OPT' ? '' : a.data]), [
      ['CNAME', 'ext.default.svc.cluster.local', 'db.example.test'],
      ['A', 'db.example.test', '192.0.2.1'],
    ]);
    // Cluster names are still answered locally.
    assert.deepEqual(data((await ask('web.default.svc.cluster.local', 'A', 'udp', forwarding.port)).answers), ['10.96.7.7']);
    assert.equal((await ask('www.example.test', 'A', 'udp', broken.port)).rcode, 'SERVFAIL');
  } finally {
    await forwarding.stop();
    await broken.stop();
    await upstream.close();
    await dead.close();
  }
});

test('--register-service: kube-dns at 10.96.0.10 with our address as its endpoint; not ready after stop', async () => {
  const registered = await startDns({
    config: api.config, bindAddress: '127.0.0.1', port: 0, metricsPort: -1, logger: silent, registerService: true, advertiseAddress: '127.0.0.1', nodeName: 'n1',
  });
  const sliceName = 'kube-dns-127-0-0-1';
  const slices = client.resource('endpointslices.discovery.k8s.io', 'kube-system');
  try {
    const slice = await waitFor('the kube-dns EndpointSlice', () => slices.get(sliceName).catch(() => undefined), 10_000);
    assert.deepEqual(slice.endpoints, [{ addresses: ['127.0.0.1'], conditions: { ready: true, serving: true, terminating: false }, nodeName: 'n1' }]);
    assert.deepEqual(slice.ports?.map((p) => [p.name, p.port, p.protocol]), [['dns', registered.port, 'UDP'], ['dns-tcp', registered.port, 'TCP']]);
    const svc = await client.resource('services', 'kube-system').get('kube-dns');
    assert.equal(svc.spec?.clusterIP, '10.96.0.10');
    assert.equal(svc.spec?.selector, undefined);
    assert.deepEqual(svc.spec?.ports?.map((p) => [p.name, p.port, p.protocol, p.targetPort]), [['dns', 53, 'UDP', registered.port], ['dns-tcp', 53, 'TCP', registered.port]]);
    const ep = await client.resource('endpoints', 'kube-system').get('kube-dns');
    assert.deepEqual(ep.subsets?.[0].addresses, [{ ip: '127.0.0.1' }]);
    assert.equal(ep.metadata?.labels?.['endpointslice.kubernetes.io/skip-mirror'], 'true');
    // The zone's NS name now has an address: the kube-dns ClusterIP.
    await waitFor('ns.dns to resolve', async () => data((await ask('ns.dns.cluster.local', 'A', 'udp', registered.port)).answers).join() === '10.96.0.10', 5000);
  } finally {
    await registered.stop();
  }
  const after = await slices.get(sliceName);
  assert.equal(after.endpoints[0].conditions?.ready, false);
  const ep = await client.resource('endpoints', 'kube-system').get('kube-dns');
  assert.deepEqual(ep.subsets?.[0].notReadyAddresses, [{ ip: '127.0.0.1' }]);
});

test('main.ts: flags with environment twins, serves, exits 0 on SIGTERM', async () => {
  const port = await freePort();
  // As the cluster runs it: its own identity (system:tskube-dns), whose rights the bootstrap RBAC policy grants.
  const kubeconfig = kubeconfigFor(await api.configFor('system:tskube-dns'), mkdtempSync(join(tmpdir(), 'tskube-dns-')));
  const child = spawn(process.execPath, [fileURLToPath(new URL('./main.js', import.meta.url)), '--kubeconfig', kubeconfig, '--bind-address', '127.0.0.1', '--metrics-port', '0'], {
    env: { ...process.env, TSKUBE_PORT: String(port), TSKUBE_CLUSTER_DOMAIN: 'k8s.test' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let logs = '';
  child.stdout.on('data', (c) => (logs += String(c)));
  child.stderr.on('data', (c) => (logs += String(c)));
  const exited = once(child, 'exit');
  try {
    await waitFor('main to answer', async () => data((await ask('web.default.svc.k8s.test', 'A', 'udp', port)).answers).join() === '10.96.7.7', 10_000);
    assert.match(logs, /"component":"dns"/);
  } finally {
    child.kill('SIGTERM');
  }
  const [code] = await exited;
  assert.equal(code, 0, logs);
});
