import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { compileSchema, type JSONSchemaProps } from './index.js';

const lines = (errs: { field: string; message: string }[]): string[] => errs.map((e) => `${e.field}: ${e.message}`);

function cr(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'default' }, spec, ...extra };
}

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 2, maxLength: 5, pattern: '^[a-z]+$' },
        replicas: { type: 'integer', format: 'int32' },
        count: { type: 'integer', maximum: 100, minimum: 1 },
        ratio: { type: 'number', maximum: 1, exclusiveMaximum: true, exclusiveMinimum: true, minimum: 0 },
        size: { type: 'string', enum: ['S', 'M'] },
        port: { 'x-kubernetes-int-or-string': true },
        note: { type: 'string', nullable: true },
        tags: { type: 'array', items: { type: 'string' }, minItems: 1, maxItems: 2 },
        ports: { type: 'array', items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' } } } },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        when: { type: 'string', format: 'date-time' },
        ip: { type: 'string', format: 'ipv4' },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
        odd: { type: 'string', format: 'no-such-format' },
      },
    },
  },
};
const c = compileSchema(schema);

describe('custom resource validation', () => {
  test('a valid object has no errors', () => {
    const ok = cr({ name: 'abc', replicas: 3, count: 100, ratio: 0.5, size: 'M', port: 'http', note: null, tags: ['a'], ports: [{ port: 80 }], labels: { a: 'b' }, when: '2024-01-02T03:04:05Z', ip: '10.0.0.1', free: { any: { thing: 1 } }, odd: 'x' });
    assert.deepEqual(c.validate(ok), []);
  });
  test('cached per schema object', () => assert.equal(compileSchema(schema), c));
  test('type', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', replicas: 'string' }))), [
      'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    ]);
    assert.equal(c.validate(cr({ name: 'abc', replicas: 'x' }))[0]!.reason, 'FieldValueTypeInvalid');
  });
  test('enum', () =>
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', size: 'XL' }))), ['spec.size: Unsupported value: "XL": supported values: "S", "M"']));
  test('required', () => {
    const errs = c.validate(cr({}));
    assert.deepEqual(lines(errs), ['spec.name: Required value']);
    assert.equal(errs[0]!.reason, 'FieldValueRequired');
  });
  test('maximum and minimum', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', count: 200 }))), ['spec.count: Invalid value: 200: spec.count in body should be less than or equal to 100']);
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', count: 0 }))), ['spec.count: Invalid value: 0: spec.count in body should be greater than or equal to 1']);
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', ratio: 1 }))), ['spec.ratio: Invalid value: 1: spec.ratio in body should be less than 1']);
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', ratio: 0 }))), ['spec.ratio: Invalid value: 0: spec.ratio in body should be greater than 0']);
  });
  test('pattern, minLength, maxLength', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'AB' }))), [`spec.name: Invalid value: "AB": spec.name in body should match '^[a-z]+$'`]);
    assert.deepEqual(lines(c.validate(cr({ name: 'a' }))), ['spec.name: Invalid value: "a": spec.name in body should be at least 2 chars long']);
    const long = c.validate(cr({ name: 'abcdef' }));
    assert.deepEqual(lines(long), ['spec.name: Too long: may not be more than 5 bytes']);
    assert.equal(long[0]!.reason, 'FieldValueTooLong');
  });
  test('minItems, maxItems, maxProperties', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', tags: [] }))), ['spec.tags: Invalid value: 0: spec.tags in body should have at least 1 items']);
    const many = c.validate(cr({ name: 'abc', tags: ['a', 'b', 'c'] }));
    assert.deepEqual(lines(many), ['spec.tags: Too many: 3: must have at most 2 items']);
    assert.equal(many[0]!.reason, 'FieldValueTooMany');
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', labels: { a: '1', b: '2', c: '3' } }))), ['spec.labels: Too many: 3: must have at most 2 items']);
  });
  test('array items and map values are named like kube-openapi', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', ports: [{ port: 1 }, { port: 'x' }, {}], labels: { 'a.b': 5 } }))), [
      'spec.ports[1].port: Invalid value: "string": spec.ports[1].port in body must be of type integer: "string"',
      'spec.ports[2].port: Required value',
      'spec.labels.a.b: Invalid value: "integer": spec.labels.a.b in body must be of type string: "integer"',
    ]);
  });
  test('int-or-string and nullable', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', port: true }))), [
      'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    ]);
    assert.deepEqual(c.validate(cr({ name: 'abc', port: 8080 })), []);
    assert.deepEqual(lines(c.validate(cr({ name: null }))), ['spec.name: Invalid value: "null": spec.name in body must be of type string: "null"']);
  });
  test('formats Kubernetes supports are checked; others are ignored', () => {
    assert.deepEqual(lines(c.validate(cr({ name: 'abc', when: 'yesterday', ip: '300.1.1.1', odd: 'anything' }))), [
      'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
      'spec.ip: Invalid value: "300.1.1.1": spec.ip in body must be of type ipv4: "300.1.1.1"',
    ]);
  });
  test('every violation is reported, each with its path', () => {
    const errs = c.validate(cr({ replicas: 'x', size: 'XL', count: 101, tags: [] }));
    assert.deepEqual(errs.map((e) => e.field).sort(), ['spec.count', 'spec.name', 'spec.replicas', 'spec.size', 'spec.tags']);
  });
  test('metadata is validated only for name and generateName', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 3 } } } } };
    const v = compileSchema(s);
    assert.deepEqual(v.validate({ apiVersion: 'a/v1', kind: 'K', metadata: { name: 'abc', labels: { x: 'y' }, generation: 1 } }), []);
    assert.deepEqual(lines(v.validate({ apiVersion: 'a/v1', kind: 'K', metadata: { name: 'abcd' } })), ['metadata.name: Too long: may not be more than 3 bytes']);
  });
  test('RE2 patterns (inline flags, escaped punctuation)', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { a: { type: 'string', pattern: '(?i)^abc$' }, b: { type: 'string', pattern: '^[a-z]+\\-\\_x$' } } };
    const v = compileSchema(s);
    assert.deepEqual(v.validate({ a: 'ABC', b: 'ab-_x' }), []);
    assert.equal(v.validate({ a: 'abd', b: 'x' }).length, 2);
  });
});

