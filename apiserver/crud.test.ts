// The apiserver over real etcd, driven with raw HTTP: verbs, status codes and Status bodies.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { http } from '../test/harness/http.js';

let api: TestApiserver;
let req: ReturnType<typeof http>;

before(async () => {
  api = await startTestApiserver();
  req = http(api);
});
after(async () => {
  await api?.stop();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }, labels?: Record<string, string>) => ({
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name, ...(labels ? { labels } : {}) },
  data,
});

function assertStatus(r: { status: number; body: any }, code: number, reason: string) {
  assert.equal(r.status, code, JSON.stringify(r.body));
  assert.equal(r.body.kind, 'Status');
  assert.equal(r.body.apiVersion, 'v1');
  assert.equal(r.body.status, 'Failure');
  assert.equal(r.body.code, code);
  assert.equal(r.body.reason, reason);
}

describe('basics', () => {
  test('version, health and system namespaces', async () => {
    const v = await req('GET', '/version');
    assert.equal(v.body.major, '1');
    assert.equal(v.body.minor, '32');
    assert.equal((await req('GET', '/healthz')).text, 'ok');
    assert.equal((await req('GET', '/readyz')).status, 200);
    const ns = await req('GET', '/api/v1/namespaces');
    const names = ns.body.items.map((n: any) => n.metadata.name).sort();
    assert.deepEqual(names, ['default', 'kube-node-lease', 'kube-public', 'kube-system']);
    assert.equal(ns.body.items[0].status.phase, 'Active');
    assert.deepEqual(ns.body.items[0].spec.finalizers, ['kubernetes']);
  });

  test('unknown paths and resources are 404 Status', async () => {
    assertStatus(await req('GET', '/api/v1/namespaces/default/widgets'), 404, 'NotFound');
    assertStatus(await req('GET', '/apis/nope.io/v1/things'), 404, 'NotFound');
    assertStatus(await req('GET', '/nothing-here'), 404, 'NotFound');
    const r = await req('GET', '/api/v1/namespaces/default/configmaps/missing');
    assertStatus(r, 404, 'NotFound');
    assert.equal(r.body.message, 'configmaps "missing" not found');
    assert.equal(r.body.details.name, 'missing');
    assert.equal(r.body.details.kind, 'configmaps');
  });
});

