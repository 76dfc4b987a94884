// The official @kubernetes/client-node, unchanged, against the apiserver over real etcd.
import * as k8s from '@kubernetes/client-node';
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { waitFor } from '../test/harness/ports.js';

let api: TestApiserver;
let kc: k8s.KubeConfig;
let core: k8s.CoreV1Api;

before(async () => {
  api = await startTestApiserver();
  kc = new k8s.KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: api.url, caData: Buffer.from(api.config.ca!).toString('base64') }],
    users: [{ name: 'u', certData: Buffer.from(api.config.cert!).toString('base64'), keyData: Buffer.from(api.config.key!).toString('base64') }],
    contexts: [{ name: 'ctx', cluster: 'c', user: 'u', namespace: 'default' }],
    currentContext: 'ctx',
  });
  core = kc.makeApiClient(k8s.CoreV1Api);
});
after(async () => {
  await api?.stop();
});

test('create, list, patch through the generated API client', async () => {
  const created = await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'cn1' }, data: { a: '1' } } });
  assert.equal(created.metadata?.name, 'cn1');
  const list = await core.listNamespacedConfigMap({ namespace: 'default' });
  assert.ok(list.items.some((i) => i.metadata?.name === 'cn1'));
  const patched = await core.patchNamespacedConfigMap({ namespace: 'default', name: 'cn1', body: [{ op: 'replace', path: '/data/a', value: '2' }] });
  assert.equal(patched.data?.a, '2');
  await assert.rejects(core.readNamespacedConfigMap({ namespace: 'default', name: 'missing' }), (e: unknown) => {
    return e instanceof k8s.ApiException && e.code === 404;
  });
});

test('Watch delivers ADDED, MODIFIED, DELETED', async () => {
  const seen: string[] = [];
  const watch = new k8s.Watch(kc);
  const ctrl = await watch.watch(
    '/api/v1/namespaces/default/configmaps',
    { fieldSelector: 'metadata.name=wn' },
    (phase) => seen.push(phase),
    () => undefined,
  );
  await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'wn' } } });
  await core.patchNamespacedConfigMap({ namespace: 'default', name: 'wn', body: [{ op: 'add', path: '/data', value: { x: 'y' } }] });
  await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'wn' });
  await waitFor('three watch events', () => seen.length >= 3);
  assert.deepEqual(seen, ['ADDED', 'MODIFIED', 'DELETED']);
  ctrl.abort();
});

test('an informer sees add, update and delete', async () => {
  const informer = k8s.makeInformer(kc, '/api/v1/namespaces/default/configmaps', () => core.listNamespacedConfigMap({ namespace: 'default' }));
  const events: string[] = [];
  informer.on('add', (o) => o.metadata?.name === 'inf' && events.push('add'));
  informer.on('update', (o) => o.metadata?.name === 'inf' && events.push('update'));
  informer.on('delete', (o) => o.metadata?.name === 'inf' && events.push('delete'));
  await informer.start();
  try {
    await core.createNamespacedConfigMap({ namespace: 'default', body: { metadata: { name: 'inf' } } });
    await waitFor('add', () => events.includes('add'));
    await core.replaceNamespacedConfigMap({ namespace: 'default', name: 'inf', body: { metadata: { name: 'inf' }, data: { k: 'v' } } });
    await waitFor('update', () => events.includes('update'));
    await core.deleteNamespacedConfigMap({ namespace: 'default', name: 'inf' });
    await waitFor('delete', () => events.includes('delete'));
    assert.deepEqual(events, ['add', 'update', 'delete']);
  } finally {
    await informer.stop();
  }
});