describe('composite keywords', () => {
  test('anyOf reports itself and its closest branch', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: { spec: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, anyOf: [{ required: ['a'] }, { required: ['b'] }] } },
    };
    const v = compileSchema(s);
    assert.deepEqual(v.validate({ spec: { a: 'x' } }), []);
    assert.deepEqual(lines(v.validate({ spec: {} })), ['spec.a: Required value', '<nil>: Invalid value: "": "spec" must validate at least one schema (anyOf)']);
  });
  test('oneOf and not', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        spec: { type: 'object', properties: { a: { type: 'string' }, b: { type: 'string' } }, oneOf: [{ required: ['a'] }, { required: ['b'] }] },
        n: { type: 'integer', not: { enum: [13] } },
      },
    };
    const v = compileSchema(s);
    assert.deepEqual(lines(v.validate({ spec: { a: 'x', b: 'y' } })), ['<nil>: Invalid value: "": "spec" must validate one and only one schema (oneOf). Found 2 valid alternatives']);
    assert.deepEqual(lines(v.validate({ spec: { a: 'x' }, n: 13 })), ['<nil>: Invalid value: "": "n" must not validate the schema (not)']);
  });
  test('allOf adds its own line', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { n: { type: 'integer', allOf: [{ minimum: 1 }, { maximum: 5 }] } } };
    assert.deepEqual(lines(compileSchema(s).validate({ n: 9 })), [
      'n: Invalid value: 9: n in body should be less than or equal to 5',
      '<nil>: Invalid value: "": "n" must validate all the schemas (allOf)',
    ]);
  });
});

