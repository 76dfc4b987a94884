// The README's first command for real: scripts/up starts etcd and every daemon (two
// kubelets) as background processes on random ports; the seed's two-tier example then works
// end to end (NodePort 30001 on the host balances over both frontends, a frontend reaches the
// backend by its DNS name, scaling and pod deletion change the rotation); scripts/down leaves
// no container, network, iptables chain or route behind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { Etcd3 } from 'etcd3';
import { Agent, fetch } from 'undici';
import { lockHostNetwork } from '../harness/host-lock.js';
import { KUBECTL } from '../harness/kubectl.js';
import { freePort, waitFor } from '../harness/ports.js';
import { ROOT, assertHostClean, ensureProjectImage, frontendsSeen, hostLeftovers, httpGet, runScript, scriptsUpEnv, tearDownCluster, type HostLeftovers } from './cluster-harness.js';

let release: (() => Promise<void>) | undefined;
let env: NodeJS.ProcessEnv;
let state: string;
let apiPort: number;
let before0: HostLeftovers;
let up = false;

const kubectl = (...args: string[]) => runScript(KUBECTL, ['--kubeconfig', join(state, 'kubeconfig'), ...args], env, 60_000);

async function pods(selector: string): Promise<{ name: string; ready: boolean; ip?: string }[]> {
  const list = JSON.parse(await kubectl('get', 'pods', '-l', selector, '-o', 'json')) as { items: { metadata: { name: string; deletionTimestamp?: string }; status?: { podIP?: string; conditions?: { type: string; status: string }[] } }[] };
  return list.items
    .filter((p) => !p.metadata.deletionTimestamp)
    .map((p) => ({ name: p.metadata.name, ready: (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True'), ip: p.status?.podIP }));
}

before(async () => {
  release = await lockHostNetwork();
  before0 = await hostLeftovers();
  state = mkdtempSync(join(tmpdir(), 'tskube-up-'));
  apiPort = await freePort();
  env = await scriptsUpEnv(state, apiPort);
});

after(() => tearDownCluster({ state, env, up, release }));

test('scripts/up starts the cluster and writes a kubeconfig', async () => {
  up = true;
  const out = await runScript(join(ROOT, 'scripts/up'), [], env, 240_000);
  assert.match(out, /cluster is up/);
  assert.ok(existsSync(join(state, 'kubeconfig')));
  for (const name of ['etcd', 'apiserver', 'controller-manager', 'scheduler', 'kube-proxy', 'dns', 'kubelet-node-1', 'kubelet-node-2', 'metrics-server']) {
    assert.ok(existsSync(join(state, 'logs', `${name}.log`)), `log of ${name}`);
  }
  const nodes = await kubectl('get', 'nodes');
  assert.match(nodes, /^node-1\s+Ready\s/m);
  assert.match(nodes, /^node-2\s+Ready\s/m);
  // metrics-server runs with its serving certificate from the cluster CA and is registered.
  const trustCA = new Agent({ connect: { ca: readFileSync(join(state, 'pki/ca.crt')) } });
  await waitFor('metrics-server /healthz', async () => (await fetch(`https://127.0.0.1:${env.TSKUBE_METRICS_SERVER_PORT}/healthz`, { dispatcher: trustCA })).status === 200, 30_000, 200);
  // Ready once it holds two scrapes of the kubelets (its client certificate, nodes/stats).
  await waitFor('metrics-server /readyz', async () => (await fetch(`https://127.0.0.1:${env.TSKUBE_METRICS_SERVER_PORT}/readyz`, { dispatcher: trustCA })).status === 200, 90_000, 1000);
  await trustCA.close();
  assert.match(await kubectl('get', 'endpoints', '-n', 'kube-system', 'metrics-server'), /^metrics-server\s+\S+:\d+\s/m);
  // Through the apiserver's aggregation layer, as a user sees it.
  const top = await waitFor('kubectl top nodes', async () => kubectl('top', 'nodes').catch(() => undefined), 60_000, 1000);
  assert.match(top, /^node-1\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m);
  assert.match(top, /^node-2\s+\d+m\s+\d+%\s+\d+Mi\s+\d+%/m);
  assert.match(await kubectl('get', 'apiservices', 'v1beta1.metrics.k8s.io'), /v1beta1\.metrics\.k8s\.io\s+kube-system\/metrics-server\s+True/);
});

test('the dashboard answers on its port; the link in .tskube/dashboard-url logs the admin in once', async () => {
  const base = `http://127.0.0.1:${env.TSKUBE_DASHBOARD_PORT}`;
  assert.equal(await (await fetch(`${base}/healthz`)).text(), 'ok');
  const topology = JSON.parse(readFileSync(join(state, 'topology.json'), 'utf8')) as { dashboard?: { name: string; url: string } };
  assert.deepEqual(topology.dashboard, { name: 'dashboard', url: base });
  const link = readFileSync(join(state, 'dashboard-url'), 'utf8').trim();
  assert.ok(link.startsWith(`${base}/login?once=`), link);
  const first = await fetch(link, { redirect: 'manual' });
  assert.equal(first.status, 302);
  const cookie = (first.headers.get('set-cookie') ?? '').split(';')[0]!;
  const me = await fetch(`${base}/api/me`, { headers: { cookie } });
  assert.equal(((await me.json()) as { user: { username: string } }).user.username, 'system:serviceaccount:kube-system:tskube-dashboard-admin');
  const nodes = await fetch(`${base}/api/k8s/api/v1/nodes`, { headers: { cookie } });
  assert.equal(((await nodes.json()) as { items: unknown[] }).items.length, 2);
  assert.equal((await fetch(link, { redirect: 'manual' })).status, 401, 'the link works once');
});

test('the two-tier example: NodePort 30001 balances, DNS names resolve, endpoints follow pods', async () => {
  await kubectl('apply', '-f', join(ROOT, 'examples/two-tier.yaml'));
  await waitFor('3 ready pods', async () => (await pods('app in (frontend,backend)')).filter((p) => p.ready).length === 3, 120_000, 500).catch(async (e: unknown) => {
    // Say why: the pods, the recent events and the kubelets' last words.
    const tail = (name: string) => readFileSync(join(state, 'logs', `${name}.log`), 'utf8').split('\n').slice(-15).join('\n');
    const why = [await kubectl('get', 'pods', '-o', 'wide').catch(String), await kubectl('get', 'events').catch(String), tail('kubelet-node-1'), tail('kubelet-node-2')];
    throw new Error(`${String(e)}\n${why.join('\n----\n')}`);
  });

  // The host reaches both frontend replicas through the NodePort on 127.0.0.1.
  const frontends = (await pods('app=frontend')).map((p) => p.name).sort();
  const seen = await waitFor('both frontends answer on 127.0.0.1:30001', async () => {
    const s = await frontendsSeen('127.0.0.1', 30001);
    return s.size === 2 ? s : undefined;
  }, 60_000, 500);
  assert.deepEqual([...seen].sort(), frontends);

  // A frontend reaches the backend by its Service name (cluster DNS via 10.96.0.10).
  const backend = (await pods('app=backend'))[0]!.name;
  const viaName = await waitFor('frontend → backend by name', async () => (await httpGet('127.0.0.1', 30001, '/cgi-bin/backend').catch(() => '')).trim() || undefined, 60_000, 500);
  assert.equal(viaName, `backend ${backend}`);

  // Scaling the backend puts the new pod into the Service's endpoints and into rotation.
  await kubectl('scale', 'rc', 'backend', '--replicas=2');
  await waitFor('2 ready backends', async () => (await pods('app=backend')).filter((p) => p.ready).length === 2, 60_000, 500);
  const backends = new Set((await pods('app=backend')).map((p) => p.name));
  await waitFor('both backends in the endpoints', async () => {
    const ep = JSON.parse(await kubectl('get', 'endpoints', 'backend', '-o', 'json')) as { subsets?: { addresses?: unknown[] }[] };
    return (ep.subsets ?? []).reduce((n, s) => n + (s.addresses?.length ?? 0), 0) === 2;
  }, 30_000, 250);
  await waitFor('traffic reaches the new backend', async () => {
    const answered = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const m = /^backend (\S+)/.exec((await httpGet('127.0.0.1', 30001, '/cgi-bin/backend').catch(() => '')).trim());
      if (m) answered.add(m[1]!);
    }
    return answered.size === 2 && [...answered].every((n) => backends.has(n));
  }, 60_000, 250);

  // A deleted frontend leaves the rotation; its replacement joins it.
  const victim = frontends[0]!;
  await kubectl('delete', 'pod', victim, '--wait=false');
  await waitFor('victim out of rotation and replacement in', async () => {
    const s = await frontendsSeen('127.0.0.1', 30001, 20);
    return s.size === 2 && !s.has(victim);
  }, 90_000, 500);
});

test('the cluster is secure by default: HTTPS only, anonymous sees health only, kubelets want credentials, Secrets are encrypted in etcd, requests are audited', async () => {
  const pki = join(state, 'pki');
  const ca = readFileSync(join(pki, 'ca.crt'), 'utf8');
  const anon = new Agent({ connect: { ca } });
  try {
    assert.equal((await fetch(`https://127.0.0.1:${apiPort}/healthz`, { dispatcher: anon })).status, 200);
    const pods = await fetch(`https://127.0.0.1:${apiPort}/api/v1/namespaces/default/pods`, { dispatcher: anon });
    assert.equal(pods.status, 403);
    assert.match(((await pods.json()) as { message: string }).message, /User "system:anonymous" cannot list resource "pods"/);
    await assert.rejects(httpGet('127.0.0.1', apiPort, '/healthz', 2000), 'no plain HTTP on the apiserver port');
    // The kubelet's port answers 401 to a caller without credentials (it serves HTTPS with a CA-signed certificate).
    const kubeletPort = env.TSKUBE_KUBELET_PORTS!.split(' ')[0]!;
    const k = await fetch(`https://127.0.0.1:${kubeletPort}/pods`, { dispatcher: anon });
    assert.equal(k.status, 401);
  } finally {
    await anon.close();
  }
  await kubectl('create', 'secret', 'generic', 'up-secret', '--from-literal=password=correct-horse-battery');
  const etcd = new Etcd3({ hosts: `http://127.0.0.1:${env.TSKUBE_ETCD_PORT}` });
  try {
    const raw = await etcd.get('/registry/secrets/default/up-secret').buffer();
    assert.ok(raw, 'the secret is in etcd');
    assert.match(raw.subarray(0, 24).toString(), /^k8s:enc:aescbc:v1:key1:/);
    assert.equal(raw.includes('correct-horse-battery'), false);
    assert.equal(raw.includes(Buffer.from('correct-horse-battery').toString('base64')), false);
  } finally {
    etcd.close();
  }
  const events = await waitFor('the secret create in the audit log', () => {
    const lines = readFileSync(join(state, 'logs', 'audit.log'), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>);
    return lines.filter((e) => (e.objectRef as { name?: string } | undefined)?.name === 'up-secret' && e.verb === 'create').length ? lines : undefined;
  }, 10_000, 200);
  const create = events.find((e) => (e.objectRef as { name?: string } | undefined)?.name === 'up-secret' && e.verb === 'create')!;
  assert.equal(create.level, 'Metadata');
  assert.equal((create.user as { username: string }).username, 'kubernetes-admin');
  assert.equal(JSON.stringify(events).includes('correct-horse-battery'), false, 'secret data never reaches the audit log');
});

test('in-cluster access: kc and client-node in pods reach https://kubernetes.default.svc with the pod\'s service-account token', async () => {
  const image = await ensureProjectImage(env);
  // The default service account may read (ClusterRole view, aggregated by the controller-manager).
  await kubectl('create', 'rolebinding', 'default-view', '--clusterrole=view', '--serviceaccount=default:default');
  await kubectl('run', 'kc-in-pod', `--image=${image}`, '--image-pull-policy=Never', '--restart=Never', '--', 'dist/kubectl/main.js', 'get', 'pods');
  // client-node (a development dependency, not in the image) from this checkout, on the Node base image.
  const probe = [
    "const k8s = await import('/src/node_modules/@kubernetes/client-node/dist/index.js');",
    'const kc = new k8s.KubeConfig(); kc.loadFromCluster();',
    "const pods = await kc.makeApiClient(k8s.CoreV1Api).listNamespacedPod({ namespace: 'default' });",
    "console.log('client-node sees', pods.items.length, 'pods as', kc.getCurrentUser()?.name, 'at', kc.getCurrentCluster()?.server);",
    "const { readFileSync } = await import('node:fs'); const sa = '/var/run/secrets/kubernetes.io/serviceaccount';",
    "const { Agent, fetch } = await import('/src/node_modules/undici/index.js');",
    "const r = await fetch('https://kubernetes.default.svc/api/v1/namespaces/default/pods', { headers: { authorization: 'Bearer ' + readFileSync(sa + '/token', 'utf8') }, dispatcher: new Agent({ connect: { ca: readFileSync(sa + '/ca.crt') } }) });",
    "console.log('kubernetes.default.svc answered', r.status);",
  ].join(' ');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'client-node-in-pod' },
    spec: {
      restartPolicy: 'Never',
      containers: [{ name: 'probe', image: 'tskube/node:20-local', imagePullPolicy: 'Never', command: ['node', '--input-type=module', '-e', probe], volumeMounts: [{ name: 'src', mountPath: '/src', readOnly: true }] }],
      volumes: [{ name: 'src', hostPath: { path: ROOT, type: 'Directory' } }],
    },
  };
  await runScript(KUBECTL, ['--kubeconfig', join(state, 'kubeconfig'), 'apply', '-f', '-'], env, 60_000, JSON.stringify(pod));
  for (const name of ['kc-in-pod', 'client-node-in-pod']) {
    await waitFor(`${name} finished`, async () => {
      const phase = await kubectl('get', 'pod', name, '-o', 'jsonpath={.status.phase}').catch(() => '');
      if (phase === 'Failed') throw new Error(`${name} failed:\n${await kubectl('logs', name).catch(String)}\n${await kubectl('describe', 'pod', name).catch(String)}`);
      return phase === 'Succeeded';
    }, 180_000, 500);
  }
  const kcOut = await kubectl('logs', 'kc-in-pod');
  assert.match(kcOut, /^NAME\s+READY\s+STATUS/m);
  assert.match(kcOut, /^kc-in-pod\s+1\/1\s+Running/m);
  const cnOut = await kubectl('logs', 'client-node-in-pod');
  assert.match(cnOut, /client-node sees \d+ pods as inClusterUser at https:\/\/10\.96\.0\.1:443/);
  assert.match(cnOut, /kubernetes\.default\.svc answered 200/);
  // Without the RoleBinding the same token is forbidden: it really is the pod's identity.
  await kubectl('delete', 'rolebinding', 'default-view');
  await kubectl('delete', 'pod', 'kc-in-pod', '--wait=false');
});

test('local-path volumes: an Immediate claim gets its directory under .tskube/local-path', async () => {
  const manifest = join(state, 'local-path-claim.yaml');
  writeFileSync(manifest, `apiVersion: storage.k8s.io/v1
kind: StorageClass
metadata: {name: instant}
provisioner: tskube.io/local-path
volumeBindingMode: Immediate
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: up-data}
spec:
  storageClassName: instant
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 1Gi}}
`);
  await kubectl('apply', '-f', manifest);
  const volume = await waitFor('up-data Bound', async () => {
    const out = await kubectl('get', 'pvc', 'up-data', '-o', 'jsonpath={.status.phase} {.spec.volumeName}');
    const [phase, name] = out.split(' ');
    return phase === 'Bound' ? name : undefined;
  }, 120_000, 500);
  assert.ok(existsSync(join(state, 'local-path', `${volume}_default_up-data`)));
  assert.match(await kubectl('get', 'sc'), /^local-path \(default\)\s+tskube\.io\/local-path\s+Delete\s+WaitForFirstConsumer\s+true\s/m);
});

test('scripts/down removes every container, network, iptables chain and route it made', async () => {
  await runScript(join(ROOT, 'scripts/down'), ['--purge'], env, 120_000);
  up = false;
  await assertHostClean(before0, state);
  await assert.rejects(httpGet('127.0.0.1', apiPort, '/healthz', 1000));
});
