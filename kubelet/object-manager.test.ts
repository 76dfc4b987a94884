// The watch-based object managers against a real apiserver (real etcd): one name-selected
// watch per referenced object, shared by the pods that reference it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1';
import { pino } from 'pino';
import { RestClient } from '../client/index.js';
import type { KObject } from '../api/types.js';
import { NodeAuthorizer } from '../apiserver/auth/node/authorizer.js';
import { NodeGraph } from '../apiserver/auth/node/graph.js';
import { requestAttributes } from '../apiserver/filters/request-info.js';
import { http } from '../test/harness/http.js';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';
import { referencedObjects } from './env/env.js';
import { ObjectCacheSyncError, WatchBasedObjectManager } from './object-manager.js';

let api: TestApiserver;
let client: RestClient;
/** The apiserver's own request log lines (debug level: one per request, with its URL). */
const requestLog: Array<{ verb?: string; resource?: string; url?: string; msg?: string }> = [];
const silent = pino({ level: 'silent' });
/** Every pod the tests registered: they are the node's pods in the Node authorizer check. */
const registered: Pod[] = [];

before(async () => {
  api = await startTestApiserver({ logger: pino({ level: 'debug' }, { write: (line: string) => void requestLog.push(JSON.parse(line)) }) });
  client = new RestClient({ ...api.config, qps: 0 });
  await waitFor('apiserver ready', async () => (await http(api)('GET', '/readyz')).status === 200);
});

after(async () => {
  await client?.close();
  await api?.stop();
});

interface Change {
  uids: string[];
  namespace: string;
  name: string;
}

function secretManager(changes: Change[], c: RestClient = client) {
  return new WatchBasedObjectManager<Secret>({
    kind: 'secret',
    client: (ns) => c.resource('secrets', ns),
    referencedNames: (p) => referencedObjects(p).secrets,
    onChange: (uids, namespace, name) => changes.push({ uids: [...uids].sort(), namespace, name }),
    logger: silent,
  });
}

function podUsing(ns: string, uid: string, secrets: string[], configMaps: string[] = []): Pod {
  const pod: Pod = {
    metadata: { name: `pod-${uid}`, namespace: ns, uid },
    spec: {
      containers: [{ name: 'c', env: secrets.map((s, i) => ({ name: `S${i}`, valueFrom: { secretKeyRef: { name: s, key: 'k' } } })) }],
      volumes: configMaps.map((name) => ({ name, configMap: { name } })),
    },
  };
  registered.push(pod);
  return pod;
}

async function namespace(name: string): Promise<string> {
  await client.resource('namespaces').create({ metadata: { name } });
  return name;
}

