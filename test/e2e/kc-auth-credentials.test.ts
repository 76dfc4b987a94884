// Every way kc can say who it is to a secure apiserver (HTTPS; x509, static and service-account
// tokens, basic auth; real etcd): kubeconfig fields and flags, compared with the real kubectl
// 1.32, the failures kubectl reports in one line, and the in-cluster config of a pod.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { stringify } from 'yaml';
import { RestClient } from '../../client/index.js';
import { newCA } from '../../client/cert/x509.js';
import { runKc } from '../../kubectl/cli.js';
import { captureIO } from '../../kubectl/io.js';
import { startTestApiserver, type TestApiserver } from '../harness/apiserver.js';
import { kcPair, type KcPair } from './kc-harness.js';

let api: TestApiserver;
let p: KcPair;
let client: RestClient;
let dir: string;

const STATIC_TOKEN = 'static-token-for-dave';
const b64 = (s: string): string => Buffer.from(s).toString('base64');

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kc-credentials-'));
  writeFileSync(join(dir, 'basic.csv'), 's3cret,carol,1003,"devs,qa"\n');
  writeFileSync(join(dir, 'tokens.csv'), `${STATIC_TOKEN},dave,1004,"devs"\n`);
  api = await startTestApiserver({ security: { basicAuthFile: join(dir, 'basic.csv'), tokenAuthFile: join(dir, 'tokens.csv') } });
  p = kcPair(api.config);
  client = new RestClient({ ...api.config });
  writeFileSync(join(dir, 'ca.crt'), api.pki.ca.cert);
  writeFileSync(join(dir, 'admin.crt'), api.pki.admin.cert);
  writeFileSync(join(dir, 'admin.key'), api.pki.admin.key);
  writeFileSync(join(dir, 'token.txt'), `${STATIC_TOKEN}\n`);
  writeFileSync(join(dir, 'other-ca.crt'), (await newCA('some-other-ca')).cert);
});

after(async () => {
  await client?.close();
  await api?.stop();
});

/** A kubeconfig file with this cluster and user entry. */
function kubeconfig(name: string, cluster: Record<string, unknown>, user: Record<string, unknown>): string {
  const path = join(dir, `${name}.kubeconfig`);
  writeFileSync(
    path,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster: { server: api.url, ...cluster } }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
      'current-context': 'x',
    }),
  );
  return path;
}

const withCA = (): Record<string, unknown> => ({ 'certificate-authority-data': b64(api.pki.ca.cert) });

async function same(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const r = await p.both(args);
  assert.deepEqual(r.kc, r.kubectl, `kc ${args.join(' ')} differs from kubectl`);
  return r.kc;
}

