import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { toOpenAPIV2, toOpenAPIV3, type JSONSchemaProps } from './index.js';

type J = Record<string, any>; // JSON walked by tests

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['port', 'note'],
      description: 'the spec',
      properties: {
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        size: { type: 'string', enum: ['S', 'M'], default: 'M' },
        count: { type: 'integer', anyOf: [{ minimum: 1 }, { maximum: -1 }] },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { a: { type: 'string' } } },
        tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
        paused: { type: 'boolean', default: false, nullable: false },
      },
    },
  },
};

describe('OpenAPI v3', () => {
  const v3 = toOpenAPIV3(schema) as J;
  test('apiVersion, kind and metadata are added at the root', () => {
    assert.equal(v3.properties.metadata.$ref, '#/components/schemas/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta');
    assert.equal(v3.properties.apiVersion.type, 'string');
    assert.equal(v3.properties.kind.type, 'string');
  });
  test('int-or-string is unfolded into its anyOf', () =>
    assert.deepEqual(v3.properties.spec.properties.port, { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] }));
  test('nullable, junctors, defaults and descriptions are kept; zero values are omitted', () => {
    const spec = v3.properties.spec;
    assert.equal(spec.description, 'the spec');
    assert.equal(spec.properties.note.nullable, true);
    assert.deepEqual(spec.properties.count.anyOf, [{ minimum: 1 }, { maximum: -1 }]);
    assert.deepEqual(spec.properties.paused, { type: 'boolean', default: false });
    assert.equal(spec.properties.size.default, 'M');
  });
  test('embedded resources get apiVersion, kind and metadata', () => {
    const tmpl = v3.properties.spec.properties.tmpl;
    assert.deepEqual(Object.keys(tmpl.properties).sort(), ['apiVersion', 'kind', 'metadata']);
    assert.deepEqual(tmpl.required, ['kind', 'apiVersion']);
  });
  test('the input schema is not modified', () => assert.equal(schema.properties!['spec']!.properties!['port']!.anyOf, undefined));
});

describe('OpenAPI v2', () => {
  const v2 = toOpenAPIV2(schema) as J;
  const spec = v2.properties.spec;
  test('refs under definitions', () => assert.equal(v2.properties.metadata.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
  test('junctors are dropped; int-or-string keeps only its extension', () => {
    assert.deepEqual(spec.properties.port, { 'x-kubernetes-int-or-string': true });
    assert.equal(spec.properties.count.anyOf, undefined);
  });
  test('nullable fields lose their type and leave required', () => {
    assert.deepEqual(spec.properties.note, {});
    assert.deepEqual(spec.required, ['port']);
  });
  test('preserve-unknown-fields objects lose type and properties; no embedded meta then', () => {
    assert.deepEqual(spec.properties.free, { 'x-kubernetes-preserve-unknown-fields': true });
    assert.deepEqual(spec.properties.tmpl, { 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true });
  });
  test('defaults are pruned', () => assert.equal(spec.properties.size.default, undefined));
  test('a root that preserves unknown fields is a bare object', () =>
    assert.deepEqual(toOpenAPIV2({ type: 'object', 'x-kubernetes-preserve-unknown-fields': true }), { type: 'object' }));
});
