// CustomResourceDefinitions end to end: the real kubectl 1.32 against a real apiserver on real
// etcd — a CRD becomes a served resource (discovery, OpenAPI, explain), its objects go through
// get/apply/patch/scale/delete/-w with printer columns, two versions, the status subresource, and
// deleting the CRD deletes its objects.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fetch } from 'undici';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { kubectlFor } from '../../test/harness/kubectl.js';
import { waitFor } from '../../test/harness/ports.js';
import { CRONTAB_CRD as CRD, crdRequests, crontab as CR, WIDGET_CRD, writeManifest } from '../../test/harness/crd.js';

let api: TestApiserver;
let k: ReturnType<typeof kubectlFor>;

const editor = join(mkdtempSync(join(tmpdir(), 'tskube-editor-')), 'edit.sh');

let req: ReturnType<typeof crdRequests>['req'];
let established: ReturnType<typeof crdRequests>['established'];

before(async () => {
  api = await startTestApiserver();
  ({ req, established } = crdRequests(api));
  // kubectl edit runs $KUBE_EDITOR on a file: this one changes the image.
  writeFileSync(editor, '#!/bin/sh\nsed -i "s/image: nginx:ssa/image: nginx:edited/" "$1"\n', { mode: 0o755 });
  process.env.KUBE_EDITOR = editor;
  k = kubectlFor(api.config);
});
after(async () => {
  await api?.stop();
});

const file = (name: string, text: string): string => writeManifest(k.home, name, text);

