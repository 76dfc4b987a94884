import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { stringify } from 'yaml';
import { loadClientConfig, type ConfigFlags } from './client-config.js';
import { formatError } from './errors.js';

const b64 = (s: string): string => Buffer.from(s).toString('base64');

/** A sandbox with one kubeconfig (cluster `c`, user `u`) and a fake service-account dir. */
function sandbox(cluster: Record<string, unknown>, user: Record<string, unknown>, ctx: Record<string, unknown> = {}) {
  const root = mkdtempSync(join(tmpdir(), 'kc-clientconfig-'));
  const file = join(root, 'config');
  writeFileSync(
    file,
    stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [{ name: 'c', cluster }],
      users: [{ name: 'u', user }],
      contexts: [{ name: 'x', context: { cluster: 'c', user: 'u', ...ctx } }],
      'current-context': 'x',
    }),
  );
  const sa = join(root, 'sa');
  mkdirSync(sa);
  writeFileSync(join(sa, 'token'), 'pod-token\n');
  writeFileSync(join(sa, 'ca.crt'), 'POD-CA');
  writeFileSync(join(sa, 'namespace'), 'pod-ns');
  const load = (flags: ConfigFlags = {}, env: NodeJS.ProcessEnv = { KUBECONFIG: file }) =>
    loadClientConfig(flags, { env, home: join(root, 'home'), cwd: root, serviceAccountDir: sa });
  return { root, file, sa, load };
}

/** How kubectl reports the configuration's problem when a command first builds a client. */
const clientError = (c: ReturnType<ReturnType<typeof sandbox>['load']>): string => (c.clientError ? formatError(c.clientError) : '(no error)');
const namespaceError = (c: ReturnType<ReturnType<typeof sandbox>['load']>): string => (c.namespaceError ? formatError(c.namespaceError) : '(no error)');

