// The secure front door over real etcd and HTTPS: who a request is (client certificates,
// static and service-account tokens, anonymous), what they may do (RBAC, the Node authorizer,
// impersonation, escalation prevention), and that bad credentials are 401 and denials 403 with
// Kubernetes' messages — never a 5xx.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Agent, type Dispatcher } from 'undici';
import { issueCert, newCA } from '../client/cert/x509.js';
import { RestClient } from '../client/index.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { http, type HttpReply } from '../test/harness/http.js';
import { waitFor } from '../test/harness/ports.js';

let api: TestApiserver;
let admin: RestClient;
const agents: Agent[] = [];

/** Raw requests as someone: a client certificate, a bearer token, or nobody. */
function as(who: { cert?: { cert: string; key: string }; token?: string } = {}) {
  const agent = new Agent({ connect: { ca: api.pki.ca.cert, ...(who.cert ? { cert: who.cert.cert, key: who.cert.key } : {}) } });
  agents.push(agent);
  const req = http({ url: api.url, dispatcher: agent as Dispatcher });
  return (method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpReply> =>
    req(method, path, body, { ...headers, ...(who.token ? { authorization: `Bearer ${who.token}` } : {}) });
}

function assertStatus(r: HttpReply, code: number, reason: string, message?: string | RegExp): void {
  assert.equal(r.status, code, r.text);
  assert.equal(r.body?.kind, 'Status', r.text);
  assert.equal(r.body?.reason, reason, r.text);
  if (typeof message === 'string') assert.equal(r.body?.message, message);
  else if (message) assert.match(r.body?.message, message);
}

const whoami = async (req: ReturnType<typeof as>) => {
  const r = await req('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  assert.equal(r.status, 201, r.text);
  return r.body.status.userInfo as { username: string; groups: string[]; uid?: string; extra?: Record<string, string[]> };
};

async function tokenFor(ns: string, sa: string, spec: Record<string, unknown> = {}): Promise<string> {
  const r = await as({ cert: api.pki.admin })('POST', `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec });
  assert.equal(r.status, 201, r.text);
  return r.body.status.token as string;
}

before(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tskube-sec-'));
  writeFileSync(join(dir, 'tokens.csv'), 'static-token-1,carol,carol-uid,"devs,ops"\n');
  api = await startTestApiserver({ security: { tokenAuthFile: join(dir, 'tokens.csv') } });
  admin = new RestClient({ ...api.config, qps: 0 });
  await admin.resource('namespaces').create({ metadata: { name: 'team' } });
});
after(async () => {
  await admin?.close();
  for (const a of agents) await a.close();
  await api?.stop();
});

describe('authentication', () => {
  test('anonymous may read health and version only; everything else is 403 with the Kubernetes message', async () => {
    const anon = as();
    for (const p of ['/healthz', '/livez', '/readyz', '/version']) assert.equal((await anon('GET', p)).status, 200, p);
    assertStatus(await anon('GET', '/api/v1/namespaces/default/pods'), 403, 'Forbidden', 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
    assertStatus(await anon('GET', '/api'), 403, 'Forbidden', 'forbidden: User "system:anonymous" cannot get path "/api"');
    assertStatus(await anon('GET', '/apis/apps/v1/deployments'), 403, 'Forbidden', 'deployments.apps is forbidden: User "system:anonymous" cannot list resource "deployments" in API group "apps" at the cluster scope');
    assert.deepEqual(await whoami(anon).catch(() => undefined), undefined, 'anonymous may not even ask who it is');
  });

  test('a client certificate: CN is the user, O the groups', async () => {
    const me = await whoami(as({ cert: await api.pki.client('dave', ['qa', 'ops']) }));
    assert.equal(me.username, 'dave');
    assert.deepEqual(me.groups, ['qa', 'ops', 'system:authenticated']);
  });

  test('bad credentials are 401 Unauthorized, never 5xx: unknown token, malformed JWT, foreign CA, expired certificate', async () => {
    const unauthorized = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'Unauthorized', reason: 'Unauthorized', code: 401 };
    for (const token of ['nope', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln', '']) {
      const r = await as({ token })('GET', '/api/v1/namespaces');
      if (token === '') assert.equal(r.status, 403, 'an empty bearer token is no credential: anonymous');
      else assert.deepEqual(r.body, unauthorized, token);
    }
    const foreign = await newCA('someone-else');
    const intruder = await issueCert(foreign, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'] });
    assertStatus(await as({ cert: intruder })('GET', '/api/v1/namespaces'), 401, 'Unauthorized');
    const expired = await issueCert(api.pki.ca, { commonName: 'old', organizations: ['system:masters'], usages: ['client'], validityDays: -0.001 });
    assertStatus(await as({ cert: expired })('GET', '/api/v1/namespaces'), 401, 'Unauthorized');
  });

  test('--token-auth-file tokens', async () => {
    const me = await whoami(as({ token: 'static-token-1' }));
    assert.deepEqual(me, { username: 'carol', uid: 'carol-uid', groups: ['devs', 'ops', 'system:authenticated'] });
  });
});

describe('service-account tokens', () => {
  test('a TokenRequest token is the service account; it stops working when the account is deleted', async () => {
    await admin.resource('serviceaccounts', 'team').create({ metadata: { name: 'robot' } });
    const token = await tokenFor('team', 'robot', { expirationSeconds: 600 });
    const robot = as({ token });
    const me = await whoami(robot);
    assert.equal(me.username, 'system:serviceaccount:team:robot');
    assert.deepEqual(me.groups, ['system:serviceaccounts', 'system:serviceaccounts:team', 'system:authenticated']);
    assertStatus(await robot('GET', '/api/v1/namespaces/team/secrets'), 403, 'Forbidden', 'secrets is forbidden: User "system:serviceaccount:team:robot" cannot list resource "secrets" in API group "" in the namespace "team"');
    await admin.resource('serviceaccounts', 'team').delete('robot');
    await waitFor('the token is refused', async () => (await robot('GET', '/api/v1/namespaces/team/pods')).status === 401, 15_000, 200);
  });

  test('a pod-bound token dies with its pod; TokenReview says who a token is', async () => {
    await admin.resource('serviceaccounts', 'team').create({ metadata: { name: 'web' } });
    const pod = await admin.resource('pods', 'team').create({ metadata: { name: 'w1' }, spec: { serviceAccountName: 'web', containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    const token = await tokenFor('team', 'web', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'w1', uid: pod.metadata?.uid } });
    const review = await as({ cert: api.pki.admin })('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } });
    assert.equal(review.status, 201, review.text);
    assert.equal(review.body.status.authenticated, true);
    assert.equal(review.body.status.user.username, 'system:serviceaccount:team:web');
    assert.deepEqual(review.body.status.user.extra['authentication.kubernetes.io/pod-name'], ['w1']);
    assertStatus(
      await as({ cert: api.pki.admin })('POST', '/api/v1/namespaces/team/serviceaccounts/web/token', { kind: 'TokenRequest', spec: { expirationSeconds: 60 } }),
      422,
      'Invalid',
      /may not specify a duration less than 10 minutes/,
    );
    await admin.resource('pods', 'team').delete('w1', { gracePeriodSeconds: 0 });
    await waitFor('the pod-bound token is refused', async () => (await as({ token })('GET', '/api/v1/namespaces/team/pods')).status === 401, 15_000, 200);
  });
});

describe('authorization', () => {
  test('RBAC grants what a RoleBinding says, in its namespace only; a binding to a missing role denies', async () => {
    const erin = as({ cert: await api.pki.client('erin') });
    assertStatus(await erin('GET', '/api/v1/namespaces/team/configmaps'), 403, 'Forbidden');
    await admin.resource('roles.rbac.authorization.k8s.io', 'team').create({ metadata: { name: 'cm-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list'] }] });
    await admin.resource('rolebindings.rbac.authorization.k8s.io', 'team').create({
      metadata: { name: 'erin-reads' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'cm-reader' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'erin' }],
    });
    await waitFor('erin may list configmaps in team', async () => (await erin('GET', '/api/v1/namespaces/team/configmaps')).status === 200, 10_000, 100);
    assertStatus(await erin('GET', '/api/v1/namespaces/default/configmaps'), 403, 'Forbidden');
    assertStatus(await erin('DELETE', '/api/v1/namespaces/team/configmaps/x'), 403, 'Forbidden', 'configmaps "x" is forbidden: User "erin" cannot delete resource "configmaps" in API group "" in the namespace "team"');
    await admin.resource('rolebindings.rbac.authorization.k8s.io', 'team').create({
      metadata: { name: 'dangling' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'does-not-exist' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'frank' }],
    });
    const r = await as({ cert: await api.pki.client('frank') })('GET', '/api/v1/namespaces/team/pods');
    assertStatus(r, 403, 'Forbidden', /clusterrole.rbac.authorization.k8s.io "does-not-exist" not found/);
  });

  test('escalation: granting what you do not hold is forbidden unless you may bind or escalate', async () => {
    await admin.resource('roles.rbac.authorization.k8s.io', 'team').create({
      metadata: { name: 'binder' },
      rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['rolebindings', 'roles'], verbs: ['create', 'get'] }],
    });
    await admin.resource('rolebindings.rbac.authorization.k8s.io', 'team').create({
      metadata: { name: 'gina-binds' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'binder' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'gina' }],
    });
    const gina = as({ cert: await api.pki.client('gina') });
    await waitFor('gina may create rolebindings', async () => (await gina('GET', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles/binder')).status === 200, 10_000, 100);
    const toAdmin = await gina('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/rolebindings', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name: 'gina-admin' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'cluster-admin' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'gina' }],
    });
    assertStatus(toAdmin, 403, 'Forbidden', /attempting to grant RBAC permissions not currently held/);
    const bigRole = await gina('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'secrets-all' },
      rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['*'] }],
    });
    assertStatus(bigRole, 403, 'Forbidden', /user "gina" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held/);
    // Within what gina holds, she may.
    const ok = await gina('POST', '/apis/rbac.authorization.k8s.io/v1/namespaces/team/roles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'Role',
      metadata: { name: 'role-getter' },
      rules: [{ apiGroups: ['rbac.authorization.k8s.io'], resources: ['roles'], verbs: ['get'] }],
    });
    assert.equal(ok.status, 201, ok.text);
  });

  test('impersonation needs the impersonate verb; then the request is the impersonated user', async () => {
    const hank = as({ cert: await api.pki.client('hank') });
    assertStatus(
      await hank('GET', '/api/v1/namespaces/team/pods', undefined, { 'impersonate-user': 'jane' }),
      403,
      'Forbidden',
      'users "jane" is forbidden: User "hank" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    await admin.resource('clusterroles.rbac.authorization.k8s.io').create({ metadata: { name: 'impersonator' }, rules: [{ apiGroups: [''], resources: ['users', 'groups'], verbs: ['impersonate'] }] });
    await admin.resource('clusterrolebindings.rbac.authorization.k8s.io').create({
      metadata: { name: 'hank-impersonates' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'impersonator' },
      subjects: [{ kind: 'User', apiGroup: 'rbac.authorization.k8s.io', name: 'hank' }],
    });
    await waitFor('hank may impersonate', async () => {
      const r = await hank('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { kind: 'SelfSubjectReview' }, { 'impersonate-user': 'jane', 'impersonate-group': 'testers' });
      return r.status === 201 && r.body.status.userInfo.username === 'jane' ? r : undefined;
    }, 10_000, 100).then((r) => assert.deepEqual(r.body.status.userInfo.groups, ['testers', 'system:authenticated']));
    assertStatus(await hank('GET', '/api', undefined, { 'impersonate-group': 'x' }), 400, 'BadRequest');
  });

  test('the Node authorizer: a kubelet reads only the secrets of pods bound to it, and writes only its own Node', async () => {
    const n1 = as({ cert: await api.pki.client('system:node:n1', ['system:nodes']) });
    await admin.resource('secrets', 'team').create({ metadata: { name: 'db' }, stringData: { p: 'x' } });
    await admin.resource('secrets', 'team').create({ metadata: { name: 'other' }, stringData: { p: 'y' } });
    assertStatus(await n1('GET', '/api/v1/namespaces/team/secrets/db'), 403, 'Forbidden', /no relationship found between node 'n1' and this object/);
    await admin.resource('pods', 'team').create({
      metadata: { name: 'uses-db' },
      spec: { nodeName: 'n1', containers: [{ name: 'c', image: 'busybox:1.35', env: [{ name: 'P', valueFrom: { secretKeyRef: { name: 'db', key: 'p' } } }] }] },
    });
    await waitFor('n1 may read db', async () => (await n1('GET', '/api/v1/namespaces/team/secrets/db')).status === 200, 10_000, 100);
    assertStatus(await n1('GET', '/api/v1/namespaces/team/secrets/other'), 403, 'Forbidden');
    assertStatus(await n1('GET', '/api/v1/secrets'), 403, 'Forbidden');
    assert.equal((await n1('GET', '/api/v1/namespaces/team/secrets?fieldSelector=metadata.name%3Ddb')).status, 200, 'a list of the one named object');
    const node = (name: string) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name } });
    assert.equal((await n1('POST', '/api/v1/nodes', node('n1'))).status, 201);
    assertStatus(await n1('POST', '/api/v1/nodes', node('n2')), 403, 'Forbidden', /node "n1" is not allowed to modify node "n2"/);
  });

  test('SubjectAccessReview and SelfSubjectRulesReview answer for others and for oneself', async () => {
    const sar = await as({ cert: api.pki.admin })('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SubjectAccessReview',
      spec: { user: 'erin', resourceAttributes: { namespace: 'team', verb: 'list', resource: 'configmaps' } },
    });
    assert.equal(sar.status, 201, sar.text);
    assert.equal(sar.body.status.allowed, true);
    assert.match(sar.body.status.reason, /RBAC: allowed by RoleBinding "erin-reads\/team" of Role "cm-reader" to User "erin"/);
    assertStatus(
      await as({ cert: api.pki.admin })('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', { kind: 'SubjectAccessReview', spec: { resourceAttributes: { verb: 'get' } } }),
      422,
      'Invalid',
    );
    const rules = await as({ cert: await api.pki.client('erin') })('POST', '/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', { kind: 'SelfSubjectRulesReview', spec: { namespace: 'team' } });
    assert.equal(rules.status, 201, rules.text);
    assert.ok(rules.body.status.resourceRules.some((r: { resources: string[]; verbs: string[] }) => r.resources.includes('configmaps') && r.verbs.includes('list')));
  });
});
