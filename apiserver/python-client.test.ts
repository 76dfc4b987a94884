// The official Python client (Debian's python3-kubernetes, installed by scripts/ensure-deps and
// run with /usr/bin/python3) against the apiserver: a client nobody here wrote. Each test runs a
// small script that prints one JSON line (test/harness/python.ts); the assertions read it.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../test/harness/apiserver.js';
import { pythonClientFor } from '../test/harness/python.js';

let api: TestApiserver;
let py: ReturnType<typeof pythonClientFor>;

describe('the official Python client (python3-kubernetes)', () => {
  before(async () => {
    api = await startTestApiserver();
    py = pythonClientFor(api.config);
  });
  after(async () => {
    await api?.stop();
  });

  test('CoreV1Api: create, list, read, patch and delete a Namespace and a ConfigMap', async () => {
    const r = await py(
      'crud',
      `
ns = v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-crud')))
names = [n.metadata.name for n in v1.list_namespace().items]
cm = client.V1ConfigMap(metadata=client.V1ObjectMeta(name='cfg', labels={'app': 'py'}), data={'a': '1'})
created = v1.create_namespaced_config_map('py-crud', cm)
listed = v1.list_namespaced_config_map('py-crud', label_selector='app=py')
read = v1.read_namespaced_config_map('cfg', 'py-crud')
patched = v1.patch_namespaced_config_map('cfg', 'py-crud', {'data': {'b': '2'}})
v1.delete_namespaced_config_map('cfg', 'py-crud')
after = [c.metadata.name for c in v1.list_namespaced_config_map('py-crud').items]
ns_patched = v1.patch_namespace('py-crud', {'metadata': {'labels': {'team': 'py'}}})
ns_read = v1.read_namespace('py-crud')
v1.delete_namespace('py-crud')
out({
  'ns_created': ns.metadata.name, 'ns_listed': 'py-crud' in names, 'ns_uid': bool(ns.metadata.uid),
  'created_rv': bool(created.metadata.resource_version), 'created_ts': str(created.metadata.creation_timestamp),
  'listed': [c.metadata.name for c in listed.items], 'list_rv': bool(listed.metadata.resource_version),
  'read': read.data, 'patched': patched.data, 'after': after,
  'ns_labels': ns_patched.metadata.labels, 'ns_read_labels': ns_read.metadata.labels, 'ns_phase': ns_read.status.phase,
})
`,
    );
    assert.equal(r.ns_created, 'py-crud');
    assert.equal(r.ns_listed, true);
    assert.equal(r.ns_uid, true);
    assert.equal(r.created_rv, true);
    assert.match(r.created_ts, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/); // parsed into a datetime
    assert.deepEqual(r.listed, ['cfg']);
    assert.equal(r.list_rv, true);
    assert.deepEqual(r.read, { a: '1' });
    assert.deepEqual(r.patched, { a: '1', b: '2' });
    assert.deepEqual(r.after, []);
    assert.equal(r.ns_labels.team, 'py');
    assert.equal(r.ns_read_labels.team, 'py');
    assert.equal(r.ns_phase, 'Active');
  });

  test('watch.Watch().stream receives ADDED, MODIFIED and DELETED', async () => {
    const r = await py(
      'watch',
      `
v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-watch')))
rv = v1.list_namespaced_config_map('py-watch').metadata.resource_version
def mutate():
    time.sleep(0.5)
    v1.create_namespaced_config_map('py-watch', client.V1ConfigMap(metadata=client.V1ObjectMeta(name='w'), data={'x': '1'}))
    v1.patch_namespaced_config_map('w', 'py-watch', {'data': {'x': '2'}})
    v1.delete_namespaced_config_map('w', 'py-watch')
threading.Thread(target=mutate, daemon=True).start()
events = []
w = watch.Watch()
for ev in w.stream(v1.list_namespaced_config_map, 'py-watch', resource_version=rv, timeout_seconds=10):
    events.append([ev['type'], ev['object'].metadata.name, (ev['object'].data or {}).get('x'), type(ev['object']).__name__])
    if ev['type'] == 'DELETED':
        w.stop()
out({'events': events})
`,
    );
    assert.deepEqual(r.events, [
      ['ADDED', 'w', '1', 'V1ConfigMap'],
      ['MODIFIED', 'w', '2', 'V1ConfigMap'],
      ['DELETED', 'w', '2', 'V1ConfigMap'],
    ]);
  });

  test('DynamicClient reads discovery, then creates and gets a Deployment', async () => {
    const r = await py(
      'dynamic',
      `
from kubernetes import dynamic
dc = dynamic.DynamicClient(client.ApiClient())
deps = dc.resources.get(api_version='apps/v1', kind='Deployment')
body = {'apiVersion': 'apps/v1', 'kind': 'Deployment', 'metadata': {'name': 'dyn', 'labels': {'app': 'dyn'}},
        'spec': {'replicas': 2, 'selector': {'matchLabels': {'app': 'dyn'}},
                 'template': {'metadata': {'labels': {'app': 'dyn'}}, 'spec': {'containers': [{'name': 'c', 'image': 'busybox'}]}}}}
created = deps.create(body=body, namespace='default')
got = deps.get(name='dyn', namespace='default')
lst = deps.get(namespace='default', label_selector='app=dyn')
cms = dc.resources.get(api_version='v1', kind='ConfigMap')
out({'namespaced': deps.namespaced, 'name': deps.name, 'created': created.metadata.name, 'replicas': got.spec.replicas,
     'kind': got.kind, 'list_kind': lst.kind, 'list_names': [i.metadata.name for i in lst.items], 'cm': cms.name})
`,
    );
    assert.equal(r.namespaced, true);
    assert.equal(r.name, 'deployments');
    assert.equal(r.created, 'dyn');
    assert.equal(r.replicas, 2);
    assert.equal(r.kind, 'Deployment');
    assert.equal(r.list_kind, 'DeploymentList');
    assert.deepEqual(r.list_names, ['dyn']);
    assert.equal(r.cm, 'configmaps');
  });

  test('paging with limit and _continue; delete with V1DeleteOptions; dynamic patch and delete', async () => {
    const r = await py(
      'paging',
      `
from kubernetes import dynamic
v1.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name='py-page')))
for i in range(5):
    v1.create_namespaced_config_map('py-page', client.V1ConfigMap(metadata=client.V1ObjectMeta(name='c%d' % i)))
pages = []
cont = None
while True:
    page = v1.list_namespaced_config_map('py-page', limit=2, _continue=cont)
    pages.append([c.metadata.name for c in page.items])
    cont = page.metadata._continue
    if not cont:
        break
v1.delete_namespaced_config_map('c0', 'py-page', body=client.V1DeleteOptions(propagation_policy='Background', grace_period_seconds=0))
dc = dynamic.DynamicClient(client.ApiClient())
cms = dc.resources.get(api_version='v1', kind='ConfigMap')
patched = cms.patch(name='c1', namespace='py-page', body={'data': {'k': 'v'}}, content_type='application/merge-patch+json')
cms.delete(name='c2', namespace='py-page')
left = [c.metadata.name for c in v1.list_namespaced_config_map('py-page').items]
out({'pages': pages, 'patched': patched.data.k, 'left': left})
`,
    );
    assert.deepEqual(r.pages, [['c0', 'c1'], ['c2', 'c3'], ['c4']]);
    assert.equal(r.patched, 'v');
    assert.deepEqual(r.left, ['c1', 'c3', 'c4']);
  });

  test('reading a missing object raises ApiException 404 with a Status body', async () => {
    const r = await py(
      'notfound',
      `
try:
    v1.read_namespaced_config_map('nope', 'default')
    out({'raised': False})
except ApiException as e:
    out({'raised': True, 'status': e.status, 'reason': e.reason, 'body': json.loads(e.body)})
`,
    );
    assert.equal(r.raised, true);
    assert.equal(r.status, 404);
    assert.equal(r.body.kind, 'Status');
    assert.equal(r.body.apiVersion, 'v1');
    assert.equal(r.body.status, 'Failure');
    assert.equal(r.body.reason, 'NotFound');
    assert.equal(r.body.code, 404);
    assert.deepEqual(r.body.details, { name: 'nope', kind: 'configmaps' });
  });
});
