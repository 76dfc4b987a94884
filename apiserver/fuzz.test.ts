// Random paths, methods, headers and bodies: every reply is a 2xx–4xx (never a 5xx), every
// error is a Status, and the server keeps serving. Also: overload answers 429.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { RESOURCES, apiVersionOf } from '../api/resources.js';
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

// A small deterministic PRNG so a failure can be replayed from its seed.
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ATOMS: unknown[] = [null, true, false, 0, -1, 1.5, 2 ** 53, '', 'x', 'Ünïcødé', '\u0000', '../..', 'a'.repeat(300), [], {}, [null], { '': 1 }];
const KEYS = ['metadata', 'spec', 'status', 'data', 'name', 'namespace', 'labels', 'containers', 'image', 'replicas', 'selector', 'matchLabels', 'ports', 'port', 'kind', 'apiVersion', 'items', 'finalizers', 'resourceVersion', 'template', '$patch', 'op', 'path', 'value'];

function randomValue(r: () => number, depth: number): unknown {
  if (depth <= 0 || r() < 0.35) return ATOMS[Math.floor(r() * ATOMS.length)];
  if (r() < 0.3) return Array.from({ length: Math.floor(r() * 4) }, () => randomValue(r, depth - 1));
  const o: Record<string, unknown> = {};
  for (let i = Math.floor(r() * 5); i > 0; i--) o[KEYS[Math.floor(r() * KEYS.length)]!] = randomValue(r, depth - 1);
  return o;
}

function randomBody(r: () => number): string {
  const info = RESOURCES[Math.floor(r() * RESOURCES.length)]!;
  const choice = r();
  if (choice < 0.15) return '{"truncated": ';
  if (choice < 0.2) return '\u00ff\u00fe garbage';
  if (choice < 0.6) {
    const v = randomValue(r, 4) as Record<string, unknown>;
    const base = typeof v === 'object' && v && !Array.isArray(v) ? v : { v };
    return JSON.stringify({ apiVersion: apiVersionOf(info), kind: info.kind, metadata: { name: `f${Math.floor(r() * 1e6)}` }, ...base });
  }
  return JSON.stringify(randomValue(r, 5));
}

const CONTENT_TYPES = ['application/json', 'application/yaml', 'application/merge-patch+json', 'application/json-patch+json', 'application/strategic-merge-patch+json', 'application/apply-patch+yaml', 'application/vnd.kubernetes.protobuf', 'text/plain', 'application/json; charset=utf-8', ''];
const ACCEPTS = ['application/json', 'application/json;as=Table;v=v1;g=meta.k8s.io', 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io', '*/*', 'text/html', 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList'];
const QUERIES = ['', '?watch=false', '?labelSelector=a%20in%20(', '?fieldSelector=metadata.name%3D%3D%3D', '?limit=-1', '?limit=2&continue=abc', '?resourceVersion=99999999', '?resourceVersion=1&resourceVersionMatch=Exact', '?dryRun=All', '?fieldValidation=Strict', '?gracePeriodSeconds=x', '?propagationPolicy=Sideways', '?timeoutSeconds=1&watch=true'];

function randomPath(r: () => number): string {
  const info = RESOURCES[Math.floor(r() * RESOURCES.length)]!;
  const root = info.group ? `/apis/${info.group}/${info.version}` : '/api/v1';
  const ns = info.namespaced && r() < 0.8 ? `/namespaces/${r() < 0.8 ? 'default' : 'zz%2F..'}` : '';
  const name = r() < 0.5 ? `/f${Math.floor(r() * 1e6)}` : r() < 0.1 ? '/%ZZ' : '';
  const sub = name && r() < 0.3 ? `/${['status', 'scale', 'binding', 'eviction', 'finalize', 'log', 'bogus'][Math.floor(r() * 7)]}` : '';
  const tails = ['', '/', '//', '/extra/segments/here'];
  const tail = r() < 0.1 ? tails[Math.floor(r() * tails.length)] : '';
  return `${root}${ns}/${info.resource}${name}${sub}${tail}${QUERIES[Math.floor(r() * QUERIES.length)]}`;
}

test('random requests never produce a 5xx and always get Status errors', async () => {
  const seed = Number(process.env.FUZZ_SEED ?? Date.now() % 100000);
  const r = rng(seed);
  const methods = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'HEAD'];
  for (let i = 0; i < 600; i++) {
    const method = methods[Math.floor(r() * methods.length)]!;
    const path = r() < 0.05 ? ['/api', '/apis', '/apis/apps', '/openapi/v3/apis/nope/v1', '/openapi/v2', '/version', '/%', '/api/v2/pods'][Math.floor(r() * 8)]! : randomPath(r);
    const headers: Record<string, string> = { accept: ACCEPTS[Math.floor(r() * ACCEPTS.length)]! };
    const ct = CONTENT_TYPES[Math.floor(r() * CONTENT_TYPES.length)]!;
    if (ct) headers['content-type'] = ct;
    const body = method === 'GET' || method === 'HEAD' || method === 'OPTIONS' ? undefined : randomBody(r);
    const res = await req(method, path, body, headers);
    const where = `seed ${seed} #${i}: ${method} ${path} [${ct}] ${body?.slice(0, 200)} → ${res.status} ${res.text.slice(0, 300)}`;
    assert.ok(res.status < 500, where);
    if (res.status >= 400 && method !== 'HEAD') {
      assert.equal(res.body?.kind, 'Status', where);
      assert.equal(res.body?.code, res.status, where);
    }
  }
  const health = await req('GET', '/healthz');
  assert.equal(health.status, 200);
});

test('too many requests in flight are answered 429 with Retry-After', async () => {
  // The plain max-in-flight filter (--enable-priority-and-fairness=false): this test's user is
  // system:masters, which API Priority and Fairness exempts (apiserver/flowcontrol.test.ts).
  const small = await startTestApiserver({ maxRequestsInflight: 2, enablePriorityAndFairness: false });
  try {
    const hit = http(small);
    const replies = await Promise.all(Array.from({ length: 60 }, () => hit('GET', '/api/v1/namespaces/default/configmaps')));
    const codes = new Set(replies.map((x) => x.status));
    assert.ok(codes.has(429), `codes: ${[...codes].join(',')}`);
    const tooMany = replies.find((x) => x.status === 429)!;
    assert.equal(tooMany.body.reason, 'TooManyRequests');
    assert.equal(tooMany.headers.get('retry-after'), '1');
    assert.ok([...codes].every((c) => c === 200 || c === 429));
  } finally {
    await small.stop();
  }
});
