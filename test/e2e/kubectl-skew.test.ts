// Version skew: the real kubectl 1.20 (SPDY, OpenAPI v2 protobuf, no aggregated discovery)
// and 1.32 against one apiserver, on the same objects — each reads and changes what the other
// wrote: client-side apply across versions (the last-applied annotation), server-side apply
// after it, create/get/edit/patch/delete, exec and cp, and `kubectl version`.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeletServer } from '../../kubelet/server/server.js';
import { http } from '../harness/http.js';
import { KUBECTL_1_20, kubectlFor } from '../harness/kubectl.js';
import { freePort } from '../harness/ports.js';
import { isRunning, shPod, startKubeletEnv, type KubeletEnv } from './kubelet-harness.js';

const NODE = 'skew-node';

let env: KubeletEnv;
let server: KubeletServer;
let old: ReturnType<typeof kubectlFor>;
let cur: ReturnType<typeof kubectlFor>;
let dir: string;

const deployment = (image: string, replicas: number) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: skew
  labels:
    app: skew
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: skew
  template:
    metadata:
      labels:
        app: skew
    spec:
      containers:
      - name: web
        image: ${image}
`;

function file(name: string, text: string): string {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
}

async function json(args: string[]): Promise<Record<string, any>> {
  const r = await cur.run([...args, '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Record<string, any>;
}

before(async () => {
  env = await startKubeletEnv();
  const port = await freePort();
  server = await env.serve(await env.startKubelet(NODE, { port, nodeIP: '127.0.0.1' }), port);
  old = kubectlFor(env.api.config, KUBECTL_1_20);
  cur = kubectlFor(env.api.config);
  dir = mkdtempSync(join(tmpdir(), 'tskube-skew-'));
});

after(async () => {
  await server?.stop();
  await env?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('kubectl version: both clients see the same server version', async () => {
  const v = (await http(env.api)('GET', '/version')).body as { gitVersion: string };
  const o = await old.run(['version', '-o', 'json']);
  assert.equal(o.code, 0, o.stderr);
  const ov = JSON.parse(o.stdout);
  assert.equal(ov.clientVersion.minor, '20');
  assert.equal(ov.serverVersion.gitVersion, v.gitVersion);
  const c = await cur.run(['version', '-o', 'json']);
  const cv = JSON.parse(c.stdout);
  assert.equal(cv.clientVersion.minor, '32');
  assert.equal(cv.serverVersion.gitVersion, v.gitVersion);
});

describe('apply across versions', () => {
  test('1.20 creates with client-side apply, 1.32 configures from its last-applied annotation', async () => {
    const created = await old.run(['apply', '-f', file('d.yaml', deployment('nginx:1.25', 2))]);
    assert.equal(created.code, 0, created.stderr);
    assert.equal(created.stdout.trim(), 'deployment.apps/skew created');
    const configured = await cur.run(['apply', '-f', file('d.yaml', deployment('nginx:1.26', 3))]);
    assert.equal(configured.code, 0, configured.stderr);
    assert.equal(configured.stdout.trim(), 'deployment.apps/skew configured');
    const d = await json(['get', 'deploy', 'skew']);
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.26');
    const last = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(last.spec.template.spec.containers[0].image, 'nginx:1.26');
    // And back: 1.20 sees nothing to do for the file 1.32 applied.
    const unchanged = await old.run(['apply', '-f', join(dir, 'd.yaml')]);
    assert.equal(unchanged.stdout.trim(), 'deployment.apps/skew unchanged');
  });

  test('1.32 apply --server-side over what client-side apply made', async () => {
    const r = await cur.run(['apply', '--server-side', '--force-conflicts', '-f', file('d.yaml', deployment('nginx:1.27', 4))]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'deployment.apps/skew serverside-applied');
    const d = await json(['get', 'deploy', 'skew']);
    assert.equal(d.spec.replicas, 4);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:1.27');
    const seen = await old.run(['get', 'deploy', 'skew', '-o', 'jsonpath={.spec.replicas} {.spec.template.spec.containers[0].image}']);
    assert.equal(seen.stdout, '4 nginx:1.27');
  });
});

describe('1.32 creates, 1.20 reads, edits, patches and deletes', () => {
  test('a ConfigMap through its whole life', async () => {
    const created = await cur.run(['create', 'configmap', 'skew-cm', '--from-literal=a=1']);
    assert.equal(created.code, 0, created.stderr);
    const yaml = await old.run(['get', 'configmap', 'skew-cm', '-o', 'yaml']);
    assert.equal(yaml.code, 0, yaml.stderr);
    assert.match(yaml.stdout, /^data:\n {2}a: "1"$/m);
    assert.match(yaml.stdout, /^ {2}name: skew-cm$/m);

    // `edit` with an editor that rewrites the value: kubectl runs $EDITOR through the shell.
    process.env.EDITOR = `sed -i -e 's/a: "1"/a: "9"/'`;
    const editor = kubectlFor(env.api.config, KUBECTL_1_20);
    delete process.env.EDITOR;
    const edited = await editor.run(['edit', 'configmap', 'skew-cm']);
    assert.equal(edited.code, 0, edited.stderr);
    assert.equal(edited.stdout.trim(), 'configmap/skew-cm edited');

    const patched = await old.run(['patch', 'configmap', 'skew-cm', '-p', '{"data":{"b":"2"}}']);
    assert.equal(patched.code, 0, patched.stderr);
    assert.deepEqual((await json(['get', 'configmap', 'skew-cm'])).data, { a: '9', b: '2' });

    const deleted = await old.run(['delete', 'configmap', 'skew-cm']);
    assert.equal(deleted.stdout.trim(), 'configmap "skew-cm" deleted');
    const gone = await cur.run(['get', 'configmap', 'skew-cm']);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): configmaps "skew-cm" not found');
  });
});

describe('exec and cp with 1.20 (SPDY) on a pod 1.32 lists', () => {
  before(async () => {
    await env.createPod(NODE, shPod('skewbox', 'sleep 3600'));
    await env.waitForPod('skewbox', 'running', isRunning, 60_000);
  });

  test('exec, then a file copied in with 1.20 and out with 1.32', async () => {
    const listed = await cur.run(['get', 'pods', '-o', 'name']);
    assert.match(listed.stdout, /^pod\/skewbox$/m);
    const e = await old.run(['exec', 'skewbox', '--', 'sh', '-c', 'echo from-1.20; exit 2']);
    assert.equal(e.code, 2);
    assert.equal(e.stdout, 'from-1.20\n');
    const up = await old.run(['cp', file('note.txt', 'skew\n'), 'skewbox:/tmp/note.txt']);
    assert.equal(up.code, 0, up.stderr);
    const down = await cur.run(['cp', 'skewbox:/tmp/note.txt', join(dir, 'note-back.txt')]);
    assert.equal(down.code, 0, down.stderr);
    assert.equal(readFileSync(join(dir, 'note-back.txt'), 'utf8'), 'skew\n');
  });
});
