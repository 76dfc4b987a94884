import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, apiVersionOf } from './resources.js';
import { schemaFor, definitions, definitionNameFor, resolveSchema, unknownFields, duplicateFields, type JSONSchema } from './schema.js';

describe('generated schemas', () => {
  test('every served kind and its list have a definition named as Kubernetes names it', () => {
    for (const info of RESOURCES) {
      const av = apiVersionOf(info);
      const name = definitionNameFor(av, info.kind);
      assert.ok(name, `${av} ${info.kind}`);
      assert.match(name, new RegExp(`\\.${info.version}\\.${info.kind}$`));
      // Reviews are never listed: Kubernetes has no TokenReviewList either.
      if (!info.virtual) assert.ok(schemaFor(av, `${info.kind}List`), `${av} ${info.kind}List`);
    }
    assert.equal(definitionNameFor('v1', 'Pod'), 'io.k8s.api.core.v1.Pod');
    assert.equal(definitionNameFor('rbac.authorization.k8s.io/v1', 'Role'), 'io.k8s.api.rbac.v1.Role');
  });

  test('top-level kinds carry x-kubernetes-group-version-kind; descriptions come from the doc comments', () => {
    const pod = schemaFor('v1', 'Pod') as JSONSchema;
    assert.deepEqual(pod['x-kubernetes-group-version-kind'], [{ group: '', kind: 'Pod', version: 'v1' }]);
    assert.match(pod.description ?? '', /collection of containers/);
    const spec = resolveSchema(pod.properties?.['spec'] as JSONSchema);
    assert.ok(spec.properties?.['containers']?.description);
    assert.deepEqual(spec.required, ['containers']);
  });

  test('meta types, Time, Quantity and IntOrString have the Kubernetes shapes', () => {
    const defs = definitions();
    assert.ok(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']?.properties?.['labels']);
    assert.deepEqual(
      { type: defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']?.type, format: defs['io.k8s.apimachinery.pkg.apis.meta.v1.Time']?.format },
      { type: 'string', format: 'date-time' },
    );
    assert.equal(defs['io.k8s.apimachinery.pkg.api.resource.Quantity']?.type, 'string');
    assert.equal(defs['io.k8s.apimachinery.pkg.util.intstr.IntOrString']?.['x-kubernetes-int-or-string'], true);
    const rollingUpdate = defs['io.k8s.api.apps.v1.RollingUpdateDeployment'];
    assert.equal(rollingUpdate?.properties?.['maxSurge']?.$ref, '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  });
});

describe('unknownFields', () => {
  test('a valid object has none', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web', labels: { 'app.kubernetes.io/name': 'web', anything: 'goes' }, annotations: { x: 'y' } },
      spec: {
        containers: [{ name: 'c', image: 'nginx', ports: [{ containerPort: 80 }], resources: { limits: { cpu: '1', memory: 1024 } } }],
      },
    };
    assert.deepEqual(unknownFields('v1', 'Pod', pod), []);
  });

  test('reports unknown fields with their paths, in nested objects and list items', () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      bogus: true,
      metadata: { name: 'web', nmae: 'typo' },
      spec: {
        foo: 1,
        containers: [
          { name: 'a', image: 'x' },
          { name: 'b', imagee: 'x', ports: [{ containerPort: 1, hostPrt: 2 }] },
        ],
      },
    };
    assert.deepEqual(unknownFields('v1', 'Pod', pod), [
      'bogus',
      'metadata.nmae',
      'spec.foo',
      'spec.containers[1].imagee',
      'spec.containers[1].ports[0].hostPrt',
    ]);
  });

  test('IntOrString accepts numbers and strings without descending', () => {
    const deploy = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'd' },
      spec: {
        selector: { matchLabels: { app: 'd' } },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
        template: { metadata: { labels: { app: 'd' } }, spec: { containers: [{ name: 'c', image: 'i' }] } },
      },
    };
    assert.deepEqual(unknownFields('apps/v1', 'Deployment', deploy), []);
    const svc = { apiVersion: 'v1', kind: 'Service', spec: { ports: [{ port: 80, targetPort: 'http', extra: 1 }] } };
    assert.deepEqual(unknownFields('v1', 'Service', svc), ['spec.ports[0].extra']);
  });

  test('free-form fields (RawExtension, managedFields.fieldsV1) accept anything', () => {
    const rev = { apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name: 'r' }, revision: 1, data: { spec: { whatever: { deep: 1 } } } };
    assert.deepEqual(unknownFields('apps/v1', 'ControllerRevision', rev), []);
    const cm = {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'c', managedFields: [{ manager: 'kubectl', fieldsV1: { 'f:data': { 'f:a': {} } } }] },
      data: { a: 'b' },
    };
    assert.deepEqual(unknownFields('v1', 'ConfigMap', cm), []);
  });

  test('maps of objects check their values', () => {
    const pvc = {
      apiVersion: 'v1',
      kind: 'PersistentVolumeClaim',
      spec: { resources: { requests: { storage: '1Gi' } } },
      status: { conditions: [{ type: 'Resizing', status: 'True', oops: 1 }] },
    };
    assert.deepEqual(unknownFields('v1', 'PersistentVolumeClaim', pvc), ['status.conditions[0].oops']);
  });

  test('an unknown kind reports nothing', () => {
    assert.deepEqual(unknownFields('example.com/v1', 'Widget', { anything: 1 }), []);
  });
});

describe('duplicateFields', () => {
  test('finds repeated keys at any depth', () => {
    assert.deepEqual(duplicateFields('{"metadata":{"name":"a","name":"b"},"spec":{"containers":[{"name":"x","image":"i","image":"j"}]}}'), [
      'metadata.name',
      'spec.containers[0].image',
    ]);
  });

  test('no duplicates, escaped strings and non-JSON input', () => {
    assert.deepEqual(duplicateFields('{"a":"x\\"y","b":[1,2,{"c":null}],"d":{}}'), []);
    assert.deepEqual(duplicateFields('not json'), []);
  });
});
