import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { KObject } from '../../api/types.js';
import { asList, nameOf, parseOutputFormat, printGeneric, toYaml } from './output.js';

const cm: KObject = { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'c', creationTimestamp: '2024-01-01T00:00:00Z' }, data: { z: 'true', a: '1' } };
const dep: KObject = { kind: 'Deployment', apiVersion: 'apps/v1', metadata: { name: 'web' }, spec: { replicas: 2 } };

test('json: sorted keys, four-space indent, as kubectl', () => {
  assert.equal(
    printGeneric(cm, { kind: 'json' }),
    '{\n    "apiVersion": "v1",\n    "data": {\n        "a": "1",\n        "z": "true"\n    },\n    "kind": "ConfigMap",\n    "metadata": {\n        "creationTimestamp": "2024-01-01T00:00:00Z",\n        "name": "c"\n    }\n}\n',
  );
});

test('yaml: sorted keys, unindented lists, ambiguous strings quoted', () => {
  assert.equal(
    toYaml(asList([cm])),
    'apiVersion: v1\nitems:\n- apiVersion: v1\n  data:\n    a: "1"\n    z: "true"\n  kind: ConfigMap\n  metadata:\n    creationTimestamp: "2024-01-01T00:00:00Z"\n    name: c\nkind: List\nmetadata:\n  resourceVersion: ""\n',
  );
});

test('name: kind.group/name', () => {
  assert.equal(nameOf(dep), 'deployment.apps/web');
  assert.equal(printGeneric(asList([cm, dep]), { kind: 'name' }), 'configmap/c\ndeployment.apps/web\n');
});

test('custom-columns: <none> for missing, Go %v for maps', () => {
  assert.equal(
    printGeneric(asList([cm, dep]), { kind: 'custom-columns', spec: 'NAME:.metadata.name,R:.spec.replicas,D:.data' }),
    'NAME   R        D\nc      <none>   map[a:1 z:true]\nweb    2        <none>\n',
  );
});

test('-o parsing and errors', () => {
  assert.deepEqual(parseOutputFormat('wide'), { kind: 'table', wide: true });
  assert.deepEqual(parseOutputFormat('jsonpath={.a}'), { kind: 'jsonpath', template: '{.a}' });
  assert.throws(() => parseOutputFormat('xml'), /unable to match a printer suitable for the output format "xml"/);
});
