// Custom resources with a client nobody here wrote: Debian's python3-kubernetes creates a CRD
// with its typed ApiextensionsV1Api, then its DynamicClient finds the kind through discovery and
// creates, lists by label, patches and watches custom resources.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestApiserver, type TestApiserver } from '../../test/harness/apiserver.js';
import { pythonClientFor } from '../../test/harness/python.js';

let api: TestApiserver;
let py: ReturnType<typeof pythonClientFor>;

before(async () => {
  api = await startTestApiserver();
  py = pythonClientFor(api.config);
});
after(async () => {
  await api?.stop();
});

describe('python3-kubernetes: custom resources', () => {
  test('ApiextensionsV1Api creates a CRD; DynamicClient creates, lists, patches and watches its objects', async () => {
    const r = await py(
      'crd',
      `
from kubernetes import dynamic
ext = client.ApiextensionsV1Api()
ext.create_custom_resource_definition({
  'apiVersion': 'apiextensions.k8s.io/v1', 'kind': 'CustomResourceDefinition',
  'metadata': {'name': 'pets.zoo.example.com'},
  'spec': {'group': 'zoo.example.com', 'scope': 'Namespaced',
           'names': {'plural': 'pets', 'kind': 'Pet', 'shortNames': ['pt']},
           'versions': [{'name': 'v1', 'served': True, 'storage': True,
                         'schema': {'openAPIV3Schema': {'type': 'object', 'properties': {'spec': {'type': 'object', 'properties': {'legs': {'type': 'integer', 'default': 4}}}}}}}]}})
for _ in range(100):
    crd = ext.read_custom_resource_definition('pets.zoo.example.com')
    if any(c.type == 'Established' and c.status == 'True' for c in (crd.status.conditions or [])):
        break
    time.sleep(0.05)
dc = dynamic.DynamicClient(client.ApiClient())
pets = dc.resources.get(api_version='zoo.example.com/v1', kind='Pet')
pets.create(body={'apiVersion': 'zoo.example.com/v1', 'kind': 'Pet', 'metadata': {'name': 'rex', 'labels': {'a': 'b'}}, 'spec': {}}, namespace='default')
listed = pets.get(namespace='default', label_selector='a=b')
patched = pets.patch(name='rex', namespace='default', body={'spec': {'legs': 3}}, content_type='application/merge-patch+json')
events = []
for ev in pets.watch(namespace='default', timeout=2):
    events.append([ev['type'], ev['object'].metadata.name])
    break
co = client.CustomObjectsApi().get_namespaced_custom_object('zoo.example.com', 'v1', 'default', 'pets', 'rex')
out({'names': [i.metadata.name for i in listed.items], 'legs': patched.spec.legs, 'events': events, 'kind': co['kind'], 'namespaced': pets.namespaced})
`,
    );
    assert.deepEqual(r, { names: ['rex'], legs: 3, events: [['ADDED', 'rex']], kind: 'Pet', namespaced: true });
  });
});