test('credentials and CA are used over https only, as client-go does', () => {
  const user = { token: 'tok', 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') };
  const tls = sandbox({ server: 'https://h:6443', 'certificate-authority-data': b64('CA'), 'tls-server-name': 'k8s' }, user);
  assert.deepEqual(tls.load().config, { server: 'https://h:6443', token: 'tok', cert: 'CERT', key: 'KEY', ca: 'CA', tlsServerName: 'k8s' });
  const plain = sandbox({ server: 'http://h:8080' }, user);
  assert.deepEqual(plain.load().config, { server: 'http://h:8080' });
});

test('tokenFile and basic auth; the token file is remembered for re-reading', () => {
  const s = sandbox({ server: 'https://h' }, { tokenFile: 'tok.txt' });
  writeFileSync(join(s.root, 'tok.txt'), 'from-file\n');
  const c = s.load();
  assert.equal(c.config.token, 'from-file');
  assert.equal(c.tokenFile, join(s.root, 'tok.txt'));
  const basic = sandbox({ server: 'https://h' }, { username: 'ann', password: 'pw' });
  assert.deepEqual(basic.load().config, { server: 'https://h', username: 'ann', password: 'pw' });
});

test('flags override the entry field by field; --certificate-authority and --insecure replace the CA settings', () => {
  const s = sandbox({ server: 'https://h', 'certificate-authority-data': b64('CA'), 'tls-server-name': 'old' }, { token: 'tok' });
  writeFileSync(join(s.root, 'ca.pem'), 'FILE-CA');
  assert.deepEqual(s.load({ token: 'flag', certificateAuthority: join(s.root, 'ca.pem') }).config, { server: 'https://h', token: 'flag', ca: 'FILE-CA', tlsServerName: 'old' });
  assert.deepEqual(s.load({ insecureSkipTlsVerify: true }).config, { server: 'https://h', token: 'tok', insecureSkipTLSVerify: true, tlsServerName: 'old' });
  // A new --server drops the file's tls-server-name unless one is given too.
  assert.deepEqual(s.load({ server: 'https://other' }).config, { server: 'https://other', token: 'tok', ca: 'CA' });
  assert.deepEqual(s.load({ tlsServerName: 'new' }).config.tlsServerName, 'new');
});

test('impersonation flags; uid or groups without a user are refused', () => {
  const s = sandbox({ server: 'https://h' }, { token: 'tok' });
  assert.deepEqual(s.load({ as: 'ann', asGroups: ['a', 'b'], asUid: '7' }).config.impersonate, { user: 'ann', uid: '7', groups: ['a', 'b'] });
  assert.equal(clientError(s.load({ asGroups: ['a'] })), 'error: requesting uid, groups or user-extra for u without impersonating a user');
});

test("clientcmd's validation messages: one as an error, several as a list", () => {
  const s = sandbox({ server: 'https://h' }, { 'client-certificate-data': b64('CERT'), 'client-key-data': b64('KEY') });
  assert.equal(clientError(s.load({ certificateAuthority: '/nope' })), 'error: unable to read certificate-authority /nope for c due to open /nope: no such file or directory');
  assert.equal(
    clientError(s.load({ clientKey: '/nope', token: 't', username: 'x' })),
    'Error in configuration: \n' +
      '* client-key-data and client-key are both specified for u; client-key-data will override\n' +
      '* unable to read client-key /nope for u due to open /nope: no such file or directory\n' +
      '* more than one authentication method found for u; found [token basicAuth], only one is allowed',
  );
  assert.equal(clientError(s.load({ user: 'nope' })), 'error: auth info "nope" does not exist');
});

test('a missing --context or --cluster reads differently to a command that first needs the namespace', () => {
  const s = sandbox({ server: 'https://h' }, { token: 't' });
  const ctx = s.load({ context: 'nope' });
  assert.equal(clientError(ctx), 'error: context "nope" does not exist');
  assert.equal(namespaceError(ctx), 'Error in configuration: context was not found for specified context: nope');
  const cluster = s.load({ cluster: 'nope' });
  assert.equal(clientError(cluster), 'error: cluster "nope" does not exist');
  assert.equal(namespaceError(cluster), 'error: no server found for cluster "nope"');
});

test('an https server and nothing that identifies the user asks for a username', () => {
  assert.equal(sandbox({ server: 'https://h' }, {}).load().needsPrompt, true);
  assert.equal(sandbox({ server: 'https://h' }, { token: 't' }).load().needsPrompt, false);
  assert.equal(sandbox({ server: 'http://h' }, {}).load().needsPrompt, false);
});

test('in a pod with no kubeconfig and no flags, the service account is used', () => {
  const s = sandbox({ server: 'https://h' }, { token: 't' });
  const pod = { KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443', KUBECONFIG: join(s.root, 'missing') };
  const c = s.load({}, pod);
  assert.deepEqual(c.config, { server: 'https://10.96.0.1:443', token: 'pod-token', ca: 'POD-CA' });
  assert.equal(c.namespace, 'pod-ns');
  assert.equal(c.tokenFile, join(s.sa, 'token'));
  assert.equal(s.load({}, { ...pod, POD_NAMESPACE: 'downward' }).namespace, 'downward');
  assert.equal(s.load({ namespace: 'flag' }, pod).namespace, 'flag');
  // Any client flag means the user configured the client: no in-cluster fallback (kubectl's rule).
  assert.equal(s.load({ as: 'ann' }, pod).inCluster, false);
  // A kubeconfig wins, but a context without a namespace still defaults to the pod's.
  const withFile = s.load({}, { ...pod, KUBECONFIG: s.file });
  assert.equal(withFile.config.server, 'https://h');
  assert.equal(withFile.namespace, 'pod-ns');
  // Without the service-account token it is not a pod.
  assert.equal(s.load({}, { ...pod, KUBERNETES_SERVICE_HOST: '' }).config.server, 'http://localhost:8080');
});
