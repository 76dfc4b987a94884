// kc auth can-i / auth whoami / create token against a secure apiserver (HTTPS, x509 and
// service-account tokens, RBAC; real etcd), byte for byte and exit code for exit code with
// the real kubectl 1.32, as the admin, impersonating, and as a real limited user.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { RestClient } from '../../client/index.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { waitFor } from '../harness/ports.js';
import { kcPair, type KcPair } from './kc-harness.js';

let api: TestApiserver;
let admin: KcPair;
let alice: KcPair;
let client: RestClient;

const RBAC = 'rbac.authorization.k8s.io';

before(async () => {
  api = await startTestApiserver();
  admin = kcPair(api.config);
  alice = kcPair(await api.configFor('alice', ['devs']));
  client = new RestClient({ ...api.config });
  await client.resource('namespaces').create({ metadata: { name: 'team' } });
  await client.resource('roles.rbac.authorization.k8s.io', 'team').create({
    metadata: { name: 'pod-reader' },
    rules: [
      { apiGroups: [''], resources: ['pods', 'pods/log'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'], resourceNames: ['web'] },
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['list'], resourceNames: ['web'] },
    ],
  });
  await client.resource('rolebindings.rbac.authorization.k8s.io', 'team').create({
    metadata: { name: 'alice-reads' },
    roleRef: { apiGroup: RBAC, kind: 'Role', name: 'pod-reader' },
    subjects: [{ kind: 'User', apiGroup: RBAC, name: 'alice' }],
  });
  await client.resource('clusterroles.rbac.authorization.k8s.io').create({ metadata: { name: 'devs-see-nodes' }, rules: [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list'] }, { nonResourceURLs: ['/metrics'], verbs: ['get'] }] });
  await client.resource('clusterrolebindings.rbac.authorization.k8s.io').create({
    metadata: { name: 'devs-see-nodes' },
    roleRef: { apiGroup: RBAC, kind: 'ClusterRole', name: 'devs-see-nodes' },
    subjects: [{ kind: 'Group', apiGroup: RBAC, name: 'devs' }],
  });
  await client.resource('serviceaccounts', 'default').create({ metadata: { name: 'bot' } });
  // Authorization reads the watch cache, a moment behind the writes above: wait until it has them.
  const aliceClient = new RestClient({ ...(await api.configFor('alice', ['devs'])), qps: 0 });
  await waitFor('the RBAC objects are in force', async () => (await aliceClient.resource('nodes').list().then(() => true, () => false)) && (await aliceClient.resource('pods', 'team').list().then(() => true, () => false)));
  await aliceClient.close();
});

after(async () => {
  await client?.close();
  await api?.stop();
});

/** kubectl names itself in usage hints where kc names itself. */
const norm = (s: string): string => s.replaceAll("'kubectl ", "'kc ");

async function same(p: KcPair, args: string[]): Promise<void> {
  const r = await p.both(args);
  assert.deepEqual({ ...r.kc, stderr: norm(r.kc.stderr) }, { ...r.kubectl, stderr: norm(r.kubectl.stderr) }, `kc ${args.join(' ')} differs from kubectl`);
}

describe('auth can-i as the admin: kubectl output and exit code', () => {
  const cases = [
    ['get', 'pods'],
    ['get', 'nodes'],
    ['create', 'clusterroles.rbac.authorization.k8s.io'],
    ['list', 'deploy/web'],
    ['get', 'deployments.v1.apps', '-n', 'kube-system'],
    ['get', 'pods', '--subresource=log', '-A'],
    ['get', '/healthz'],
    ['impersonate', 'users'],
    ['get', '*'],
    ['frobnicate', 'widgets'],
    ['get', 'foo.bar'],
    ['--list'],
    ['--list', '--no-headers', '-n', 'team'],
    // usage errors
    ['get'],
    ['get', 'pods', 'extra'],
    ['--list', '-A'],
    ['--list', 'pods'],
    ['get', 'pods', '--no-headers'],
    ['get', '/logs', '--subresource=x'],
  ];
  for (const args of cases) test(args.join(' '), () => same(admin, ['auth', 'can-i', ...args]));
});

describe('auth can-i as someone else (--as, --as-group) and as a real limited user', () => {
  const impersonated = [
    ['get', 'pods', '-n', 'team', '--as', 'alice'],
    ['get', 'pods', '--as', 'alice'],
    ['get', 'pods/log', '-n', 'team', '--as', 'alice'],
    ['get', 'pods', '--subresource=log', '-n', 'team', '--as', 'alice'],
    ['get', 'deployments/web', '-n', 'team', '--as', 'alice'],
    ['get', 'deployments/other', '-n', 'team', '--as', 'alice'],
    ['list', 'nodes', '--as', 'alice', '--as-group', 'devs'],
    ['list', 'nodes', '--as', 'alice', '--as-group', 'nope', '--as-group', 'devs', '--as-uid', '42'],
    ['get', '/metrics', '--as', 'bob', '--as-group', 'devs'],
    ['get', '/metrics', '--as', 'bob'],
    ['-q', 'delete', 'pods', '-n', 'team', '--as', 'alice'],
    ['--list', '-n', 'team', '--as', 'alice', '--as-group', 'devs'],
    ['--list', '--as', 'system:serviceaccount:default:bot'],
    ['get', 'pods', '--as-group', 'devs'],
  ];
  for (const args of impersonated) test(args.join(' '), () => same(admin, ['auth', 'can-i', ...args]));

  test('exit codes: allowed 0, denied 1, quiet prints nothing', async () => {
    assert.deepEqual(await alice.kc(['auth', 'can-i', 'list', 'pods', '-n', 'team']), { code: 0, stdout: 'yes\n', stderr: '' });
    assert.deepEqual(await alice.kc(['auth', 'can-i', 'list', 'pods', '-n', 'default']), { code: 1, stdout: 'no\n', stderr: '' });
    assert.deepEqual(await alice.kc(['auth', 'can-i', '-q', 'list', 'secrets', '-n', 'team']), { code: 1, stdout: '', stderr: '' });
  });

  const own = [
    ['auth', 'can-i', 'watch', 'pods', '-n', 'team'],
    ['auth', 'can-i', 'create', 'pods', '-n', 'team'],
    ['auth', 'can-i', 'get', 'nodes'],
    ['auth', 'can-i', '--list', '-n', 'team'],
    ['auth', 'can-i', '--list'],
    ['get', 'pods', '-n', 'default'],
    ['get', 'pods', '-n', 'team'],
  ];
  for (const args of own) test(`alice: ${args.join(' ')}`, () => same(alice, args));
});

describe('auth whoami', () => {
  for (const args of [[], ['-o', 'json'], ['-o', 'yaml'], ['-o', 'name'], ['-o', 'wide'], ['--as', 'alice', '--as-group', 'a', '--as-group', 'b', '--as-uid', '7']]) {
    test(`admin ${args.join(' ')}`, () => same(admin, ['auth', 'whoami', ...args]));
  }
  test('alice by her client certificate', () => same(alice, ['auth', 'whoami', '-o', 'json']));

  test('a service account by the token kc created for it', async () => {
    const t = await admin.kc(['create', 'token', 'bot']);
    assert.equal(t.code, 0, t.stderr);
    const bot = kcPair({ server: api.url, ca: api.pki.ca.cert, token: t.stdout });
    const r = await bot.both(['auth', 'whoami']);
    assert.deepEqual(r.kc, r.kubectl);
    assert.match(r.kc.stdout, /^ATTRIBUTE +VALUE\nUsername +system:serviceaccount:default:bot\nUID +[0-9a-f-]{36}\nGroups +\[system:serviceaccounts system:serviceaccounts:default system:authenticated\]\nExtra: authentication\.kubernetes\.io\/credential-id +\[JTI=[0-9a-f-]+\]\n$/);
    await same(bot, ['auth', 'whoami', '-o', 'yaml']);
  });
});

interface JwtClaims {
  aud: string[];
  exp: number;
  iat: number;
  sub: string;
  'kubernetes.io': { pod?: { name: string; uid: string } };
}

const claims = (token: string): JwtClaims => JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as JwtClaims;

async function tokenReview(token: string, audiences?: string[]): Promise<{ authenticated?: boolean; user?: { username?: string } }> {
  const r = await client.json<{ status: { authenticated?: boolean; user?: { username?: string } } }>({
    method: 'POST',
    path: '/apis/authentication.k8s.io/v1/tokenreviews',
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } },
  });
  return r.status;
}

describe('create token', () => {
  test('prints exactly the token (no newline off a terminal), and the token authenticates', async () => {
    const kc = await admin.kc(['create', 'token', 'bot']);
    const kubectl = await admin.kubectl.run(['create', 'token', 'bot']);
    assert.equal(kc.code, 0, kc.stderr);
    assert.match(kc.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    assert.match(kubectl.stdout, /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const review = await tokenReview(kc.stdout);
    assert.equal(review.authenticated, true);
    assert.equal(review.user?.username, 'system:serviceaccount:default:bot');
  });

  test('--duration and --audience', async () => {
    const r = await admin.kc(['create', 'token', 'bot', '--duration', '10m', '--audience', 'https://vault.example', '--audience', 'other']);
    assert.equal(r.code, 0, r.stderr);
    const c = claims(r.stdout);
    assert.equal(c.exp - c.iat, 600);
    assert.deepEqual(c.aud, ['https://vault.example', 'other']);
    assert.equal((await tokenReview(r.stdout, ['https://vault.example'])).authenticated, true);
    // Not meant for the apiserver: it refuses the token.
    const elsewhere = kcPair({ server: api.url, ca: api.pki.ca.cert, token: r.stdout });
    await same(elsewhere, ['auth', 'whoami']);
    assert.equal((await elsewhere.kc(['auth', 'whoami'])).stderr, 'error: You must be logged in to the server (Unauthorized)\n');
  });

  test('-o json and -o yaml print the TokenRequest as kubectl does', async () => {
    const hide = (s: string): string => s.replace(/[\w-]{20,}\.[\w-]{20,}\.[\w-]{20,}/, 'TOKEN').replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ/, 'TIME');
    for (const o of ['json', 'yaml']) {
      const args = ['create', 'token', 'bot', '-o', o, '--duration', '1h', '--audience', 'a'];
      const [kc, kubectl] = [await admin.kc(args), await admin.kubectl.run(args)];
      assert.deepEqual({ ...kc, stdout: hide(kc.stdout) }, { ...kubectl, stdout: hide(kubectl.stdout) });
    }
    await same(admin, ['create', 'token', 'bot', '-o', 'name']);
  });

  test('errors as kubectl', async () => {
    for (const args of [
      ['nope'],
      [],
      ['a', 'b'],
      ['bot', '--duration=-1s'],
      ['bot', '--duration=1500ms'],
      ['bot', '--audience', ''],
      ['bot', '--bound-object-kind', 'Foo'],
      ['bot', '--bound-object-name', 'x'],
      ['bot', '--bound-object-kind', 'Pod'],
      ['bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'nope'],
      ['bot', '-o', 'wide'],
    ]) {
      await same(admin, ['create', 'token', ...args]);
    }
  });

  test('bound to a pod: the token names the pod and stops working once the pod is gone', async () => {
    const pods = client.resource('pods', 'default');
    await pods.create({ metadata: { name: 'holder' }, spec: { serviceAccountName: 'bot', containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    const r = await admin.kc(['create', 'token', 'bot', '--bound-object-kind', 'Pod', '--bound-object-name', 'holder']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(claims(r.stdout)['kubernetes.io'].pod?.name, 'holder');
    const holder = kcPair({ server: api.url, ca: api.pki.ca.cert, token: r.stdout });
    assert.equal((await holder.kc(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'])).stdout, 'system:serviceaccount:default:bot');
    await pods.delete('holder', { gracePeriodSeconds: 0 });
    // The apiserver caches token answers for a few seconds.
    const refused = await waitFor('the bound token to be refused', async () => {
      const w = await holder.kc(['auth', 'whoami']);
      return w.code !== 0 ? w : undefined;
    });
    assert.deepEqual(refused, { code: 1, stdout: '', stderr: 'error: You must be logged in to the server (Unauthorized)\n' });
    assert.equal((await tokenReview(r.stdout)).authenticated, false);
  });
});