describe('schemas Kubernetes accepts loosely', () => {
  test('null skips the junctors (kube-openapi checks only type and enum)', () => {
    const s: JSONSchemaProps = { type: 'object', properties: { p: { 'x-kubernetes-int-or-string': true, nullable: true, anyOf: [{ type: 'integer' }, { type: 'string' }] } } };
    assert.deepEqual(compileSchema(s).validate({ p: null }), []);
    assert.deepEqual(lines(compileSchema(s).validate({ p: true })), [
      'p: Invalid value: "boolean": p in body must be of type integer,string: "boolean"',
      'p: Invalid value: "boolean": p in body must be of type integer: "boolean"',
      '<nil>: Invalid value: "": "p" must validate at least one schema (anyOf)',
    ]);
  });
  test('an empty enum constrains nothing', () => assert.deepEqual(compileSchema({ type: 'object', properties: { a: { type: 'string', enum: [] } } }).validate({ a: 'x' }), []));
});

describe('names of odd keys', () => {
  test('escaped property names, numeric map keys and items under junctors', () => {
    const s: JSONSchemaProps = {
      type: 'object',
      properties: {
        'a/b~c d%': { type: 'integer', anyOf: [{ minimum: 5 }, { maximum: 1 }] },
        m: { type: 'object', additionalProperties: { type: 'array', items: { type: 'integer', allOf: [{ minimum: 3 }] } } },
      },
    };
    assert.deepEqual(lines(compileSchema(s).validate({ 'a/b~c d%': 3, m: { '0': [1, 'x'] } })), [
      'a/b~c d%: Invalid value: 3: a/b~c d% in body should be greater than or equal to 5',
      '<nil>: Invalid value: "": "a/b~c d%" must validate at least one schema (anyOf)',
      'm.0[0]: Invalid value: 1: m.0[0] in body should be greater than or equal to 3',
      'm.0[1]: Invalid value: "string": m.0[1] in body must be of type integer: "string"',
      '<nil>: Invalid value: "": "m.0[0]" must validate all the schemas (allOf). None validated',
    ]);
  });
});

describe('list types', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: {
      tags: { type: 'array', 'x-kubernetes-list-type': 'set', items: { type: 'string' } },
      ports: {
        type: 'array',
        'x-kubernetes-list-type': 'map',
        'x-kubernetes-list-map-keys': ['port'],
        items: { type: 'object', required: ['port'], properties: { port: { type: 'integer' }, name: { type: 'string' } } },
      },
    },
  };
  test('repeated set items and map keys are duplicates', () =>
    assert.deepEqual(lines(compileSchema(s).validate({ tags: ['a', 'b', 'a', 'a'], ports: [{ port: 80 }, { port: 80, name: 'x' }] })), [
      'tags[2]: Duplicate value: "a"',
      'ports[1]: Duplicate value: map[string]interface {}{"port":80}',
    ]));
  test('unique lists pass', () => assert.deepEqual(compileSchema(s).validate({ tags: ['a', 'b'], ports: [{ port: 80 }, { port: 81 }] }), []));
});

describe('embedded resources', () => {
  const s: JSONSchemaProps = {
    type: 'object',
    properties: { spec: { type: 'object', properties: { template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } } } },
  };
  test('need apiVersion and kind; metadata is checked as ObjectMeta', () => {
    assert.deepEqual(lines(compileSchema(s).validate({ spec: { template: { metadata: { labels: { 'bad key!': 'x' } } } } })), [
      'spec.template.apiVersion: Required value',
      'spec.template.kind: Required value',
      `spec.template.metadata.labels: Invalid value: "bad key!": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')`,
    ]);
  });
  test('a complete embedded object passes', () =>
    assert.deepEqual(compileSchema(s).validate({ spec: { template: { apiVersion: 'v1', kind: 'Pod', metadata: { labels: { a: 'b' } }, spec: {} } } }), []));
  test('kind must be a DNS-1035 label in any case', () => {
    const got = lines(compileSchema(s).validate({ spec: { template: { apiVersion: 'a/b/c', kind: 'My_Kind' } } }));
    assert.equal(got.length, 2);
    assert.equal(got[0], 'spec.template.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c');
    assert.match(got[1]!, /^spec\.template\.kind: Invalid value: "My_Kind": may have mixed case, but should otherwise match: a DNS-1035 label must consist of/);
  });
});