describe('create, get, update, delete', () => {
  test('create returns 201 with server fields; a second create is 409 AlreadyExists', async () => {
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', cm('c1'));
    assert.equal(r.status, 201);
    assert.match(r.body.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(r.body.metadata.resourceVersion, /^\d+$/);
    assert.match(r.body.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(r.body.metadata.namespace, 'default');
    const again = await req('POST', '/api/v1/namespaces/default/configmaps', cm('c1'));
    assertStatus(again, 409, 'AlreadyExists');
    assert.equal(again.body.message, 'configmaps "c1" already exists');
    const got = await req('GET', '/api/v1/namespaces/default/configmaps/c1');
    assert.deepEqual(got.body, r.body);
  });

  test('generateName makes a unique name', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'gen-' } };
    const a = await req('POST', '/api/v1/namespaces/default/configmaps', body);
    const b = await req('POST', '/api/v1/namespaces/default/configmaps', body);
    assert.equal(a.status, 201);
    assert.match(a.body.metadata.name, /^gen-[a-z0-9]{5}$/);
    assert.notEqual(a.body.metadata.name, b.body.metadata.name);
  });

  test('update is compare-and-swap on resourceVersion; without one it is unconditional', async () => {
    const created = (await req('POST', '/api/v1/namespaces/default/configmaps', cm('c2'))).body;
    const upd = await req('PUT', '/api/v1/namespaces/default/configmaps/c2', { ...created, data: { a: '2' } });
    assert.equal(upd.status, 200);
    assert.notEqual(upd.body.metadata.resourceVersion, created.metadata.resourceVersion);
    assert.equal(upd.body.metadata.uid, created.metadata.uid);
    const stale = await req('PUT', '/api/v1/namespaces/default/configmaps/c2', { ...created, data: { a: '3' } });
    assertStatus(stale, 409, 'Conflict');
    assert.equal(stale.body.message, 'Operation cannot be fulfilled on configmaps "c2": the object has been modified; please apply your changes to the latest version and try again');
    const { resourceVersion: _rv, ...meta } = created.metadata;
    const blind = await req('PUT', '/api/v1/namespaces/default/configmaps/c2', { ...created, metadata: meta, data: { a: '4' } });
    assert.equal(blind.status, 200);
    assert.equal(blind.body.data.a, '4');
    const wrongName = await req('PUT', '/api/v1/namespaces/default/configmaps/c2', cm('other'));
    assertStatus(wrongName, 400, 'BadRequest');
    const missing = await req('PUT', '/api/v1/namespaces/default/configmaps/nope', cm('nope'));
    assertStatus(missing, 404, 'NotFound');
  });

  test('delete returns the object, then 404', async () => {
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('c3'));
    const d = await req('DELETE', '/api/v1/namespaces/default/configmaps/c3', { propagationPolicy: 'Background' });
    assert.equal(d.status, 200);
    assert.equal(d.body.metadata.name, 'c3');
    assertStatus(await req('GET', '/api/v1/namespaces/default/configmaps/c3'), 404, 'NotFound');
    assertStatus(await req('DELETE', '/api/v1/namespaces/default/configmaps/c3'), 404, 'NotFound');
  });

  test('delete preconditions', async () => {
    const c = (await req('POST', '/api/v1/namespaces/default/configmaps', cm('c4'))).body;
    const bad = await req('DELETE', '/api/v1/namespaces/default/configmaps/c4', { preconditions: { uid: 'not-it' } });
    assertStatus(bad, 409, 'Conflict');
    const ok = await req('DELETE', '/api/v1/namespaces/default/configmaps/c4', { preconditions: { uid: c.metadata.uid, resourceVersion: c.metadata.resourceVersion } });
    assert.equal(ok.status, 200);
  });

  test('objects with finalizers wait for them; removing the last finalizer deletes', async () => {
    const c = (await req('POST', '/api/v1/namespaces/default/configmaps', { ...cm('fin'), metadata: { name: 'fin', finalizers: ['example.com/hold'] } })).body;
    const d = await req('DELETE', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(d.status, 200);
    assert.ok(d.body.metadata.deletionTimestamp);
    const still = await req('GET', '/api/v1/namespaces/default/configmaps/fin');
    assert.equal(still.status, 200);
    const patched = await req('PATCH', '/api/v1/namespaces/default/configmaps/fin', { metadata: { finalizers: null } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.status, 200, patched.text);
    assertStatus(await req('GET', '/api/v1/namespaces/default/configmaps/fin'), 404, 'NotFound');
    assert.equal(c.metadata.name, 'fin');
  });

  test('dryRun=All validates without storing', async () => {
    const r = await req('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', cm('dry'));
    assert.equal(r.status, 201);
    assertStatus(await req('GET', '/api/v1/namespaces/default/configmaps/dry'), 404, 'NotFound');
  });

  test('cluster-scoped objects and the namespace in the body', async () => {
    const n = await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } });
    assert.equal(n.status, 201);
    const mismatch = await req('POST', '/api/v1/namespaces/default/configmaps', { ...cm('x'), metadata: { name: 'x', namespace: 'team-a' } });
    assertStatus(mismatch, 400, 'BadRequest');
    const inTeam = await req('POST', '/api/v1/namespaces/team-a/configmaps', cm('x'));
    assert.equal(inTeam.status, 201);
    const all = await req('GET', '/api/v1/configmaps');
    assert.ok(all.body.items.some((i: any) => i.metadata.namespace === 'team-a' && i.metadata.name === 'x'));
  });
});

