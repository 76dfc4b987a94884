// The kubelet's port as a cluster runs it: HTTPS with the node's CA-signed serving
// certificate; callers authenticated by client certificate or TokenReview and authorized by
// SubjectAccessReview on nodes/<subresource> against a real apiserver (over real etcd). No
// containers are needed: /pods and /stats need none, and authorization comes first.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { pino } from 'pino';
import { Agent, fetch } from 'undici';
import { WebSocket } from 'ws';
import { DelegatingAuth } from '../../client/component-base/delegating-auth.js';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { waitFor } from '../../test/harness/ports.js';
import type { Runtime } from '../runtime/runtime.js';
import { startKubeletServer, type KubeletServer } from './server.js';

const NODE = 'auth-node';
let api: TestApiserver;
let server: KubeletServer;
let orphan: KubeletServer;
const agents: Agent[] = [];

/** A runtime the authorization tests never reach (every request is refused or served from listPods). */
const noRuntime = new Proxy({}, { get: () => () => Promise.reject(new Error('no runtime in this test')) }) as unknown as Runtime;

async function serve(apiserverReachable: boolean): Promise<KubeletServer> {
  const serving = await api.pki.kubeletServing(NODE);
  const nodeConfig = await api.configFor(`system:node:${NODE}`, ['system:nodes']);
  // The orphan kubelet's apiserver is a closed port: nothing can be checked there.
  const client = new RestClient({ ...nodeConfig, ...(apiserverReachable ? {} : { server: 'https://127.0.0.1:1' }), qps: 0, maxRetries: 0 });
  return startKubeletServer({
    runtime: noRuntime,
    nodeName: NODE,
    bindAddress: '127.0.0.1',
    port: 0,
    resolvePod: () => undefined,
    listPods: () => [{ metadata: { name: 'p', namespace: 'default' } }],
    log: pino({ level: 'silent' }),
    secure: { tls: { cert: serving.cert, key: serving.key, clientCA: api.pki.ca.cert }, auth: new DelegatingAuth({ client }) },
  });
}

function caller(cert?: { cert: string; key: string }): Agent {
  const a = new Agent({ connect: { ca: api.pki.ca.cert, ...(cert ?? {}) } });
  agents.push(a);
  return a;
}

async function get(port: number, path: string, dispatcher: Agent, token?: string): Promise<{ status: number; body: string }> {
  const res = await fetch(`https://127.0.0.1:${port}${path}`, { dispatcher, headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, body: await res.text() };
}

before(async () => {
  api = await startTestApiserver();
  server = await serve(true);
  orphan = await serve(false);
});
after(async () => {
  await server?.stop();
  await orphan?.stop();
  for (const a of agents) await a.close();
  await api?.stop();
});

test('no credentials: 401, health stays open', async () => {
  const anon = caller();
  assert.equal((await get(server.port, '/healthz', anon)).status, 200);
  const r = await get(server.port, '/pods', anon);
  assert.equal(r.status, 401);
  assert.equal(JSON.parse(r.body).reason, 'Unauthorized');
  const ws = new WebSocket(`wss://127.0.0.1:${server.port}/exec/default/p/c?command=true&stdout=1`, ['v5.channel.k8s.io'], { ca: api.pki.ca.cert });
  const code = await new Promise<number>((resolve) => ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)));
  assert.equal(code, 401, 'an upgrade is checked too');
});

test('the apiserver (kube-apiserver-kubelet-client) is allowed; others need nodes/proxy or nodes/stats', async () => {
  const apiserver = caller(api.pki.kubeletClient);
  assert.equal((await get(server.port, '/pods', apiserver)).status, 200);
  const nobody = caller(await api.pki.client('nobody'));
  const denied = await get(server.port, '/pods', nobody);
  assert.equal(denied.status, 403);
  assert.equal(JSON.parse(denied.body).message, 'Forbidden (user=nobody, verb=get, resource=nodes, subresource(s)=[proxy])');
  const stats = await get(server.port, '/stats/summary', nobody);
  assert.match(JSON.parse(stats.body).message, /subresource\(s\)=\[stats\]/);
});

test('a service-account token is checked with a TokenReview, its rights with a SubjectAccessReview', async () => {
  const admin = new RestClient({ ...api.config, qps: 0 });
  await admin.resource('serviceaccounts', 'default').create({ metadata: { name: 'monitor' } });
  const tr = await admin.json<{ status: { token: string } }>({ method: 'POST', path: '/api/v1/namespaces/default/serviceaccounts/monitor/token', body: { kind: 'TokenRequest', spec: {} } });
  const token = tr.status.token;
  const anon = caller();
  assert.equal((await get(server.port, '/pods', anon, token)).status, 403, 'authenticated, not yet allowed');
  assert.equal((await get(server.port, '/pods', anon, 'not-a-token')).status, 401);
  await admin.resource('clusterrolebindings.rbac.authorization.k8s.io').create({
    metadata: { name: 'monitor-kubelet' },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'system:kubelet-api-admin' },
    subjects: [{ kind: 'ServiceAccount', name: 'monitor', namespace: 'default' }],
  });
  // The kubelet caches decisions for a few seconds, as Kubernetes' does: poll.
  await waitFor('the token is allowed', async () => (await get(server.port, '/pods', anon, token)).status === 200, 20_000, 250);
  await admin.close();
});

test('a kubelet that cannot reach the apiserver denies: tokens are 401, certificates 403', async () => {
  assert.equal((await get(orphan.port, '/pods', caller(), 'any-token')).status, 401);
  assert.equal((await get(orphan.port, '/pods', caller(api.pki.kubeletClient))).status, 403);
  assert.equal((await get(orphan.port, '/healthz', caller())).status, 200);
});
