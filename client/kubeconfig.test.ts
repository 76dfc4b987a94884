import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, delimiter } from 'node:path';
import { loadKubeconfig, parseKubeconfig, mergeKubeconfigs, resolveKubeconfig, kubeconfigPaths, inClusterConfig } from './kubeconfig.js';

const fileA = `
apiVersion: v1
kind: Config
current-context: a
clusters:
- name: shared
  cluster: { server: "http://from-a:1" }
- name: only-a
  cluster:
    server: https://only-a:6443
    certificate-authority: ca.pem
users:
- name: admin
  user: { token: token-a }
contexts:
- name: a
  context: { cluster: shared, user: admin, namespace: team-a }
- name: secure
  context: { cluster: only-a, user: certs }
`;

const fileB = `
current-context: b
clusters:
- name: shared
  cluster: { server: "http://from-b:2" }
- name: only-b
  cluster: { server: "http://only-b:3", insecure-skip-tls-verify: true }
users:
- name: admin
  user: { token: token-b }
- name: certs
  user:
    client-certificate-data: ${Buffer.from('CERT').toString('base64')}
    client-key-data: ${Buffer.from('KEY').toString('base64')}
- name: basic
  user: { username: u, password: p }
contexts:
- name: a
  context: { cluster: only-b }
- name: b
  context: { cluster: only-b, user: basic }
`;

function withDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'kubeconfig-test-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('kubeconfig', () => {
  test('merging: the first file to define a name or current-context wins', () => {
    const merged = mergeKubeconfigs([parseKubeconfig(fileA, '/a'), parseKubeconfig(fileB, '/b')]);
    assert.equal(merged.currentContext, 'a');
    assert.equal(merged.clusters.shared?.server, 'http://from-a:1');
    assert.equal(merged.clusters['only-b']?.server, 'http://only-b:3');
    assert.equal(merged.users.admin?.token, 'token-a');
    assert.deepEqual(merged.contexts.a, { cluster: 'shared', user: 'admin', namespace: 'team-a' });
    assert.equal(merged.clusters['only-a']?.['certificate-authority'], '/a/ca.pem', 'relative paths resolve against their file');
  });

  test('resolving the current context, an explicit context, and overrides', () => {
    const merged = mergeKubeconfigs([parseKubeconfig(fileA), parseKubeconfig(fileB)]);
    const cur = resolveKubeconfig(merged);
    assert.deepEqual(cur, { config: { server: 'http://from-a:1', token: 'token-a' }, namespace: 'team-a', contextName: 'a' });

    const b = resolveKubeconfig(merged, { context: 'b' });
    assert.deepEqual(b.config, { server: 'http://only-b:3', username: 'u', password: 'p', insecureSkipTLSVerify: true });
    assert.equal(b.namespace, 'default');

    const o = resolveKubeconfig(merged, { namespace: 'x', server: 'http://override:9', token: 't' });
    assert.deepEqual(o, { config: { server: 'http://override:9', token: 't' }, namespace: 'x', contextName: 'a' });

    assert.throws(() => resolveKubeconfig(merged, { context: 'nope' }), /context "nope" does not exist/);
  });

  test('embedded certificate data is decoded; referenced files are read', () => {
    withDir((dir) => {
      writeFileSync(join(dir, 'ca.pem'), 'CA-PEM');
      const merged = mergeKubeconfigs([parseKubeconfig(fileA, dir), parseKubeconfig(fileB, dir)]);
      const s = resolveKubeconfig(merged, { context: 'secure' });
      assert.deepEqual(s.config, { server: 'https://only-a:6443', ca: 'CA-PEM', cert: 'CERT', key: 'KEY' });
    });
  });

  test('file selection: --kubeconfig, else $KUBECONFIG (missing entries skipped), else ~/.kube/config', () => {
    withDir((dir) => {
      const a = join(dir, 'a.yaml');
      const b = join(dir, 'b.yaml');
      writeFileSync(a, fileA);
      writeFileSync(b, fileB);
      const missing = join(dir, 'missing.yaml');

      const env = { KUBECONFIG: [missing, b, a].join(delimiter) };
      assert.deepEqual(kubeconfigPaths({}, env, dir), [missing, b, a]);
      const fromEnv = loadKubeconfig({}, env, dir);
      assert.equal(fromEnv.contextName, 'b');
      assert.equal(fromEnv.config.server, 'http://only-b:3');

      const explicit = loadKubeconfig({ kubeconfig: a }, env, dir);
      assert.equal(explicit.config.server, 'http://from-a:1');
      assert.throws(() => loadKubeconfig({ kubeconfig: missing }, env, dir), /no such file/);

      mkdirSync(join(dir, '.kube'));
      writeFileSync(join(dir, '.kube', 'config'), fileB);
      assert.equal(loadKubeconfig({}, {}, dir).contextName, 'b');
      const empty = join(dir, 'empty-home');
      mkdirSync(empty);
      assert.deepEqual(loadKubeconfig({}, {}, empty), { config: { server: 'http://localhost:8080' }, namespace: 'default', contextName: '' });
    });
  });

  test('in-cluster config from the service account mount', () => {
    withDir((dir) => {
      assert.equal(inClusterConfig({}, dir), undefined);
      writeFileSync(join(dir, 'token'), 'sa-token\n');
      writeFileSync(join(dir, 'namespace'), 'kube-system');
      const c = inClusterConfig({ KUBERNETES_SERVICE_HOST: '10.96.0.1', KUBERNETES_SERVICE_PORT: '443' }, dir);
      assert.deepEqual(c, { config: { server: 'https://10.96.0.1:443', token: 'sa-token' }, namespace: 'kube-system', contextName: '' });
    });
  });
});