describe('admission and validation', () => {
  test('creating into a missing namespace is 404; into a terminating one is 403', async () => {
    const r = await req('POST', '/api/v1/namespaces/ghost/configmaps', cm('x'));
    assertStatus(r, 404, 'NotFound');
    assert.equal(r.body.message, 'namespaces "ghost" not found');
    await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'doomed' } });
    const d = await req('DELETE', '/api/v1/namespaces/doomed');
    assert.equal(d.status, 200);
    assert.equal(d.body.status.phase, 'Terminating');
    const f = await req('POST', '/api/v1/namespaces/doomed/configmaps', cm('x'));
    assertStatus(f, 403, 'Forbidden');
    assert.match(f.body.message, /because it is being terminated/);
  });

  test('system namespaces cannot be deleted', async () => {
    assertStatus(await req('DELETE', '/api/v1/namespaces/kube-system'), 403, 'Forbidden');
  });

  test('invalid objects are 422 with field causes', async () => {
    const r = await req('POST', '/api/v1/namespaces/default/pods', {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'Bad_Name' },
      spec: { containers: [{ name: 'c' }] },
    });
    assertStatus(r, 422, 'Invalid');
    const fields = r.body.details.causes.map((c: any) => c.field);
    assert.ok(fields.includes('metadata.name'), JSON.stringify(r.body));
    assert.ok(fields.includes('spec.containers[0].image'), JSON.stringify(r.body));
    assert.match(r.body.message, /^Pod "Bad_Name" is invalid: /);
  });

  test('kind and apiVersion must match the path', async () => {
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' } });
    assertStatus(r, 400, 'BadRequest');
    const v = await req('POST', '/api/v1/namespaces/default/configmaps', { apiVersion: 'apps/v1', kind: 'ConfigMap', metadata: { name: 's' } });
    assertStatus(v, 400, 'BadRequest');
  });

  test('malformed bodies, protobuf, oversized bodies', async () => {
    assertStatus(await req('POST', '/api/v1/namespaces/default/configmaps', '{"kind": ', { 'content-type': 'application/json' }), 400, 'BadRequest');
    assertStatus(await req('POST', '/api/v1/namespaces/default/configmaps', 'a: [b', { 'content-type': 'application/yaml' }), 400, 'BadRequest');
    // Protobuf: the generator commands' objects are decoded (kubectl.test.ts); anything else is a clear 415/400.
    const pb = await req('POST', '/api/v1/namespaces/default/configmaps', 'k8s\0xx', { 'content-type': 'application/vnd.kubernetes.protobuf' });
    assertStatus(pb, 415, 'UnsupportedMediaType');
    assert.match(pb.body.message, /kubectl create -f/);
    assertStatus(await req('POST', '/api/v1/namespaces/default/configmaps', 'not protobuf', { 'content-type': 'application/vnd.kubernetes.protobuf' }), 400, 'BadRequest');
    assertStatus(await req('POST', '/api/v1/namespaces/default/configmaps', 'k8s\0\x0a\x80', { 'content-type': 'application/vnd.kubernetes.protobuf' }), 400, 'BadRequest');
    const big = JSON.stringify(cm('big', { a: 'x'.repeat(3 * 1024 * 1024 + 10) }));
    assertStatus(await req('POST', '/api/v1/namespaces/default/configmaps', big), 413, 'RequestEntityTooLarge');
  });

  test('YAML bodies are accepted', async () => {
    const yaml = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: from-yaml\ndata:\n  k: v\n';
    const r = await req('POST', '/api/v1/namespaces/default/configmaps', yaml, { 'content-type': 'application/yaml' });
    assert.equal(r.status, 201, r.text);
    assert.equal(r.body.data.k, 'v');
  });

  test('fieldValidation=Strict rejects unknown fields; Warn answers with a Warning', async () => {
    const body = { ...cm('strict'), bogus: 1 };
    const s = await req('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', body);
    assertStatus(s, 400, 'BadRequest');
    assert.match(s.body.message, /unknown field "bogus"/);
    const w = await req('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Warn', body);
    assert.equal(w.status, 201);
    assert.match(w.headers.get('warning') ?? '', /unknown field/);
    const dup = await req('POST', '/api/v1/namespaces/default/configmaps?fieldValidation=Strict', '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dup","name":"dup2"}}');
    assertStatus(dup, 400, 'BadRequest');
    assert.match(dup.body.message, /duplicate field "metadata.name"/);
  });

  test('unsupported verbs are 405', async () => {
    assertStatus(await req('POST', '/api/v1/namespaces/default/configmaps/named', cm('named')), 405, 'MethodNotAllowed');
  });
});

