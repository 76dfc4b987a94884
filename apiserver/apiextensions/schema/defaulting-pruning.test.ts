import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, type JSONSchemaProps } from './index.js';
import { benchObject20, benchSchema20 } from './fixtures.js';

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        size: { type: 'string', default: 'M' },
        strategy: { type: 'object', default: {}, properties: { type: { type: 'string', default: 'RollingUpdate' }, surge: { type: 'integer' } } },
        ports: { type: 'array', items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string', default: 'TCP' } } } },
        limits: { type: 'object', additionalProperties: { type: 'object', properties: { max: { type: 'integer', default: 10 } } } },
        optional: { type: 'object', properties: { inner: { type: 'string', default: 'x' } } },
        note: { type: 'string', nullable: true, default: 'n' },
        gone: { type: 'string' },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'object', properties: { a: { type: 'string' } } } } },
        tmpl: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { spec: { type: 'object', properties: { a: { type: 'string' } } } } },
        any: { type: 'object', additionalProperties: true },
      },
    },
  },
};
const c = compileSchema(schema);

describe('defaulting', () => {
  test('defaults apply top-down, inside defaulted objects, array items and map values', () => {
    const obj: Record<string, unknown> = { spec: { ports: [{ port: 80 }, { port: 53, protocol: 'UDP' }], limits: { a: {}, b: { max: 3 } } } };
    c.applyDefaults(obj);
    assert.deepEqual(obj['spec'], {
      size: 'M',
      strategy: { type: 'RollingUpdate' },
      ports: [{ port: 80, protocol: 'TCP' }, { port: 53, protocol: 'UDP' }],
      limits: { a: { max: 10 }, b: { max: 3 } },
      note: 'n',
    });
  });
  test('only where the parent exists', () => {
    const obj: Record<string, unknown> = { metadata: { name: 'x' } };
    c.applyDefaults(obj);
    assert.deepEqual(obj, { metadata: { name: 'x' } });
  });
  test('a null in a non-nullable field is defaulted, or dropped without a default; nullable nulls stay', () => {
    const obj: Record<string, unknown> = { spec: { size: null, gone: null, note: null } };
    c.applyDefaults(obj);
    const spec = obj['spec'] as Record<string, unknown>;
    assert.equal(spec['size'], 'M');
    assert.equal(Object.hasOwn(spec, 'gone'), false);
    assert.equal(spec['note'], null);
  });
  test('defaults are copies', () => {
    const a: Record<string, unknown> = { spec: {} };
    const b: Record<string, unknown> = { spec: {} };
    c.applyDefaults(a);
    c.applyDefaults(b);
    ((a['spec'] as Record<string, Record<string, unknown>>)['strategy']!)['type'] = 'changed';
    assert.equal((b['spec'] as Record<string, Record<string, unknown>>)['strategy']!['type'], 'RollingUpdate');
  });
});

describe('pruning', () => {
  test('unknown fields are dropped and reported; apiVersion, kind and standard metadata stay', () => {
    const obj: Record<string, unknown> = {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: { a: 'b' }, annotations: { x: 'y' }, bogus: 1 },
      spec: { size: 'S', extra: 1, ports: [{ port: 1, what: true }], limits: { a: { max: 1, min: 0 } } },
      top: 'level',
    };
    const unknown = c.prune(obj);
    assert.deepEqual(unknown, ['metadata.bogus', 'spec.extra', 'spec.limits.a.min', 'spec.ports[0].what', 'top']);
    assert.deepEqual(obj, {
      apiVersion: 'example.com/v1',
      kind: 'Widget',
      metadata: { name: 'w', labels: { a: 'b' }, annotations: { x: 'y' } },
      spec: { size: 'S', ports: [{ port: 1 }], limits: { a: { max: 1 } } },
    });
  });
  test('x-kubernetes-preserve-unknown-fields keeps unknown fields but prunes specified ones', () => {
    const obj: Record<string, unknown> = { spec: { free: { anything: { deep: [1, { x: 2 }] }, known: { a: 'x', b: 'y' } } } };
    assert.deepEqual(c.prune(obj), ['spec.free.known.b']);
    assert.deepEqual(obj, { spec: { free: { anything: { deep: [1, { x: 2 }] }, known: { a: 'x' } } } });
  });
  test('embedded resources keep apiVersion, kind and metadata', () => {
    const obj: Record<string, unknown> = { spec: { tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', odd: 1 }, spec: { a: 'x', b: 'y' }, other: 1 } } };
    assert.deepEqual(c.prune(obj), ['spec.tmpl.metadata.odd', 'spec.tmpl.other', 'spec.tmpl.spec.b']);
    assert.deepEqual(obj, { spec: { tmpl: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { a: 'x' } } } });
  });
  test('additionalProperties: true keeps keys (upstream prunes inside their objects)', () => {
    const obj: Record<string, unknown> = { spec: { any: { a: 1, b: { c: 2 } } } };
    c.prune(obj);
    assert.deepEqual(obj, { spec: { any: { a: 1, b: {} } } });
  });
});

describe('the 20-field fixture', () => {
  const s = benchSchema20();
  const b = compileSchema(s);
  test('its object is valid, prunes nothing and defaults nothing it already sets', () => {
    const o = benchObject20('w1');
    assert.deepEqual(b.prune(o), []);
    b.applyDefaults(o);
    assert.deepEqual(o, benchObject20('w1'));
    assert.deepEqual(b.validate(o), []);
  });
  test('violations in many fields are all reported', () => {
    const o = benchObject20('w1');
    Object.assign(o['spec'] as object, { name: 'Bad_Name', replicas: 5000, size: 'XXL', weight: 2, owner: 'nobody', uid: 'nope', tags: 'x' });
    const fields = b.validate(o).map((e) => e.field).sort();
    assert.deepEqual(fields, ['spec.name', 'spec.owner', 'spec.replicas', 'spec.size', 'spec.tags', 'spec.uid', 'spec.weight']);
  });
});

describe('data keys that name Object.prototype members', () => {
  test('are unknown fields like any other', () => {
    const obj = JSON.parse('{"spec":{"constructor":{"a":1},"toString":"x","size":"S"}}') as Record<string, unknown>;
    assert.deepEqual(c.prune(obj), ['spec.constructor', 'spec.toString']);
    c.applyDefaults(obj);
    assert.equal((obj['spec'] as Record<string, unknown>)['size'], 'S');
    assert.equal(Object.hasOwn(obj['spec'] as object, 'constructor'), false);
  });
});