describe('kubectl 1.32: CustomResourceDefinitions', () => {
  test('a CRD is served within a second, with conditions and defaults', async () => {
    const a = await k.run(['apply', '-f', file('crd.yaml', CRD)]);
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /customresourcedefinition\.apiextensions\.k8s\.io\/crontabs\.stable\.example\.com created/);
    const crd = (await waitFor('CRD established', established('crontabs.stable.example.com'), 1000)) as Record<string, any>;
    assert.equal(crd.spec.names.singular, 'crontab');
    assert.equal(crd.spec.names.listKind, 'CronTabList');
    assert.equal(crd.spec.conversion.strategy, 'None');
    assert.deepEqual(crd.status.storedVersions, ['v1']);
    assert.equal(crd.status.acceptedNames.plural, 'crontabs');
    const na = crd.status.conditions.find((c: { type: string }) => c.type === 'NamesAccepted');
    assert.equal(na.status, 'True');
    assert.equal(na.reason, 'NoConflicts');
    const w = await k.run(['wait', '--for=condition=Established', 'crd/crontabs.stable.example.com', '--timeout=10s']);
    assert.equal(w.code, 0, w.stderr);
    const list = await req('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs');
    assert.equal(list.status, 200);
    assert.equal(list.json.kind, 'CronTabList');
  });

  test('discovery: legacy and aggregated list the group, preferred version v1', async () => {
    const g = await req('GET', '/apis/stable.example.com');
    assert.equal(g.status, 200);
    assert.deepEqual((g.json.preferredVersion as { version: string }).version, 'v1');
    const rl = await req('GET', '/apis/stable.example.com/v1');
    const names = (rl.json.resources as { name: string }[]).map((r) => r.name);
    assert.deepEqual(names, ['crontabs', 'crontabs/status', 'crontabs/scale']);
    // Like kube-apiserver's crdregistration: each served group-version gets a Local APIService.
    await waitFor('APIService v1.stable.example.com', async () => (await req('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.stable.example.com')).status === 200, 5000);
    const ar = await k.run(['api-resources', '--api-group=stable.example.com']);
    assert.equal(ar.code, 0, ar.stderr);
    assert.match(ar.stdout, /^crontabs\s+ct\s+stable\.example\.com\/v1\s+true\s+CronTab$/m);
  });

  test('apply, get with printer columns by plural, singular and short name; apply changes; all', async () => {
    const c = await k.run(['apply', '-f', file('cr.yaml', CR('nginx'))]);
    assert.equal(c.code, 0, c.stderr);
    assert.match(c.stdout, /^crontab\.stable\.example\.com\/my-cron created$/m);
    for (const name of ['crontabs', 'crontab', 'ct', 'crontabs.stable.example.com']) {
      const g = await k.run(['get', name]);
      assert.equal(g.code, 0, g.stderr);
      assert.match(g.stdout, /^NAME\s+SPEC\s+REPLICAS\s+AGE$/m);
      assert.match(g.stdout, /^my-cron\s+\* \* \* \* \*\/5\s+1\s+\d+s$/m, g.stdout);
    }
    const unchanged = await k.run(['apply', '-f', join(k.home, 'cr.yaml')]);
    assert.match(unchanged.stdout, /my-cron unchanged/);
    const changed = await k.run(['apply', '-f', file('cr.yaml', CR('nginx:1.27'))]);
    assert.equal(changed.code, 0, changed.stderr);
    assert.match(changed.stdout, /my-cron configured/);
    const img = await k.run(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.image} {.metadata.generation}']);
    assert.equal(img.stdout, 'nginx:1.27 2');
    const all = await k.run(['get', 'all']);
    assert.match(all.stdout, /crontab\.stable\.example\.com\/my-cron/);
    const sel = await k.run(['get', 'ct', '-l', 'app=cron', '--field-selector', 'metadata.name=my-cron', '-o', 'name']);
    assert.equal(sel.stdout.trim(), 'crontab.stable.example.com/my-cron');
    const none = await k.run(['get', 'ct', '-l', 'app=other', '-o', 'name']);
    assert.equal(none.stdout.trim(), '');
  });

  test('two versions: stored at v1, served at the version asked for', async () => {
    const beta = await req('GET', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/my-cron');
    assert.equal(beta.status, 200);
    assert.equal(beta.json.apiVersion, 'stable.example.com/v1beta1');
    const created = await req('POST', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1beta1',
      kind: 'CronTab',
      metadata: { name: 'beta-cron' },
      spec: { cronSpec: '* * * * *', image: 'busybox' },
    });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.apiVersion, 'stable.example.com/v1beta1');
    const raw = await api.server.storage.get('/registry/stable.example.com/crontabs/default/beta-cron');
    assert.equal(raw?.obj.apiVersion, 'stable.example.com/v1');
    const v1 = await req('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs/beta-cron');
    assert.equal(v1.json.apiVersion, 'stable.example.com/v1');
    const stale = await req('PUT', '/apis/stable.example.com/v1/namespaces/default/crontabs/beta-cron', {
      ...v1.json,
      metadata: { ...(v1.json.metadata as object), resourceVersion: '1' },
    });
    assert.equal(stale.status, 409);
    assert.equal(stale.json.reason, 'Conflict');
    const del = await req('DELETE', '/apis/stable.example.com/v1beta1/namespaces/default/crontabs/beta-cron');
    assert.equal(del.status, 200);
  });

  test('status subresource: spec ignored on /status, status ignored on the main resource', async () => {
    const cur = await req('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron');
    const withStatus = { ...cur.json, spec: { ...(cur.json.spec as object), image: 'ignored' }, status: { replicas: 2, labelSelector: 'app=cron' } };
    const s = await req('PUT', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron/status', withStatus);
    assert.equal(s.status, 200, JSON.stringify(s.json));
    assert.deepEqual(s.json.status, { replicas: 2, labelSelector: 'app=cron' });
    assert.equal((s.json.spec as { image: string }).image, 'nginx:1.27');
    const m = await req('PATCH', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron', { status: { replicas: 9 } }, 'application/merge-patch+json');
    assert.equal(m.status, 200);
    assert.deepEqual(m.json.status, { replicas: 2, labelSelector: 'app=cron' });
  });

  test('scale subresource: kubectl scale and the autoscaling/v1 Scale', async () => {
    const sc = await k.run(['scale', 'ct', 'my-cron', '--replicas=3']);
    assert.equal(sc.code, 0, sc.stderr);
    assert.match(sc.stdout, /crontab\.stable\.example\.com\/my-cron scaled/);
    const scale = await req('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron/scale');
    assert.equal(scale.json.kind, 'Scale');
    assert.deepEqual(scale.json.spec, { replicas: 3 });
    assert.deepEqual(scale.json.status, { replicas: 2, selector: 'app=cron' });
    const g = await k.run(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.replicas}']);
    assert.equal(g.stdout, '3');
  });

  test('patches: json and merge work, strategic merge is 415 as in Kubernetes; server-side apply', async () => {
    const path = '/apis/stable.example.com/v1/namespaces/default/crontabs/my-cron';
    const smp = await req('PATCH', path, { spec: { image: 'x' } }, 'application/strategic-merge-patch+json');
    assert.equal(smp.status, 415);
    assert.equal(smp.json.reason, 'UnsupportedMediaType');
    const jp = await req('PATCH', path, [{ op: 'replace', path: '/spec/image', value: 'nginx:1.28' }], 'application/json-patch+json');
    assert.equal(jp.status, 200);
    assert.equal((jp.json.spec as { image: string }).image, 'nginx:1.28');
    const p = await k.run(['patch', 'ct', 'my-cron', '--type=merge', '-p', '{"metadata":{"labels":{"patched":"yes"}}}']);
    assert.equal(p.code, 0, p.stderr);
    const ssa = await k.run(['apply', '--server-side', '-f', file('ssa.yaml', CR('nginx:ssa'))]);
    assert.equal(ssa.code, 0, ssa.stderr);
    const img = await k.run(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.image}']);
    assert.equal(img.stdout, 'nginx:ssa');
  });

  test('kubectl edit sends a merge patch a custom resource takes', async () => {
    const e = await k.run(['edit', 'ct', 'my-cron']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /crontab\.stable\.example\.com\/my-cron edited/);
    const img = await k.run(['get', 'ct', 'my-cron', '-o', 'jsonpath={.spec.image}']);
    assert.equal(img.stdout, 'nginx:edited');
  });

  test('kubectl explain reads the schema from OpenAPI', async () => {
    const e = await k.run(['explain', 'crontab.spec']);
    assert.equal(e.code, 0, e.stderr);
    assert.match(e.stdout, /KIND:\s+CronTab/);
    assert.match(e.stdout, /cronSpec\s+<string>/);
    assert.match(e.stdout, /The cron schedule\./);
    const d = await k.run(['describe', 'ct', 'my-cron']);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /^Name:\s+my-cron$/m);
    assert.match(d.stdout, /^API Version:\s+stable\.example\.com\/v1$/m);
    const all = await k.run(['get', 'ct', '-A']);
    assert.match(all.stdout, /^NAMESPACE\s+NAME\s+SPEC\s+REPLICAS\s+AGE$/m);
    assert.match(all.stdout, /^default\s+my-cron\s/m);
  });

  test('OpenAPI v2 (JSON and protobuf) and v3 change when CRDs change', async () => {
    const v2 = await fetch(`${api.url}/openapi/v2`, { dispatcher: api.dispatcher });
    const doc = (await v2.json()) as { definitions: Record<string, unknown>; paths: Record<string, unknown> };
    assert.ok(doc.definitions['com.example.stable.v1.CronTab']);
    assert.ok(doc.paths['/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}/scale']);
    const etag = v2.headers.get('etag');
    const proto = await fetch(`${api.url}/openapi/v2`, { dispatcher: api.dispatcher, headers: { accept: 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf' } });
    assert.equal(proto.status, 200);
    assert.match(Buffer.from(await proto.arrayBuffer()).toString('latin1'), /com\.example\.stable\.v1\.CronTab/);
    const idx = (await req('GET', '/openapi/v3')).json as { paths: Record<string, unknown> };
    assert.ok(idx.paths['apis/stable.example.com/v1beta1']);
    assert.equal((await k.run(['apply', '-f', file('widgets.yaml', WIDGET_CRD)])).code, 0);
    await waitFor('widgets established', established('widgets.stable.example.com'), 1000);
    const after = await fetch(`${api.url}/openapi/v2`, { dispatcher: api.dispatcher });
    assert.notEqual(after.headers.get('etag'), etag);
    await after.arrayBuffer();
  });

  test('get -w streams changes of custom resources', async () => {
    const w = k.start(['get', 'ct', '-w', '--output-watch-events']);
    try {
      await waitFor('watch lists my-cron', () => /my-cron/.test(w.output()), 10_000);
      assert.equal((await k.run(['label', 'ct', 'my-cron', 'watched=yes'])).code, 0);
      await waitFor('MODIFIED event', () => /MODIFIED\s+my-cron/.test(w.output()), 10_000);
    } finally {
      w.proc.kill();
    }
  });

  test('an invalid custom resource is a 422 listing every violation', async () => {
    const bad = await req('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'bad' },
      spec: { cronSpec: 'nope', image: 5, replicas: 50 },
    });
    assert.equal(bad.status, 422, JSON.stringify(bad.json));
    assert.equal(bad.json.reason, 'Invalid');
    const fields = ((bad.json.details as { causes: { field: string }[] }).causes ?? []).map((c) => c.field).sort();
    assert.deepEqual(fields, ['spec.cronSpec', 'spec.image', 'spec.replicas']);
    const a = await k.run(['apply', '-f', file('bad.yaml', CR('nginx').replace('"* * * * */5"', 'nope'))]);
    assert.notEqual(a.code, 0);
    assert.match(a.stderr, /The CronTab "my-cron" is invalid: spec\.cronSpec: Invalid value: "nope": spec\.cronSpec in body should match/);
  });

  test('unknown fields are pruned and defaults applied', async () => {
    const r = await req('POST', '/apis/stable.example.com/v1/namespaces/default/crontabs', {
      apiVersion: 'stable.example.com/v1',
      kind: 'CronTab',
      metadata: { name: 'pruned' },
      spec: { cronSpec: '* * * * *', image: 'x', extra: true },
      unknownTop: 1,
    });
    assert.equal(r.status, 201, JSON.stringify(r.json));
    assert.deepEqual(r.json.spec, { cronSpec: '* * * * *', image: 'x', replicas: 1 });
    assert.equal(r.json.unknownTop, undefined);
    // kubectl sends fieldValidation=Strict: the fields the schema would prune are refused.
    const strict = await k.run(['apply', '-f', file('strict.yaml', CR('nginx').replace('  image: nginx', '  image: nginx\n  imagee: typo').replace('my-cron', 'strict'))]);
    assert.notEqual(strict.code, 0);
    assert.match(strict.stderr, /strict decoding error: unknown field "spec\.imagee"/);
  });

  test('deleting a CRD deletes its objects, then the CRD', async () => {
    const d = await k.run(['delete', 'crd', 'crontabs.stable.example.com', 'widgets.stable.example.com'], undefined, 30_000);
    assert.equal(d.code, 0, d.stderr);
    assert.match(d.stdout, /customresourcedefinition\.apiextensions\.k8s\.io "crontabs\.stable\.example\.com" deleted/);
    const left = await api.server.storage.range('/registry/stable.example.com/crontabs/');
    assert.equal(left.items.length, 0);
    assert.equal((await req('GET', '/apis/stable.example.com/v1/namespaces/default/crontabs')).status, 404);
    assert.equal((await req('GET', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions/crontabs.stable.example.com')).status, 404);
    await waitFor('APIService removed', async () => (await req('GET', '/apis/apiregistration.k8s.io/v1/apiservices/v1beta1.stable.example.com')).status === 404, 5000);
  });
});