describe('patch', () => {
  test('merge, json and strategic patches', async () => {
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('p1', { a: '1', b: '2' }));
    const m = await req('PATCH', '/api/v1/namespaces/default/configmaps/p1', { data: { a: null, c: '3' } }, { 'content-type': 'application/merge-patch+json' });
    assert.deepEqual(m.body.data, { b: '2', c: '3' });
    const j = await req('PATCH', '/api/v1/namespaces/default/configmaps/p1', [{ op: 'replace', path: '/data/b', value: 'two' }], { 'content-type': 'application/json-patch+json' });
    assert.equal(j.body.data.b, 'two');
    const badTest = await req('PATCH', '/api/v1/namespaces/default/configmaps/p1', [{ op: 'test', path: '/data/b', value: 'nope' }], { 'content-type': 'application/json-patch+json' });
    assert.ok(badTest.status >= 400 && badTest.status < 500, badTest.text);
    assert.equal(badTest.body.kind, 'Status');
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'smp' },
      spec: { containers: [{ name: 'a', image: 'busybox:1.35' }, { name: 'b', image: 'busybox:1.35' }] },
    };
    assert.equal((await req('POST', '/api/v1/namespaces/default/pods', pod)).status, 201);
    const s = await req(
      'PATCH',
      '/api/v1/namespaces/default/pods/smp',
      { spec: { containers: [{ name: 'b', image: 'busybox:1.36' }] } },
      { 'content-type': 'application/strategic-merge-patch+json' },
    );
    assert.equal(s.status, 200, s.text);
    assert.deepEqual(s.body.spec.containers.map((c: any) => `${c.name}=${c.image}`), ['a=busybox:1.35', 'b=busybox:1.36']);
    const stale = await req('PATCH', '/api/v1/namespaces/default/pods/smp', { metadata: { resourceVersion: '1' }, spec: {} }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(stale, 409, 'Conflict');
    assertStatus(await req('PATCH', '/api/v1/namespaces/default/pods/smp', {}, { 'content-type': 'text/plain' }), 415, 'UnsupportedMediaType');
  });

  test('server-side apply creates, then merges', async () => {
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'ssa' }, data: { x: '1' } };
    const c = await req('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=test', body, { 'content-type': 'application/apply-patch+yaml' });
    assert.equal(c.status, 201, c.text);
    const u = await req('PATCH', '/api/v1/namespaces/default/configmaps/ssa?fieldManager=test', { ...body, data: { y: '2' } }, { 'content-type': 'application/apply-patch+yaml' });
    assert.equal(u.status, 200);
    assert.deepEqual(u.body.data, { x: '1', y: '2' });
  });
});