/** The apiserver's count of open watches on a resource (its /metrics). */
async function watchers(resource: string): Promise<number> {
  const text = (await http(api)('GET', '/metrics')).text;
  const m = new RegExp(`^apiserver_registered_watchers\\{resource="${resource}"\\} (\\d+)`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

const b64 = (s: string): string => Buffer.from(s).toString('base64');

test('two pods referencing one secret share one watch; an update resyncs both; the last unregister ends it', async () => {
  const ns = await namespace('om-shared');
  const secrets = client.resource('secrets', ns);
  await secrets.create({ metadata: { name: 'shared' }, data: { k: b64('v1') } });
  const changes: Change[] = [];
  const m = secretManager(changes);
  try {
    const a = podUsing(ns, 'a', ['shared']);
    const b = podUsing(ns, 'b', ['shared']);
    m.registerPod(a);
    m.registerPod(b);
    m.registerPod(b); // a status update of the same pod: nothing new
    assert.equal(m.watchCount(), 1);
    assert.equal(m.get(ns, 'shared'), undefined, 'not fetched yet: a sync must wait');
    await m.waitForPod(a, 10_000);
    await m.waitForPod(b, 10_000);
    assert.equal(m.get(ns, 'shared')?.data?.k, b64('v1'));
    await waitFor('one watch open at the apiserver', async () => (await watchers('secrets')) === 1);
    assert.equal(changes.length, 0, 'the first fetch is no change');

    await secrets.patch('shared', 'merge', { data: { k: b64('v2') } });
    await waitFor('both pods told', () => changes.some((c) => c.name === 'shared' && c.uids.join() === 'a,b'));
    assert.equal(m.get(ns, 'shared')?.data?.k, b64('v2'));

    m.unregisterPod('a');
    assert.equal(m.watchCount(), 1, 'b still references it');
    const seen = changes.length;
    await secrets.patch('shared', 'merge', { data: { k: b64('v3') } });
    await waitFor('b alone told', () => changes.slice(seen).some((c) => c.uids.join() === 'b'));
    assert.equal(m.get(ns, 'shared')?.data?.k, b64('v3'));

    m.unregisterPod('b');
    assert.equal(m.watchCount(), 0);
    assert.equal(m.get(ns, 'shared'), undefined, 'no longer kept');
    await waitFor('the watch closed at the apiserver', async () => (await watchers('secrets')) === 0);
  } finally {
    await m.stop();
  }
});

test('a missing object is undefined, appears when created, goes when deleted; changed references move the watch', async () => {
  const ns = await namespace('om-missing');
  const changes: Change[] = [];
  const m = secretManager(changes);
  try {
    const c = podUsing(ns, 'c', ['later']);
    m.registerPod(c);
    await m.waitForPod(c, 10_000);
    assert.equal(m.get(ns, 'later'), undefined);
    await client.resource('secrets', ns).create({ metadata: { name: 'later' }, data: { k: b64('here') } });
    await waitFor('told it exists', () => changes.some((x) => x.name === 'later' && x.uids.join() === 'c'));
    assert.equal(m.get(ns, 'later')?.data?.k, b64('here'));
    // An object of the same name in another namespace is another object.
    assert.equal(m.get('default', 'later'), undefined);

    const seen = changes.length;
    await client.resource('secrets', ns).delete('later');
    await waitFor('told it is gone', () => changes.length > seen);
    assert.equal(m.get(ns, 'later'), undefined);

    // The pod now references `other` instead: `other` is watched, `later` released.
    await client.resource('secrets', ns).create({ metadata: { name: 'other' }, data: { k: b64('o') } });
    const c2 = podUsing(ns, 'c', ['other']);
    m.registerPod(c2);
    assert.equal(m.watchCount(), 1);
    await m.waitForPod(c2, 10_000);
    assert.equal(m.get(ns, 'other')?.data?.k, b64('o'));
    assert.equal(m.get(ns, 'later'), undefined);
  } finally {
    await m.stop();
  }
});

test('configmaps too: one watch per object, each shared; an immutable object is kept but no longer watched', async () => {
  const ns = await namespace('om-cm');
  const cms = client.resource('configmaps', ns);
  await cms.create({ metadata: { name: 'kube-root-ca.crt' }, data: { 'ca.crt': 'PEM' } });
  await cms.create({ metadata: { name: 'frozen' }, data: { a: '1' }, immutable: true });
  const m = new WatchBasedObjectManager<ConfigMap>({
    kind: 'configmap',
    client: (n) => client.resource('configmaps', n),
    referencedNames: (p) => referencedObjects(p).configMaps,
    logger: silent,
  });
  try {
    const pods = ['p1', 'p2', 'p3'].map((uid) => podUsing(ns, uid, [], ['kube-root-ca.crt', 'frozen']));
    for (const p of pods) m.registerPod(p);
    for (const p of pods) await m.waitForPod(p, 10_000);
    assert.equal(m.get(ns, 'kube-root-ca.crt')?.data?.['ca.crt'], 'PEM');
    assert.equal(m.get(ns, 'frozen')?.data?.a, '1');
    assert.equal(m.watchCount(), 1, 'the immutable one stopped watching');
    await waitFor('one configmap watch at the apiserver', async () => (await watchers('configmaps')) === 1);
  } finally {
    await m.stop();
  }
  await waitFor('no configmap watch left', async () => (await watchers('configmaps')) === 0);
});

test('a pod sync waits for the first fetch, and gives up with an error when it cannot come', async () => {
  const unreachable = new RestClient({ server: 'http://127.0.0.1:1', qps: 0 });
  const m = secretManager([], unreachable);
  try {
    const p = podUsing('default', 'x', ['s']);
    m.registerPod(p);
    await assert.rejects(m.waitForPod(p, 300), (e: unknown) => e instanceof ObjectCacheSyncError && /failed to sync secret cache: timed out waiting for default\/s/.test(e.message));
    // A pod with nothing to wait for never waits.
    await m.waitForPod(podUsing('default', 'y', []), 0);
  } finally {
    await m.stop();
    await unreachable.close();
  }
});

test('every list and watch the managers sent was for one name in one namespace, as the Node authorizer allows', async () => {
  const requests = requestLog.filter((l) => l.msg === 'request' && (l.resource === 'secrets' || l.resource === 'configmaps') && (l.verb === 'LIST' || l.verb === 'WATCH'));
  const byName = requests.filter((l) => new URL(l.url ?? '', api.url).searchParams.get('fieldSelector')?.startsWith('metadata.name='));
  assert.ok(byName.length >= 6, `the managers' requests were logged: ${JSON.stringify(requests)}`);
  assert.ok(requests.some((l) => l.verb === 'WATCH'), 'watches were logged');
  for (const l of requests) {
    const url = new URL(l.url ?? '', api.url);
    assert.match(url.pathname, /^\/api\/v1\/namespaces\/[^/]+\/(secrets|configmaps)$/, l.url);
    assert.match(url.searchParams.get('fieldSelector') ?? '', /^metadata\.name=[^,]+$/, l.url);
  }
  // Kubernetes' Node authorizer, with the tests' pods bound to n1, lets n1 make each of them.
  const graph = new NodeGraph();
  registered.forEach((p, i) => graph.addPod({ ...p, metadata: { ...p.metadata, name: `p${i}` }, spec: { ...p.spec, nodeName: 'n1' } } as KObject));
  const authz = new NodeAuthorizer(graph, () => false);
  const asNode = (node: string, url: string) => authz.authorize({ ...requestAttributes('GET', url), user: { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] } });
  for (const l of requests) assert.equal(asNode('n1', l.url ?? '').decision, 'allow', l.url);
  // What the kubelet did before: denied, as is another node asking for the same object.
  assert.notEqual(asNode('n1', '/api/v1/secrets?watch=true').decision, 'allow');
  assert.notEqual(asNode('n1', '/api/v1/namespaces/om-shared/secrets').decision, 'allow');
  assert.notEqual(asNode('n2', requests[0]?.url ?? '').decision, 'allow');
});
