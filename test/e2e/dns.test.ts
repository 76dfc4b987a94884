// Cluster DNS as a pod sees it: the server runs on the host, bound to the pod bridge's
// gateway address (what the kube-dns endpoint points at), and a busybox container on that
// bridge asks it with busybox's own resolver (nslookup). The ClusterIP hop (kube-proxy's DNAT of
// 10.96.0.10:53) is kube-proxy's to test; everything after it is here.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { pino } from 'pino';
import { RestClient } from '../../client/index.js';
import { DockerClient } from '../../kubelet/runtime/docker/client.js';
import { startDns, type DnsHandle } from '../../dns/dns.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';

const run = randomBytes(4).toString('hex');
const TEST_LABEL = 'tskube.test';
const network = `tskube-dnstest-${run}`;
let subnet = '';
let gateway = '';

let api: TestApiserver;
let docker: DockerClient;
let dns: DnsHandle;
let networkCreated = false;

before(async () => {
  api = await startTestApiserver();
  const client = new RestClient({ ...api.config, qps: 0 });
  await client.resource('services', 'default').create({
    metadata: { name: 'backend', namespace: 'default' },
    spec: { clusterIP: '10.96.9.9', ports: [{ name: 'mysql', port: 3306, protocol: 'TCP' }] },
  });
  await client.resource('services', 'default').create({
    metadata: { name: 'peers', namespace: 'default' },
    spec: { clusterIP: 'None', ports: [{ name: 'http', port: 80, protocol: 'TCP' }] },
  });
  await client.resource('endpointslices.discovery.k8s.io', 'default').create({
    metadata: { name: 'peers-1', namespace: 'default', labels: { 'kubernetes.io/service-name': 'peers' } },
    addressType: 'IPv4',
    endpoints: [{ addresses: ['10.244.4.1'], hostname: 'peer-0' }, { addresses: ['10.244.4.2'], hostname: 'peer-1' }],
    ports: [{ name: 'http', port: 80, protocol: 'TCP' }],
  });
  docker = new DockerClient();
  // A random /24 of 10.253/16; another network (a crashed run's) may hold it, so try a few.
  for (let attempt = 0; !networkCreated; attempt++) {
    subnet = `10.253.${randomBytes(1)[0]}`;
    gateway = `${subnet}.1`;
    try {
      await docker.request('POST', '/networks/create', {
        body: { Name: network, Driver: 'bridge', CheckDuplicate: true, IPAM: { Config: [{ Subnet: `${subnet}.0/24`, Gateway: gateway }] }, Labels: { [TEST_LABEL]: run } },
      });
      networkCreated = true;
    } catch (err) {
      if (attempt >= 4) throw err;
    }
  }
  // Bound to the bridge address only: reachable from the containers on it and from this host.
  dns = await startDns({ config: api.config, bindAddress: gateway, port: 0, metricsPort: -1, logger: pino({ level: 'silent' }), syncTimeoutMs: 20_000 });
});

after(async () => {
  await dns?.stop();
  if (docker) {
    const leftovers = (await docker.request<Array<{ Id: string }>>('GET', '/containers/json', { query: { all: true, filters: JSON.stringify({ label: [`${TEST_LABEL}=${run}`] }) } })) ?? [];
    for (const c of leftovers) await docker.request('DELETE', `/containers/${c.Id}`, { query: { force: true } }).catch(() => undefined);
    if (networkCreated) await docker.request('DELETE', `/networks/${network}`).catch(() => undefined);
    await docker.close();
  }
  await api?.stop();
});

/** Runs a shell script in a busybox container on the test bridge; resolves its output and exit code. */
async function inPod(script: string): Promise<{ output: string; exitCode: number }> {
  const created = await docker.request<{ Id: string }>('POST', '/containers/create', {
    query: { name: `dnstest-${run}-${randomBytes(3).toString('hex')}` },
    body: { Image: 'busybox:1.35', Cmd: ['sh', '-c', script], Tty: true, Labels: { [TEST_LABEL]: run }, HostConfig: { NetworkMode: network } },
  });
  const id = created?.Id ?? '';
  try {
    await docker.request('POST', `/containers/${id}/start`);
    const waited = await docker.request<{ StatusCode: number }>('POST', `/containers/${id}/wait`, { slow: true });
    const logs = await docker.stream('GET', `/containers/${id}/logs`, { query: { stdout: true, stderr: true } });
    let output = '';
    for await (const chunk of logs) output += String(chunk);
    return { output, exitCode: waited?.StatusCode ?? -1 };
  } finally {
    await docker.request('DELETE', `/containers/${id}`, { query: { force: true } });
  }
}

test('a container on the pod bridge resolves services, endpoints, SRV and PTR through busybox nslookup', async () => {
  const ns = (args: string) => `nslookup -timeout=2 -retry=2 -port=${dns.port} ${args} ${gateway}`;
  const { output, exitCode } = await inPod(
    [
      `echo '## A'; ${ns('backend.default.svc.cluster.local')}`,
      `echo '## headless'; ${ns('peers.default.svc.cluster.local')}`,
      `echo '## endpoint'; ${ns('peer-1.peers.default.svc.cluster.local')}`,
      `echo '## SRV'; ${ns('-type=srv _mysql._tcp.backend.default.svc.cluster.local')}`,
      `echo '## PTR'; ${ns('-type=ptr 9.9.96.10.in-addr.arpa')}`,
      `echo '## NX'; ${ns('missing.default.svc.cluster.local')}; echo "nx-exit=$?"`,
      'true',
    ].join('; '),
  );
  assert.equal(exitCode, 0, output);
  const section = (name: string) => output.split('## ').find((s) => s.startsWith(name)) ?? '';
  assert.match(section('A'), /Address:\s*10\.96\.9\.9/, output);
  assert.match(section('headless'), /10\.244\.4\.1/, output);
  assert.match(section('headless'), /10\.244\.4\.2/, output);
  assert.match(section('endpoint'), /Address:\s*10\.244\.4\.2/, output);
  assert.doesNotMatch(section('endpoint'), /10\.244\.4\.1/, output);
  assert.match(section('SRV'), /0 100 3306 backend\.default\.svc\.cluster\.local/, output);
  assert.match(section('PTR'), /name = backend\.default\.svc\.cluster\.local/, output);
  assert.match(section('NX'), /NXDOMAIN/, output);
  assert.match(section('NX'), /nx-exit=1/, output);
});