describe('list', () => {
  test('label selectors, field selectors, limit and continue', async () => {
    await req('POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lists' } });
    for (let i = 0; i < 7; i++) {
      const r = await req('POST', '/api/v1/namespaces/lists/configmaps', cm(`l${i}`, {}, { tier: i % 2 ? 'odd' : 'even', n: String(i) }));
      assert.equal(r.status, 201);
    }
    const odd = await req('GET', '/api/v1/namespaces/lists/configmaps?labelSelector=tier%3Dodd');
    assert.deepEqual(odd.body.items.map((i: any) => i.metadata.name), ['l1', 'l3', 'l5']);
    assert.equal(odd.body.kind, 'ConfigMapList');
    assert.match(odd.body.metadata.resourceVersion, /^\d+$/);
    const setBased = await req('GET', '/api/v1/namespaces/lists/configmaps?labelSelector=' + encodeURIComponent('n in (1,2),tier!=odd'));
    assert.deepEqual(setBased.body.items.map((i: any) => i.metadata.name), ['l2']);
    const byName = await req('GET', '/api/v1/namespaces/lists/configmaps?fieldSelector=metadata.name%3Dl4');
    assert.deepEqual(byName.body.items.map((i: any) => i.metadata.name), ['l4']);
    assertStatus(await req('GET', '/api/v1/namespaces/lists/configmaps?fieldSelector=spec.foo%3Dx'), 400, 'BadRequest');
    assertStatus(await req('GET', '/api/v1/namespaces/lists/configmaps?labelSelector=' + encodeURIComponent('a in (')), 400, 'BadRequest');

    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await req('GET', `/api/v1/namespaces/lists/configmaps?limit=3${token ? `&continue=${encodeURIComponent(token)}` : ''}`);
      assert.equal(page.status, 200, page.text);
      assert.ok(page.body.items.length <= 3);
      seen.push(...page.body.items.map((i: any) => i.metadata.name));
      token = page.body.metadata.continue;
      if (pages === 0) assert.equal(page.body.metadata.remainingItemCount, 4);
      pages++;
    } while (token);
    assert.equal(pages, 3);
    assert.deepEqual(seen, ['l0', 'l1', 'l2', 'l3', 'l4', 'l5', 'l6']);
    assertStatus(await req('GET', '/api/v1/namespaces/lists/configmaps?limit=2&continue=garbage'), 400, 'BadRequest');
  });

  test('resourceVersion=0 is served from the watch cache; Exact reads a past revision', async () => {
    const a = (await req('POST', '/api/v1/namespaces/default/configmaps', cm('rv-a'))).body;
    const atA = a.metadata.resourceVersion;
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('rv-b'));
    const exact = await req('GET', `/api/v1/namespaces/default/configmaps?resourceVersion=${atA}&resourceVersionMatch=Exact`);
    assert.equal(exact.status, 200, exact.text);
    const names = exact.body.items.map((i: any) => i.metadata.name);
    assert.ok(names.includes('rv-a') && !names.includes('rv-b'));
    assert.equal(exact.body.metadata.resourceVersion, atA);
    const cached = await req('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=0');
    assert.equal(cached.status, 200);
    assert.match(cached.body.metadata.resourceVersion, /^\d+$/);
    assertStatus(await req('GET', '/api/v1/namespaces/default/configmaps?resourceVersion=abc'), 400, 'BadRequest');
  });

  test('Table output for kubectl', async () => {
    const t = await req('GET', '/api/v1/namespaces/default/configmaps?limit=500', undefined, {
      accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json',
    });
    assert.equal(t.status, 200);
    assert.match(t.headers.get('content-type') ?? '', /as=Table/);
    assert.equal(t.body.kind, 'Table');
    assert.equal(t.body.columnDefinitions[0].name, 'Name');
    assert.equal(t.body.columnDefinitions[0].format, 'name');
    assert.ok(t.body.rows.length > 0);
    assert.equal(t.body.rows[0].object.kind, 'PartialObjectMetadata');
  });
});

