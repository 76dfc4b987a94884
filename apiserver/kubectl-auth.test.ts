// The real kubectl 1.32 against the secure apiserver as four kinds of caller: the admin
// (client certificate in system:masters), a service account (`--token` from `kubectl create
// token`), a kubelet (system:node:<name>), and anonymous — what each may do, and Kubernetes'
// words when it may not.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { kubectlFor } from '../test/harness/kubectl.js';
import { waitFor } from '../test/harness/ports.js';

let api: TestApiserver;
let admin: ReturnType<typeof kubectlFor>;

before(async () => {
  api = await startTestApiserver();
  admin = kubectlFor(api.config);
});
after(async () => {
  await api?.stop();
});

test('the admin: auth whoami, auth can-i, create token, impersonation with --as', async () => {
  const who = await admin.run(['auth', 'whoami']);
  assert.equal(who.code, 0, who.stderr);
  assert.match(who.stdout, /Username\s+kubernetes-admin/);
  assert.match(who.stdout, /Groups\s+\[system:masters system:authenticated\]/);
  assert.equal((await admin.run(['auth', 'can-i', 'delete', 'nodes'])).stdout.trim(), 'yes');
  const list = await admin.run(['auth', 'can-i', '--list', '-n', 'default']);
  assert.equal(list.code, 0, list.stderr);
  assert.match(list.stdout, /^\*\.\*\s+\[\]\s+\[\]\s+\[\*\]$/m);
  const asJane = await admin.run(['auth', 'can-i', 'list', 'pods', '--as', 'jane']);
  assert.equal(asJane.stdout.trim(), 'no');
  assert.equal(asJane.code, 1);
});

test('a service account with --token: forbidden until a RoleBinding grants it; can-i follows', async () => {
  assert.equal((await admin.run(['create', 'namespace', 'apps'])).code, 0);
  assert.equal((await admin.run(['create', 'serviceaccount', 'deployer', '-n', 'apps'])).code, 0);
  const t = await admin.run(['create', 'token', 'deployer', '-n', 'apps', '--duration', '1h']);
  assert.equal(t.code, 0, t.stderr);
  const token = t.stdout.trim();
  assert.match(token, /^eyJ[\w-]+\.[\w-]+\.[\w-]+$/);
  const sa = kubectlFor({ server: api.url, ca: api.config.ca, token });
  const denied = await sa.run(['get', 'pods', '-n', 'apps']);
  assert.equal(denied.code, 1);
  assert.equal(denied.stderr.trim(), 'Error from server (Forbidden): pods is forbidden: User "system:serviceaccount:apps:deployer" cannot list resource "pods" in API group "" in the namespace "apps"');
  assert.equal((await sa.run(['auth', 'can-i', 'create', 'deployments', '-n', 'apps'])).stdout.trim(), 'no');
  const bind = await admin.run(['create', 'rolebinding', 'deployer-edit', '-n', 'apps', '--clusterrole', 'cluster-admin', '--serviceaccount', 'apps:deployer']);
  assert.equal(bind.code, 0, bind.stderr);
  // The binding takes effect once the apiserver's watch cache has it (a moment): poll.
  const allowed = await waitFor('the binding is in force', async () => {
    const r = await sa.run(['get', 'pods', '-n', 'apps']);
    return r.code === 0 ? r : undefined;
  });
  assert.match(allowed.stderr, /No resources found in apps namespace/);
  assert.equal((await sa.run(['auth', 'can-i', 'create', 'deployments', '-n', 'apps'])).stdout.trim(), 'yes');
  assert.equal((await sa.run(['auth', 'can-i', 'create', 'deployments', '-n', 'default'])).stdout.trim(), 'no');
  const who = await sa.run(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  assert.equal(who.stdout, 'system:serviceaccount:apps:deployer');
});

test('a kubelet identity: its own Node yes, other nodes and unrelated secrets no', async () => {
  const node = kubectlFor(await api.configFor('system:node:worker-1', ['system:nodes']));
  const nodeYaml = (name: string) => `apiVersion: v1\nkind: Node\nmetadata:\n  name: ${name}\n`;
  const own = await node.run(['create', '-f', '-', '--validate=false'], nodeYaml('worker-1'));
  assert.equal(own.code, 0, own.stderr);
  const other = await node.run(['create', '-f', '-', '--validate=false'], nodeYaml('worker-2'));
  assert.equal(other.code, 1);
  assert.match(other.stderr, /Error from server \(Forbidden\).*node "worker-1" is not allowed to modify node "worker-2"/);
  assert.equal((await admin.run(['create', 'secret', 'generic', 'db', '--from-literal=p=x'])).code, 0);
  const secret = await node.run(['get', 'secret', 'db']);
  assert.equal(secret.code, 1);
  assert.match(secret.stderr, /Error from server \(Forbidden\): secrets "db" is forbidden: User "system:node:worker-1" cannot get resource "secrets" in API group "" in the namespace "default": no relationship found between node 'worker-1' and this object/);
  assert.equal((await node.run(['get', 'nodes'])).code, 0);
});

test('anonymous: version yes, everything else Forbidden as system:anonymous', async () => {
  // kubectl prompts for a username when an https cluster's user has no credentials at all;
  // a kubeconfig with a basic-auth username (which this apiserver does not accept: no
  // --basic-auth-file) sends no credential the apiserver knows, so it is anonymous — as in Kubernetes.
  const anon = kubectlFor({ server: api.url, ca: api.config.ca, username: 'nobody', password: 'x' });
  const v = await anon.run(['version', '-o', 'json']);
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /"serverVersion"/);
  const pods = await anon.run(['get', 'pods']);
  assert.equal(pods.code, 1);
  // Discovery itself is forbidden to anonymous (system:discovery is for authenticated users), so
  // kubectl stops there, with the same words it prints against a real cluster.
  assert.match(pods.stderr, /Error from server \(Forbidden\)/);
  const whoami = await anon.run(['auth', 'whoami']);
  assert.equal(whoami.code, 1);
  assert.match(whoami.stderr, /you do not have permission to call it/);
  const raw = await anon.run(['get', '--raw', '/healthz']);
  assert.equal(raw.stdout, 'ok');
});
