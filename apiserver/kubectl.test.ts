// The real kubectl 1.32, unchanged, against the apiserver over real etcd.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { kubectlFor } from '../test/harness/kubectl.js';
import { http } from '../test/harness/http.js';
import { waitFor } from '../test/harness/ports.js';

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

before(async () => {
  api = await startTestApiserver();
  k = kubectlFor(api.config);
});
after(async () => {
  await api?.stop();
});

const deployment = (image: string, replicas = 2) => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app: web
spec:
  replicas: ${replicas}
  selector:
    matchLabels:
      app: web
  template:
    metadata:
      labels:
        app: web
    spec:
      containers:
      - name: web
        image: ${image}
        ports:
        - containerPort: 80
`;

function file(name: string, text: string): string {
  const p = join(k.home, name);
  writeFileSync(p, text);
  return p;
}

describe('kubectl 1.32', () => {
  test('get on an empty namespace, and api-resources', async () => {
    const r = await k.run(['get', 'pods']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr + r.stdout, /No resources found in default namespace\./);
    const ar = await k.run(['api-resources']);
    assert.equal(ar.code, 0, ar.stderr);
    assert.match(ar.stdout, /^pods\s+po\s+v1\s+true\s+Pod$/m);
    assert.match(ar.stdout, /^deployments\s+deploy\s+apps\/v1\s+true\s+Deployment$/m);
    assert.match(ar.stdout, /^namespaces\s+ns\s+v1\s+false\s+Namespace$/m);
  });

  test('create -f, get (table, wide, yaml, json, -A), AlreadyExists', async () => {
    const f = file('cm.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n  b: "2"\n');
    const c = await k.run(['create', '-f', f]);
    assert.equal(c.code, 0, c.stderr);
    assert.equal(c.stdout.trim(), 'configmap/settings created');
    const again = await k.run(['create', '-f', f]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /Error from server \(AlreadyExists\).*configmaps "settings" already exists/);
    const get = await k.run(['get', 'cm', 'settings']);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /^NAME\s+DATA\s+AGE$/m);
    assert.match(get.stdout, /^settings\s+2\s+\S+$/m);
    const y = await k.run(['get', 'configmap', 'settings', '-o', 'yaml']);
    assert.match(y.stdout, /^kind: ConfigMap$/m);
    assert.match(y.stdout, /resourceVersion: "\d+"/);
    const j = JSON.parse((await k.run(['get', 'configmaps', 'settings', '-o', 'json'])).stdout);
    assert.equal(j.data.b, '2');
    const all = await k.run(['get', 'cm', '-A']);
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+DATA\s+AGE$/m);
    assert.match(all.stdout, /^default\s+settings\s+2/m);
    const name = await k.run(['get', 'cm', '-o', 'name']);
    assert.match(name.stdout, /^configmap\/settings$/m);
  });

  test('apply creates, then patches, then is unchanged; rollout-relevant fields show', async () => {
    const f = file('deploy.yaml', deployment('busybox:1.35'));
    const a1 = await k.run(['apply', '-f', f]);
    assert.equal(a1.code, 0, a1.stderr);
    assert.equal(a1.stdout.trim(), 'deployment.apps/web created');
    writeFileSync(f, deployment('busybox:1.36', 3));
    const a2 = await k.run(['apply', '-f', f]);
    assert.equal(a2.code, 0, a2.stderr);
    assert.equal(a2.stdout.trim(), 'deployment.apps/web configured');
    const got = JSON.parse((await k.run(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    assert.equal(got.spec.replicas, 3);
    assert.equal(got.spec.template.spec.containers[0].image, 'busybox:1.36');
    assert.equal(got.metadata.generation, 2);
    assert.ok(got.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    const a3 = await k.run(['apply', '-f', f]);
    assert.equal(a3.code, 0, a3.stderr);
    assert.equal(a3.stdout.trim(), 'deployment.apps/web unchanged');
    const table = await k.run(['get', 'deployments', '-o', 'wide']);
    assert.match(table.stdout, /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/m);
    assert.match(table.stdout, /^web\s+0\/3\s+0\s+0\s+\S+\s+web\s+busybox:1\.36\s+app=web$/m);
  });

  test('server-side apply', async () => {
    const f = file('ssa.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ssa\ndata:\n  x: "1"\n');
    const r = await k.run(['apply', '--server-side', '-f', f]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /configmap\/ssa serverside-applied/);
  });

  test('delete -f, and errors print as Error from server', async () => {
    const f = join(k.home, 'cm.yaml');
    const d = await k.run(['delete', '-f', f]);
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), 'configmap "settings" deleted');
    const nf = await k.run(['get', 'pod', 'nope']);
    assert.equal(nf.code, 1);
    assert.equal(nf.stderr.trim(), 'Error from server (NotFound): pods "nope" not found');
    const bad = file('bad.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: Bad_Name\nspec:\n  containers:\n  - name: c\n    image: busybox:1.35\n');
    const inv = await k.run(['create', '-f', bad]);
    assert.equal(inv.code, 1);
    assert.match(inv.stderr, /The Pod "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name"/);
    const unknown = file('unknown.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\nbogus: 1\n');
    const strict = await k.run(['create', '-f', unknown]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /unknown field "bogus"/);
  });

  test('get -w prints changes as they happen', async () => {
    const w = k.start(['get', 'configmaps', '-w']);
    try {
      await waitFor('watch header', () => /NAME/.test(w.output()) || /No resources/.test(w.output()), 15_000);
      const f = file('watched.yaml', 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: watched\ndata: {}\n');
      assert.equal((await k.run(['create', '-f', f])).code, 0);
      await waitFor('watched row', () => /^watched\s+0\s+/m.test(w.output()), 15_000);
    } finally {
      w.proc.kill('SIGTERM');
    }
  });

  test('explain uses the OpenAPI schemas', async () => {
    const r = await k.run(['explain', 'pod.spec.containers']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /KIND:\s+Pod/);
    assert.match(r.stdout, /image\s+<string>/);
  });

  test('label, annotate, scale and delete by label', async () => {
    assert.equal((await k.run(['label', 'deployment', 'web', 'tier=front'])).code, 0);
    assert.equal((await k.run(['annotate', 'deployment', 'web', 'note=hello'])).code, 0);
    const s = await k.run(['scale', 'deployment', 'web', '--replicas=5']);
    assert.equal(s.code, 0, s.stderr);
    assert.equal(s.stdout.trim(), 'deployment.apps/web scaled');
    const got = JSON.parse((await k.run(['get', 'deploy', 'web', '-o', 'json'])).stdout);
    assert.equal(got.spec.replicas, 5);
    assert.equal(got.metadata.labels.tier, 'front');
    assert.equal(got.metadata.annotations.note, 'hello');
    const d = await k.run(['delete', 'deploy', '-l', 'tier=front']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /deployment.apps "web" deleted/);
  });

  test('cordon, drain (through pods/eviction) and uncordon', async () => {
    const node = file('node.yaml', 'apiVersion: v1\nkind: Node\nmetadata:\n  name: node-1\n');
    assert.equal((await k.run(['create', '-f', node])).code, 0);
    // A finished pod on the node: its eviction deletes it at once (no kubelet in this test).
    const pod = file('done.yaml', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: done\nspec:\n  nodeName: node-1\n  containers:\n  - name: c\n    image: busybox:1.35\n');
    assert.equal((await k.run(['create', '-f', pod])).code, 0);
    const status = await http(api)('PATCH', '/api/v1/namespaces/default/pods/done/status', JSON.stringify({ status: { phase: 'Succeeded' } }), {
      'content-type': 'application/merge-patch+json',
    });
    assert.equal(status.status, 200);
    const d = await k.run(['drain', 'node-1', '--force', '--timeout=60s']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /node\/node-1 cordoned/);
    assert.match(d.stdout, /evicting pod default\/done|pod\/done evicted/);
    assert.match(d.stdout, /node\/node-1 drained/);
    assert.match((await k.run(['get', 'node', 'node-1'])).stdout, /SchedulingDisabled/);
    assert.equal((await k.run(['get', 'pod', 'done'])).code, 1);
    const u = await k.run(['uncordon', 'node-1']);
    assert.equal(u.code, 0, u.stderr);
    assert.doesNotMatch((await k.run(['get', 'node', 'node-1'])).stdout, /SchedulingDisabled/);
  });

  test('every manifest in examples/ is accepted (kubectl apply --dry-run=server)', async () => {
    const dir = new URL('../../examples/', import.meta.url).pathname;
    const files = readdirSync(dir).filter((f) => f.endsWith('.yaml'));
    assert.ok(files.length >= 5);
    // A custom resource needs its CRD served: the CRDs are created for real first.
    const crds = files.filter((f) => readFileSync(join(dir, f), 'utf8').includes('kind: CustomResourceDefinition'));
    for (const f of crds) {
      const r = await k.run(['apply', '-f', join(dir, f)]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
    }
    if (crds.length) {
      const w = await k.run(['wait', '--for=condition=Established', 'crd', '--all', '--timeout=10s']);
      assert.equal(w.code, 0, w.stderr);
    }
    // So does an example's own namespace (a dry run does not create it): created for real first.
    for (const f of files) {
      for (const ns of readFileSync(join(dir, f), 'utf8').matchAll(/^kind: Namespace\nmetadata:\n {2}name: (\S+)$/gm)) {
        const r = await k.run(['create', 'namespace', ns[1]!]);
        assert.equal(r.code, 0, `${f}: ${r.stderr}`);
      }
    }
    for (const f of files) {
      const r = await k.run(['apply', '--dry-run=server', '-f', join(dir, f)]);
      assert.equal(r.code, 0, `${f}: ${r.stderr}`);
      assert.match(r.stdout, /\(server dry run\)/, f);
    }
  });

  test('generator commands (protobuf bodies) create what they describe', async () => {
    const run = async (...args: string[]): Promise<string> => {
      const r = await k.run(args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r.stdout;
    };
    const get = async (what: string): Promise<Record<string, any>> => JSON.parse(await run('get', what, '-o', 'json'));
    assert.match(await run('create', 'namespace', 'gen-ns'), /namespace\/gen-ns created/);
    assert.match(await run('create', 'configmap', 'gen', '--from-literal=a=b', '--from-literal=empty='), /configmap\/gen created/);
    assert.deepEqual((await get('configmap/gen')).data, { a: 'b', empty: '' });
    await run('create', 'secret', 'generic', 'gen', '--from-literal=pw=s3cret');
    assert.equal(Buffer.from((await get('secret/gen')).data.pw, 'base64').toString(), 's3cret');
    assert.match(await run('create', 'deployment', 'gen', '--image=busybox:1.35', '--replicas=0', '--port=8080', '--', 'sh', '-c', 'sleep 1'), /deployment.apps\/gen created/);
    const d = await get('deployment/gen');
    assert.equal(d.spec.replicas, 0, 'a pointer field keeps its zero');
    assert.deepEqual(d.spec.selector, { matchLabels: { app: 'gen' } });
    const c = d.spec.template.spec.containers[0];
    assert.deepEqual([c.name, c.image, c.command, c.ports], ['busybox', 'busybox:1.35', ['sh', '-c', 'sleep 1'], [{ containerPort: 8080, protocol: 'TCP' }]]);
    await run('create', 'service', 'clusterip', 'gen', '--tcp=80:http');
    const svc = await get('service/gen');
    assert.deepEqual(svc.spec.ports.map((p: Record<string, unknown>) => [p.port, p.targetPort]), [[80, 'http']]);
    assert.match(svc.spec.clusterIP, /^10\./);
    await run('create', 'job', 'gen', '--image=busybox:1.35', '--', 'echo', 'hi');
    assert.deepEqual((await get('job/gen')).spec.template.spec.containers[0].command, ['echo', 'hi']);
    await run('create', 'role', 'gen', '--verb=get,list', '--resource=pods,deployments.apps');
    assert.deepEqual((await get('role/gen')).rules.map((r: Record<string, unknown>) => r.apiGroups), [[''], ['apps']]);
    await run('create', 'rolebinding', 'gen', '--role=gen', '--serviceaccount=default:builder');
    assert.deepEqual((await get('rolebinding/gen')).subjects, [{ kind: 'ServiceAccount', name: 'builder', namespace: 'default' }]);
    // An object that exists is still a 409 through the same path.
    const again = await k.run(['create', 'configmap', 'gen', '--from-literal=a=b']);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /already exists/);
  });
});