describe('pods and subresources', () => {
  const pod = (name: string, extra: Record<string, unknown> = {}) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name },
    spec: { containers: [{ name: 'main', image: 'busybox:1.35' }], ...extra },
  });

  test('defaults and initial status', async () => {
    const p = (await req('POST', '/api/v1/namespaces/default/pods', { ...pod('d1'), status: { phase: 'Running' } })).body;
    assert.equal(p.spec.restartPolicy, 'Always');
    assert.equal(p.spec.dnsPolicy, 'ClusterFirst');
    assert.equal(p.spec.terminationGracePeriodSeconds, 30);
    assert.equal(p.spec.schedulerName, 'default-scheduler');
    assert.equal(p.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    assert.equal(p.status.phase, 'Pending');
    assert.equal(p.status.qosClass, 'BestEffort');
  });

  test('binding sets nodeName once', async () => {
    await req('POST', '/api/v1/namespaces/default/pods', pod('b1'));
    const bind = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'b1' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
    const r = await req('POST', '/api/v1/namespaces/default/pods/b1/binding', bind);
    assert.equal(r.status, 201, r.text);
    const p = (await req('GET', '/api/v1/namespaces/default/pods/b1')).body;
    assert.equal(p.spec.nodeName, 'node-1');
    assert.ok(p.status.conditions.some((c: any) => c.type === 'PodScheduled' && c.status === 'True'));
    assertStatus(await req('POST', '/api/v1/namespaces/default/pods/b1/binding', bind), 409, 'Conflict');
  });

  test('status subresource writes only status; the main resource ignores status', async () => {
    const p = (await req('POST', '/api/v1/namespaces/default/pods', pod('s1'))).body;
    const viaMain = await req('PUT', '/api/v1/namespaces/default/pods/s1', { ...p, status: { phase: 'Running' } });
    assert.equal(viaMain.body.status.phase, 'Pending');
    const viaStatus = await req('PUT', '/api/v1/namespaces/default/pods/s1/status', { ...viaMain.body, spec: { ...p.spec, activeDeadlineSeconds: 5 }, status: { phase: 'Running' } });
    assert.equal(viaStatus.status, 200, viaStatus.text);
    assert.equal(viaStatus.body.status.phase, 'Running');
    assert.equal(viaStatus.body.spec.activeDeadlineSeconds, undefined);
    const patched = await req('PATCH', '/api/v1/namespaces/default/pods/s1/status', { status: { podIP: '10.244.0.9' } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(patched.body.status.podIP, '10.244.0.9');
    assert.equal(patched.body.status.phase, 'Running');
  });

  test('a bound pod is deleted gracefully; grace 0 finishes it', async () => {
    await req('POST', '/api/v1/namespaces/default/pods', pod('g1', { nodeName: 'node-1' }));
    const d = await req('DELETE', '/api/v1/namespaces/default/pods/g1');
    assert.equal(d.status, 200);
    assert.ok(d.body.metadata.deletionTimestamp);
    assert.equal(d.body.metadata.deletionGracePeriodSeconds, 30);
    assert.equal((await req('GET', '/api/v1/namespaces/default/pods/g1')).status, 200);
    const f = await req('DELETE', '/api/v1/namespaces/default/pods/g1', { gracePeriodSeconds: 0 });
    assert.equal(f.status, 200);
    assertStatus(await req('GET', '/api/v1/namespaces/default/pods/g1'), 404, 'NotFound');
    // An unbound pod goes at once.
    await req('POST', '/api/v1/namespaces/default/pods', pod('g2'));
    await req('DELETE', '/api/v1/namespaces/default/pods/g2');
    assertStatus(await req('GET', '/api/v1/namespaces/default/pods/g2'), 404, 'NotFound');
  });

  test('eviction deletes the pod', async () => {
    await req('POST', '/api/v1/namespaces/default/pods', pod('e1'));
    const r = await req('POST', '/api/v1/namespaces/default/pods/e1/eviction', { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'e1' } });
    assert.equal(r.status, 201, r.text);
    assertStatus(await req('GET', '/api/v1/namespaces/default/pods/e1'), 404, 'NotFound');
  });

  test('scale subresource of a deployment', async () => {
    const dep = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.35' }] } },
      },
    };
    const created = await req('POST', '/apis/apps/v1/namespaces/default/deployments', dep);
    assert.equal(created.status, 201, created.text);
    assert.equal(created.body.metadata.generation, 1);
    assert.equal(created.body.spec.strategy.type, 'RollingUpdate');
    const s = await req('GET', '/apis/apps/v1/namespaces/default/deployments/web/scale');
    assert.equal(s.body.kind, 'Scale');
    assert.equal(s.body.apiVersion, 'autoscaling/v1');
    assert.equal(s.body.spec.replicas, 1);
    assert.equal(s.body.status.selector, 'app=web');
    const p = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: 3 } }, { 'content-type': 'application/merge-patch+json' });
    assert.equal(p.status, 200, p.text);
    assert.equal(p.body.spec.replicas, 3);
    const d = (await req('GET', '/apis/apps/v1/namespaces/default/deployments/web')).body;
    assert.equal(d.spec.replicas, 3);
    assert.equal(d.metadata.generation, 2);
    const bad = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web/scale', { spec: { replicas: -1 } }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(bad, 422, 'Invalid');
    const imm = await req('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { spec: { selector: { matchLabels: { app: 'other' } } } }, { 'content-type': 'application/merge-patch+json' });
    assertStatus(imm, 422, 'Invalid');
  });
});

describe('concurrency', () => {
  test('50 writers doing read-modify-write on one object lose no update', async () => {
    await req('POST', '/api/v1/namespaces/default/configmaps', cm('counter', { n: '0' }));
    const writer = async () => {
      for (;;) {
        const cur = (await req('GET', '/api/v1/namespaces/default/configmaps/counter')).body;
        const next = { ...cur, data: { n: String(Number(cur.data.n) + 1) } };
        const r = await req('PUT', '/api/v1/namespaces/default/configmaps/counter', next);
        if (r.status === 200) return;
        assert.equal(r.status, 409, r.text);
      }
    };
    await Promise.all(Array.from({ length: 50 }, writer));
    const final = (await req('GET', '/api/v1/namespaces/default/configmaps/counter')).body;
    assert.equal(final.data.n, '50');
  });
});
