// metrics-server against a real apiserver and a real kubelet running busybox pods in Docker:
// NodeMetrics and PodMetrics appear after two scrapes, selectors filter them, unknown objects
// are 404 Statuses, and only callers the apiserver vouches for get in (front-proxy headers
// with an allowed CN, or a cluster client certificate), authorized by SubjectAccessReview.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { freePort, waitFor } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';
import { startMetricsServerEnv, type MetricsServerEnv } from './metrics-server-harness.js';
import { issueCert } from '../../client/cert/x509.js';
import { kcPair } from './kc-harness.js';

const NODE = 'ms-node';
const BASE = '/apis/metrics.k8s.io/v1beta1';
const ADMIN = ['kubernetes-admin', ['system:masters']] as const;
let env: KubeletEnv;
let server: KubeletServer;
let m: MetricsServerEnv;

type Obj = Record<string, unknown> & { items?: Obj[]; metadata?: { name?: string; labels?: Record<string, string> } };
const asAdmin = (path: string) => m.getAs(path, ADMIN[0], [...ADMIN[1]]);
const names = (b: unknown) => ((b as Obj).items ?? []).map((i) => i.metadata?.name);

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  const kubelet = await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' });
  server = await env.serve(kubelet, port);
  for (const app of ['alpha', 'beta']) {
    await env.createPod(NODE, { ...shPod(app, 'sleep 3600'), metadata: { name: app, labels: { app } } });
  }
  await env.waitForPod('alpha', 'running', isRunning);
  await env.waitForPod('beta', 'running', isRunning);
  m = await startMetricsServerEnv(env.api);
});

after(async () => {
  await m?.stop();
  await server?.stop();
  await env?.stop();
});

