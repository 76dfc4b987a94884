// kc proxy in front of a secure apiserver (HTTPS, x509/token authentication, RBAC; real
// etcd): plain-HTTP clients (undici, the real kubectl 1.32, kc itself) reach the API as the
// proxy's user, watches stream as events happen, and kubectl's filter keeps exec and foreign
// Host headers out.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { kcPair, type KcPair } from './kc-harness.js';

let api: TestApiserver;
let admin: KcPair;
let client: RestClient;

const RBAC = 'rbac.authorization.k8s.io';

before(async () => {
  api = await startTestApiserver();
  admin = kcPair(api.config);
  client = new RestClient({ ...api.config });
  await client.resource('namespaces').create({ metadata: { name: 'proxied' } });
  await client.resource('roles.rbac.authorization.k8s.io', 'proxied').create({ metadata: { name: 'pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }] });
  await client.resource('rolebindings.rbac.authorization.k8s.io', 'proxied').create({
    metadata: { name: 'paula' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pods' },
    subjects: [{ kind: 'User', apiGroup: RBAC, name: 'paula' }],
  });
  await client.resource('pods', 'proxied').create({ metadata: { name: 'one' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } });
  await client.resource('serviceaccounts', 'proxied').create({ metadata: { name: 'robot' } });
});

after(async () => {
  await client?.close();
  await api?.stop();
});

interface RunningProxy {
  url: string;
  stop(): Promise<{ code: number; stdout: string; stderr: string }>;
}

async function startProxy(p: KcPair, args: string[] = []): Promise<RunningProxy> {
  const run = p.start(['proxy', '--port=0', ...args]);
  const port = await waitFor('kc proxy to listen', () => /^Starting to serve on 127\.0\.0\.1:(\d+)\n$/.exec(run.output())?.[1]);
  return {
    url: `http://127.0.0.1:${port}`,
    async stop() {
      run.stop();
      return run.done;
    },
  };
}

async function get(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string; type: string }> {
  const r = await request(url, { headers });
  return { status: r.statusCode, body: await r.body.text(), type: String(r.headers['content-type']) };
}

describe('kc proxy as a limited user (client certificate)', () => {
  let proxy: RunningProxy;
  before(async () => {
    proxy = await startProxy(kcPair(await api.configFor('paula')));
  });
  after(async () => {
    const done = await proxy?.stop();
    assert.equal(done?.code, 0, done?.stderr);
  });

  test("lists pods as the proxy's user, and is refused what that user may not do", async () => {
    const pods = await get(`${proxy.url}/api/v1/namespaces/proxied/pods`);
    assert.equal(pods.status, 200);
    assert.deepEqual((JSON.parse(pods.body) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name), ['one']);
    const denied = await get(`${proxy.url}/api/v1/namespaces/default/pods`);
    assert.equal(denied.status, 403);
    assert.equal((JSON.parse(denied.body) as { message: string }).message, 'pods is forbidden: User "paula" cannot list resource "pods" in API group "" in the namespace "default"');
  });

  test('a watch streams each event as it happens', async () => {
    const list = JSON.parse((await get(`${proxy.url}/api/v1/namespaces/proxied/pods`)).body) as { metadata: { resourceVersion: string } };
    const res = await request(`${proxy.url}/api/v1/namespaces/proxied/pods?watch=true&resourceVersion=${list.metadata.resourceVersion}`);
    assert.equal(res.statusCode, 200);
    let buffered = '';
    const it = res.body[Symbol.asyncIterator]();
    const nextEvent = async (): Promise<{ type: string; object: { metadata: { name: string } } }> => {
      while (!buffered.includes('\n')) {
        const r = await it.next();
        assert.ok(!r.done, 'the watch ended');
        buffered += String(r.value);
      }
      const nl = buffered.indexOf('\n');
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      return JSON.parse(line) as { type: string; object: { metadata: { name: string } } };
    };
    const pods = client.resource('pods', 'proxied');
    // Each event is read before the next change is made: nothing can arrive only at the end.
    await pods.create({ metadata: { name: 'two' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    const added = await nextEvent();
    assert.deepEqual([added.type, added.object.metadata.name], ['ADDED', 'two']);
    await pods.delete('two', { gracePeriodSeconds: 0 });
    const gone = await nextEvent();
    assert.equal(gone.object.metadata.name, 'two');
    assert.ok(['MODIFIED', 'DELETED'].includes(gone.type), gone.type);
    res.body.destroy();
  });

  test("exec and attach, and Host headers other than loopback, are refused with kubectl's 403", async () => {
    for (const path of ['/api/v1/namespaces/proxied/pods/one/exec?command=ls', '/api/v1/namespaces/proxied/pods/one/attach']) {
      assert.deepEqual(await get(`${proxy.url}${path}`), { status: 403, body: 'Forbidden\n', type: 'text/plain; charset=utf-8' });
    }
    assert.deepEqual(await get(`${proxy.url}/version`, { host: 'attacker.example' }), { status: 403, body: 'Forbidden\n', type: 'text/plain; charset=utf-8' });
    assert.equal((await get(`${proxy.url}/version`, { host: `localhost:${new URL(proxy.url).port}` })).status, 200);
  });

  test('the real kubectl (and kc) can use it as their server with an empty kubeconfig', async () => {
    const empty = join(admin.kubectl.home, 'empty-kubeconfig');
    writeFileSync(empty, '');
    const args = ['--kubeconfig', empty, '--server', proxy.url];
    const r = await admin.both([...args, 'get', 'pods', '-n', 'proxied', '-o', 'name']);
    assert.deepEqual(r.kubectl, { code: 0, stdout: 'pod/one\n', stderr: '' });
    assert.deepEqual(r.kc, r.kubectl);
    const denied = await admin.both([...args, 'auth', 'can-i', 'list', 'pods', '-n', 'default']);
    assert.deepEqual(denied.kubectl, { code: 1, stdout: 'no\n', stderr: '' });
    assert.deepEqual(denied.kc, denied.kubectl);
    const who = await admin.both([...args, 'auth', 'whoami']);
    assert.deepEqual(who.kc, who.kubectl);
    assert.match(who.kc.stdout, /\nUsername +paula\n/);
  });
});

describe('kc proxy with a token, an API prefix and a filter of its own', () => {
  test('a service-account token is what the proxy presents', async () => {
    const token = await admin.kc(['create', 'token', 'robot', '-n', 'proxied']);
    assert.equal(token.code, 0, token.stderr);
    const proxy = await startProxy(kcPair({ server: api.url, ca: api.pki.ca.cert, token: token.stdout }));
    try {
      const r = await request(`${proxy.url}/apis/authentication.k8s.io/v1/selfsubjectreviews`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
      });
      assert.equal(r.statusCode, 201);
      assert.equal(((await r.body.json()) as { status: { userInfo: { username: string } } }).status.userInfo.username, 'system:serviceaccount:proxied:robot');
    } finally {
      await proxy.stop();
    }
  });

  test('--api-prefix serves the API under the prefix only; --reject-methods refuses writes', async () => {
    const proxy = await startProxy(admin, ['--api-prefix=/k8s-api', '--reject-methods=POST,PUT,PATCH,DELETE']);
    try {
      const pods = await get(`${proxy.url}/k8s-api/api/v1/namespaces/proxied/pods`);
      assert.equal(pods.status, 200);
      assert.deepEqual(await get(`${proxy.url}/api/v1/namespaces/proxied/pods`), { status: 404, body: '404 page not found\n', type: 'text/plain; charset=utf-8' });
      const post = await request(`${proxy.url}/k8s-api/api/v1/namespaces/proxied/configmaps`, { method: 'POST', body: '{}' });
      assert.equal(post.statusCode, 403);
      assert.equal(await post.body.text(), 'Forbidden\n');
    } finally {
      const done = await proxy.stop();
      assert.deepEqual(done.code, 0);
    }
    // Stopped: nothing listens there any more.
    await assert.rejects(request(`${proxy.url}/version`), { code: 'ECONNREFUSED' });
  });

  test('--disable-filter warns as kubectl does and lets exec paths through to the server', async () => {
    const proxy = await startProxy(admin, ['--disable-filter']);
    try {
      const r = await request(`${proxy.url}/api/v1/namespaces/proxied/pods/one/exec?command=ls`, { method: 'POST' });
      // The apiserver itself answers now (the pod has no node, so exec cannot start).
      assert.notEqual(await r.body.text(), 'Forbidden\n');
    } finally {
      const done = await proxy.stop();
      assert.match(done.stderr, /^W\d{4} [\d:.]+ +\d+ proxy\.go:177\] Request filter disabled, your proxy is vulnerable to XSRF attacks, please be cautious\n/);
    }
  });
});
