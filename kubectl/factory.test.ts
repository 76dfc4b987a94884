import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Factory, kubeconfigFileFor, parseDuration } from './factory.js';
import { captureIO } from './io.js';

const kubeconfig = (server: string, ns = 'default'): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: ${server}}\ncontexts:\n- name: ctx\n  context: {cluster: c, user: u, namespace: ${ns}}\n- name: other\n  context: {cluster: c, user: u, namespace: other-ns}\ncurrent-context: ctx\nusers:\n- name: u\n  user: {token: t0k}\n`;

function sandbox(): { root: string; home: string; repo: string } {
  const root = mkdtempSync(join(tmpdir(), 'kc-factory-'));
  const home = join(root, 'home');
  const repo = join(root, 'repo');
  mkdirSync(join(repo, '.tskube'), { recursive: true });
  mkdirSync(home, { recursive: true });
  writeFileSync(join(repo, '.tskube', 'kubeconfig'), kubeconfig('http://127.0.0.1:18080'));
  return { root, home, repo };
}

test("falls back to the repo's .tskube/kubeconfig only when no standard kubeconfig exists", () => {
  const { home, repo, root } = sandbox();
  assert.equal(kubeconfigFileFor({}, {}, home, repo), join(repo, '.tskube', 'kubeconfig'));
  assert.equal(kubeconfigFileFor({ kubeconfig: '/x' }, {}, home, repo), '/x');
  const env = { KUBECONFIG: join(root, 'missing') };
  assert.equal(kubeconfigFileFor({}, env, home, repo), join(repo, '.tskube', 'kubeconfig'), 'a missing $KUBECONFIG file does not count');
  mkdirSync(join(home, '.kube'));
  writeFileSync(join(home, '.kube', 'config'), kubeconfig('http://h'));
  assert.equal(kubeconfigFileFor({}, {}, home, repo), undefined, '~/.kube/config wins (kubectl rules apply)');
});

test('context, namespace and server come from the kubeconfig and the flags, as kubectl', () => {
  const { root, home } = sandbox();
  const file = join(root, 'kc.yaml');
  writeFileSync(file, kubeconfig('https://10.0.0.1:6443', 'team'));
  const f = new Factory(captureIO({ env: { KUBECONFIG: file }, home }), {});
  assert.equal(f.server, 'https://10.0.0.1:6443');
  assert.equal(f.namespace, 'team');
  assert.equal(f.loaded.config.token, 't0k');
  assert.equal(new Factory(captureIO({ env: { KUBECONFIG: file }, home }), { context: 'other' }).namespace, 'other-ns');
  assert.equal(new Factory(captureIO({ env: { KUBECONFIG: file }, home }), { namespace: 'x', server: 'http://s' }).server, 'http://s');
  assert.throws(() => new Factory(captureIO({ env: { KUBECONFIG: file }, home }), { context: 'nope' }).namespace, /context was not found for specified context: nope/);
  assert.throws(() => new Factory(captureIO({ env: { KUBECONFIG: file }, home }), { context: 'nope' }).client, /context "nope" does not exist/);
});

test('durations as kubectl flags take them', () => {
  assert.equal(parseDuration('30s'), 30_000);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('500ms'), 500);
  assert.equal(parseDuration('2'), 2000);
  assert.equal(parseDuration(undefined), undefined);
  assert.throws(() => parseDuration('soon'), /invalid duration/);
});