test('NodeMetrics appear after two scrapes, with usage as quantities and a window', async () => {
  const r = await waitFor('node metrics', async () => {
    const x = await asAdmin(`${BASE}/nodes/${NODE}`);
    return x.status === 200 ? x : undefined;
  }, 30_000, 200);
  const nm = r.body as Obj & { usage: { cpu: string; memory: string }; window: string; timestamp: string };
  assert.equal(nm.kind, 'NodeMetrics');
  assert.equal(nm.apiVersion, 'metrics.k8s.io/v1beta1');
  assert.equal(nm.metadata?.name, NODE);
  assert.match(nm.usage.cpu, /^\d+(n|u|m)?$/);
  assert.match(nm.usage.memory, /^\d+(Ki|Mi|Gi)?$/);
  assert.match(nm.window, /^\d+(\.\d+)?m?s$/);
  assert.match(nm.timestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  const list = await asAdmin(`${BASE}/nodes`);
  assert.equal((list.body as Obj).kind, 'NodeMetricsList');
  assert.deepEqual(names(list.body), [NODE]);
  assert.deepEqual(names((await asAdmin(`${BASE}/nodes?labelSelector=${encodeURIComponent('kubernetes.io/hostname=nope')}`)).body), []);
});

test('PodMetrics per container; label and field selectors; all namespaces', async () => {
  const r = await waitFor('pod metrics of both pods', async () => {
    const x = await asAdmin(`${BASE}/namespaces/default/pods`);
    return names(x.body).length === 2 ? x : undefined;
  }, 30_000, 200);
  assert.equal((r.body as Obj).kind, 'PodMetricsList');
  assert.deepEqual(names(r.body), ['alpha', 'beta']);
  const alpha = (await asAdmin(`${BASE}/namespaces/default/pods/alpha`)).body as Obj & { containers: { name: string; usage: { cpu: string; memory: string } }[] };
  assert.equal(alpha.kind, 'PodMetrics');
  assert.deepEqual(alpha.metadata?.labels, { app: 'alpha' });
  assert.deepEqual(alpha.containers.map((c) => c.name), ['main']);
  assert.match(alpha.containers[0]!.usage.cpu, /^\d+(n|u|m)?$/);
  assert.match(alpha.containers[0]!.usage.memory, /^\d+(Ki|Mi)?$/);
  assert.deepEqual(names((await asAdmin(`${BASE}/namespaces/default/pods?labelSelector=app%3Dbeta`)).body), ['beta']);
  assert.deepEqual(names((await asAdmin(`${BASE}/namespaces/default/pods?labelSelector=app+in+(alpha,gamma)`)).body), ['alpha']);
  assert.deepEqual(names((await asAdmin(`${BASE}/namespaces/default/pods?fieldSelector=metadata.name%3Dbeta`)).body), ['beta']);
  assert.deepEqual(names((await asAdmin(`${BASE}/pods?labelSelector=app`)).body), ['alpha', 'beta']);
  assert.deepEqual(names((await asAdmin(`${BASE}/namespaces/kube-system/pods`)).body), []);
  const bad = await asAdmin(`${BASE}/pods?labelSelector=${encodeURIComponent('app in (')}`);
  assert.equal(bad.status, 400);
  assert.equal((bad.body as Obj).reason, 'BadRequest');
});

test('unknown nodes and pods are 404 Statuses; discovery documents', async () => {
  const node = await asAdmin(`${BASE}/nodes/nope`);
  assert.equal(node.status, 404);
  assert.deepEqual({ ...(node.body as Obj), details: undefined }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'nodes "nope" not found', reason: 'NotFound', code: 404, details: undefined });
  const pod = await asAdmin(`${BASE}/namespaces/default/pods/nope`);
  assert.equal(pod.status, 404);
  assert.equal((pod.body as Obj).reason, 'NotFound');
  const groups = (await asAdmin('/apis')).body as { groups: { name: string; preferredVersion: { groupVersion: string } }[] };
  assert.deepEqual(groups.groups.map((g) => [g.name, g.preferredVersion.groupVersion]), [['metrics.k8s.io', 'metrics.k8s.io/v1beta1']]);
  const aggregated = await m.get('/apis', m.agent(env.api.pki.admin), { accept: 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json' });
  const items = (aggregated.body as { kind: string; items: { metadata: { name: string }; versions: { version: string; resources: { resource: string; scope: string }[] }[] }[] });
  assert.equal(items.kind, 'APIGroupDiscoveryList');
  assert.deepEqual(items.items.map((g) => [g.metadata.name, g.versions.map((v) => [v.version, v.resources.map((r) => `${r.resource}:${r.scope}`)])]), [['metrics.k8s.io', [['v1beta1', ['nodes:Cluster', 'pods:Namespaced']]]]]);
  const resources = (await asAdmin(BASE)).body as { resources: { name: string; kind: string; namespaced: boolean; verbs: string[] }[] };
  assert.deepEqual(resources.resources.map((r) => [r.name, r.kind, r.namespaced, r.verbs]), [
    ['nodes', 'NodeMetrics', false, ['get', 'list']],
    ['pods', 'PodMetrics', true, ['get', 'list']],
  ]);
  assert.equal((await asAdmin(`${BASE}/pods?watch=1`)).status, 405);
});

test('authentication: front-proxy headers need an allowed CN; direct certificates need the cluster CA', async () => {
  const anonymous = m.agent();
  const none = await m.get(`${BASE}/nodes`, anonymous);
  assert.equal(none.status, 401);
  assert.deepEqual(none.body, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 });
  // Health is open to anyone, as --authorization-always-allow-paths.
  assert.deepEqual(await m.get('/healthz', anonymous), { status: 200, body: 'ok' });
  assert.equal((await m.get('/readyz', anonymous)).status, 200);
  // A front-proxy certificate with a CN not in --requestheader-allowed-names vouches for nobody.
  const wrongCN = await issueCert(m.frontProxyCA, { commonName: 'someone-else', usages: ['client'] });
  const spoof = await m.getAs(`${BASE}/nodes`, ADMIN[0], [...ADMIN[1]], wrongCN);
  assert.equal(spoof.status, 401);
  // A cluster client certificate is its CN; headers it sends are ignored.
  const admin = await m.get(`${BASE}/nodes`, m.agent(env.api.pki.admin));
  assert.equal(admin.status, 200);
  const nobodyCert = await env.api.pki.client('nobody');
  const asNobody = await m.get(`${BASE}/nodes`, m.agent(nobodyCert), { 'x-remote-user': 'kubernetes-admin', 'x-remote-group': 'system:masters' });
  assert.equal(asNobody.status, 403);
});

test('authorization: a SubjectAccessReview decides, and a refusal is the apiserver\'s 403', async () => {
  const denied = await m.getAs(`${BASE}/namespaces/default/pods`, 'jane', ['devs']);
  assert.equal(denied.status, 403);
  assert.deepEqual(denied.body, {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message: 'pods.metrics.k8s.io is forbidden: User "jane" cannot list resource "pods" in API group "metrics.k8s.io" in the namespace "default"',
    reason: 'Forbidden',
    details: { name: '', group: 'metrics.k8s.io', kind: 'pods' },
    code: 403,
  });
  // Bound to the metrics reader in the namespace (which view aggregates, with the controller-manager running), jane reads its metrics.
  await env.client.resource<Record<string, unknown>>('rolebindings.rbac.authorization.k8s.io', 'default').create({
    metadata: { name: 'jane-metrics' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:aggregated-metrics-reader' },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: 'jane' }],
  });
  // Decisions are cached briefly (as upstream's delegating authorizer): poll until it expires.
  await waitFor('jane allowed', async () => (await m.getAs(`${BASE}/namespaces/default/pods`, 'jane', ['devs'])).status === 200, 30_000, 500);
  assert.equal((await m.getAs(`${BASE}/nodes`, 'jane', ['devs'])).status, 403);
  const metrics = await m.get('/metrics', m.agent(env.api.pki.admin));
  assert.equal(metrics.status, 200);
  assert.match(String(metrics.body), /metrics_server_kubelet_request_duration_seconds_bucket\{le="[^"]+",node="ms-node"\}/);
  assert.match(String(metrics.body), /metrics_server_manager_tick_duration_seconds_count \d+/);
});

test('kc top and the real kubectl top read the metrics API through the apiserver\'s aggregation', async () => {
  await m.register();
  {
    const p = kcPair(env.api.config);
    const nodeTable = new RegExp(`^NAME\\s+CPU\\(cores\\)\\s+CPU\\(%\\)\\s+MEMORY\\(bytes\\)\\s+MEMORY\\(%\\)\\s*\\n${NODE}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%\\s*\\n$`);
    for (const r of [await p.kc(['top', 'nodes']), await p.kubectl.run(['top', 'nodes'])]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, nodeTable);
    }
    for (const r of [await p.kc(['top', 'pods']), await p.kubectl.run(['top', 'pods'])]) {
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nalpha\s+\d+m\s+\d+Mi\s*\nbeta\s+\d+m\s+\d+Mi\s*\n$/);
    }
    for (const r of [await p.kc(['top', 'pods', '-l', 'app=beta', '--containers']), await p.kubectl.run(['top', 'pods', '-l', 'app=beta', '--containers'])]) {
      assert.match(r.stdout, /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\nbeta\s+main\s+\d+m\s+\d+Mi\s*\n$/);
    }
    for (const r of [await p.kc(['top', 'pods', '-A', '--sort-by', 'memory']), await p.kubectl.run(['top', 'pods', '-A', '--sort-by', 'memory'])]) {
      assert.match(r.stdout, /^NAMESPACE\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*\n(default\s+(alpha|beta)\s+\d+m\s+\d+Mi\s*\n){2}$/);
    }
    const sums = await p.both(['top', 'pods', '-l', 'app=nothing', '--sum']);
    assert.deepEqual(sums.kc, sums.kubectl);
    for (const r of [await p.kc(['top', 'pods', '--sum']), await p.kubectl.run(['top', 'pods', '--sum'])]) {
      assert.match(r.stdout, /\n\s+________\s+________\s*\n\s+\d+m\s+\d+Mi\s*\n$/);
    }
    // kubectl get asks for a Table: Name, cpu, memory, Window (as upstream's table.go).
    const get = await p.kubectl.run(['get', 'podmetrics', '-l', 'app=alpha']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^NAME\s+CPU\s+MEMORY\s+WINDOW\s*\nalpha\s+\d+[num]?\s+\d+(Ki|Mi)?\s+\S+s\s*\n$/);
    const missing = await p.both(['top', 'pods', 'nope']);
    assert.deepEqual(missing.kc, missing.kubectl);
    assert.equal(missing.kc.code, 1);
  }
});