const username = async (args: string[]): Promise<string> => {
  const r = await same([...args, 'auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout;
};

describe('kubeconfig credential forms', () => {
  test('client certificate and key as data, and as files with a CA file', async () => {
    assert.equal(await username([]), 'kubernetes-admin');
    const files = kubeconfig('cert-files', { 'certificate-authority': join(dir, 'ca.crt') }, { 'client-certificate': join(dir, 'admin.crt'), 'client-key': join(dir, 'admin.key') });
    assert.equal(await username(['--kubeconfig', files]), 'kubernetes-admin');
    await same(['--kubeconfig', files, 'auth', 'whoami']);
  });

  test('a static token, a token file, and basic auth', async () => {
    assert.equal(await username(['--kubeconfig', kubeconfig('token', withCA(), { token: STATIC_TOKEN })]), 'dave');
    assert.equal(await username(['--kubeconfig', kubeconfig('token-file', withCA(), { tokenFile: join(dir, 'token.txt') })]), 'dave');
    const basic = kubeconfig('basic', withCA(), { username: 'carol', password: 's3cret' });
    assert.equal(await username(['--kubeconfig', basic]), 'carol');
    await same(['--kubeconfig', basic, 'auth', 'whoami']);
  });

  test('insecure-skip-tls-verify trusts any server certificate', async () => {
    assert.equal(await username(['--kubeconfig', kubeconfig('insecure', { 'insecure-skip-tls-verify': true }, { token: STATIC_TOKEN })]), 'dave');
  });

  test('an untrusted server certificate is one line and exit 1', async () => {
    const wrong = kubeconfig('wrong-ca', { 'certificate-authority': join(dir, 'other-ca.crt') }, { token: STATIC_TOKEN });
    const r = await same(['--kubeconfig', wrong, 'auth', 'whoami']);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n' });
    // kubectl's get first logs each failed discovery attempt; its last line is the one kc prints.
    const args = ['--kubeconfig', kubeconfig('no-ca', {}, { token: STATIC_TOKEN }), 'get', 'pods'];
    const [kc, kubectl] = [await p.kc(args), await p.kubectl.run(args)];
    assert.deepEqual(kc, { code: 1, stdout: '', stderr: 'Unable to connect to the server: tls: failed to verify certificate: x509: certificate signed by unknown authority\n' });
    assert.equal(kubectl.code, 1);
    assert.ok(kubectl.stderr.endsWith(kc.stderr), kubectl.stderr);
  });

  test('a token the server does not know', async () => {
    const r = await same(['--kubeconfig', kubeconfig('bad-token', withCA(), { token: 'nobody-knows-me' }), 'auth', 'whoami']);
    assert.deepEqual(r, { code: 1, stdout: '', stderr: 'error: You must be logged in to the server (Unauthorized)\n' });
  });

  test('no credentials at all: kubectl asks for a username, and stdin is empty', async () => {
    const r = await same(['--kubeconfig', kubeconfig('nobody', withCA(), {}), 'auth', 'whoami']);
    assert.deepEqual(r, { code: 1, stdout: 'Please enter Username: ', stderr: 'error: EOF\n' });
  });
});

describe('credential flags', () => {
  test('--token, --username/--password, --client-certificate/--client-key', async () => {
    const bare = kubeconfig('bare', withCA(), {});
    assert.equal(await username(['--kubeconfig', bare, '--token', STATIC_TOKEN]), 'dave');
    assert.equal(await username(['--kubeconfig', bare, '--username', 'carol', '--password', 's3cret']), 'carol');
    assert.equal(await username(['--kubeconfig', bare, '--client-certificate', join(dir, 'admin.crt'), '--client-key', join(dir, 'admin.key')]), 'kubernetes-admin');
  });

  test('--certificate-authority and --insecure-skip-tls-verify replace a wrong CA; --server with them alone', async () => {
    const wrong = kubeconfig('wrong-ca-2', { 'certificate-authority': join(dir, 'other-ca.crt') }, { token: STATIC_TOKEN });
    assert.equal(await username(['--kubeconfig', wrong, '--certificate-authority', join(dir, 'ca.crt')]), 'dave');
    assert.equal(await username(['--kubeconfig', wrong, '--insecure-skip-tls-verify']), 'dave');
    const empty = join(dir, 'empty.kubeconfig');
    writeFileSync(empty, '');
    assert.equal(await username(['--kubeconfig', empty, '-s', api.url, '--certificate-authority', join(dir, 'ca.crt'), '--token', STATIC_TOKEN]), 'dave');
  });

  test('--tls-server-name: a name the certificate has works, another is the x509 error', async () => {
    assert.equal(await username(['--tls-server-name', 'kubernetes']), 'kubernetes-admin');
    const r = await same(['--tls-server-name', 'foo.example', 'auth', 'whoami']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /^Unable to connect to the server: tls: failed to verify certificate: x509: certificate is valid for localhost, kubernetes, .*, not foo\.example\n$/);
  });

  test('configuration mistakes read as clientcmd reports them', async () => {
    await same(['--as-uid', '7', 'auth', 'whoami']);
    await same(['--client-key', '/nonexistent/key', '--as-group', 'g', 'auth', 'whoami']);
    await same(['--certificate-authority', '/nonexistent/ca', 'auth', 'whoami']);
    for (const cmd of [['auth', 'whoami'], ['get', 'pods'], ['create', 'token', 'x'], ['auth', 'can-i', '--list']]) {
      await same(['--context', 'nope', ...cmd]);
      await same(['--cluster', 'nope', ...cmd]);
      await same(['--user', 'nope', ...cmd]);
    }
  });
});

describe('in-cluster config', () => {
  test('in a pod with no kubeconfig, kc is the pod service account in its namespace', async () => {
    await client.resource('namespaces').create({ metadata: { name: 'incluster' } });
    await client.resource('serviceaccounts', 'incluster').create({ metadata: { name: 'viewer' } });
    await client.resource('roles.rbac.authorization.k8s.io', 'incluster').create({ metadata: { name: 'view-pods' }, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }] });
    await client.resource('rolebindings.rbac.authorization.k8s.io', 'incluster').create({
      metadata: { name: 'viewer-views' },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'view-pods' },
      subjects: [{ kind: 'ServiceAccount', name: 'viewer', namespace: 'incluster' }],
    });
    await client.resource('pods', 'incluster').create({ metadata: { name: 'inside' }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } });
    const token = await p.kc(['create', 'token', 'viewer', '-n', 'incluster']);
    assert.equal(token.code, 0, token.stderr);

    const sa = join(dir, 'serviceaccount');
    mkdirSync(sa);
    writeFileSync(join(sa, 'token'), token.stdout);
    writeFileSync(join(sa, 'ca.crt'), api.pki.ca.cert);
    writeFileSync(join(sa, 'namespace'), 'incluster');
    const home = join(dir, 'pod-home');
    mkdirSync(home);
    const env = { KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: new URL(api.url).port };
    const run = async (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> => {
      const io = captureIO({ env, home, cwd: home, serviceAccountDir: sa });
      const code = await runKc(args, io);
      return { code, stdout: io.out(), stderr: io.err() };
    };
    const pods = await run(['get', 'pods']);
    assert.equal(pods.code, 0, pods.stderr);
    assert.match(pods.stdout, /^NAME +READY +STATUS +RESTARTS +AGE\ninside +0\/1 +Pending +0 +\d+s\n$/);
    assert.deepEqual(await run(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']), { code: 0, stdout: 'system:serviceaccount:incluster:viewer', stderr: '' });
    const denied = await run(['get', 'pods', '-n', 'default']);
    assert.equal(denied.stderr, 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:incluster:viewer" cannot list resource "pods" in API group "" in the namespace "default"\n');
  });
});
