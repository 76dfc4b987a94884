import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Path } from '../../../api/validation/field.js';
import { validateStructuralSchema, type JSONSchemaProps } from './index.js';
import { benchSchema20 } from './fixtures.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const root = Path.root('spec').child('versions').index(0).child('schema', 'openAPIV3Schema');
const check = (s: JSONSchemaProps, opts = {}): string[] => validateStructuralSchema(s, root, opts).map((e) => `${e.field}: ${e.message}`);
const obj = (properties: Record<string, JSONSchemaProps>, extra: JSONSchemaProps = {}): JSONSchemaProps => ({ type: 'object', properties, ...extra });

describe('structural schema: types', () => {
  test('the 20-field fixture is structural', () => assert.deepEqual(check(benchSchema20()), []));
  test('every specified field needs a type', () => {
    const errs = validateStructuralSchema(obj({ spec: { properties: { a: { type: 'string' } } } }), root);
    assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), [`${P}.properties[spec].type: Required value: must not be empty for specified object fields`]);
    assert.equal(errs[0]!.reason, 'FieldValueRequired');
  });
  test('root type', () => {
    assert.deepEqual(check({ properties: { a: { type: 'string' } } }), [`${P}.type: Required value: must not be empty at the root`]);
    assert.deepEqual(check({ type: 'string' }), [`${P}.type: Invalid value: "string": must be object at the root`]);
  });
  test('arrays need items, and items a type', () => {
    assert.deepEqual(check(obj({ a: { type: 'array' } })), [`${P}.properties[a].items: Required value: must be specified`]);
    assert.deepEqual(check(obj({ a: { type: 'array', items: { maxLength: 3 } } })), [`${P}.properties[a].items.type: Required value: must not be empty for specified array items`]);
  });
  test('int-or-string and preserve-unknown-fields need no type', () => {
    assert.deepEqual(check(obj({ a: { 'x-kubernetes-int-or-string': true }, b: { 'x-kubernetes-preserve-unknown-fields': true } })), []);
    assert.deepEqual(check(obj({ a: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } })), []);
    assert.deepEqual(check(obj({ a: { 'x-kubernetes-int-or-string': true, allOf: [{ anyOf: [{ type: 'integer' }, { type: 'string' }] }, { pattern: '^[0-9]+%?$' }] } })), []);
    assert.deepEqual(check(obj({ a: { 'x-kubernetes-int-or-string': true, 'x-kubernetes-preserve-unknown-fields': true } })), [
      `${P}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: true: must be false if x-kubernetes-int-or-string is true`,
    ]);
    assert.deepEqual(check(obj({ a: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'boolean' }] } })), [
      `${P}.properties[a].anyOf[0].type: Forbidden: must be empty to be structural`,
      `${P}.properties[a].anyOf[1].type: Forbidden: must be empty to be structural`,
    ]);
  });
  test('types must be OpenAPI v3 types; null is not one', () => {
    assert.deepEqual(check(obj({ a: { type: 'null' } })), [
      `${P}.properties[a].type: Unsupported value: "null": supported values: "array", "boolean", "integer", "number", "object", "string"`,
      `${P}.properties[a].type: Forbidden: type cannot be set to null, use nullable as an alternative`,
    ]);
  });
});

describe('structural schema: objects and junctors', () => {
  test('properties and additionalProperties are mutually exclusive', () =>
    assert.deepEqual(check(obj({ m: { type: 'object', properties: { a: { type: 'string' } }, additionalProperties: { type: 'string' } } })), [
      `${P}.properties[m].additionalProperties: Forbidden: additionalProperties and properties are mutual exclusive`,
    ]));
  test('additionalProperties not at the root', () =>
    assert.deepEqual(check({ type: 'object', additionalProperties: { type: 'string' } }), [`${P}.additionalProperties: Forbidden: must not be used at the root`]));
  test('junctors only validate values', () => {
    const s = obj({
      a: { type: 'string', allOf: [{ type: 'string', default: 'x' }], oneOf: [{ description: 'd', nullable: true }], not: { 'x-kubernetes-preserve-unknown-fields': true } },
    });
    assert.deepEqual(check(s), [
      `${P}.properties[a].allOf[0].default: Forbidden: must be undefined to be structural`,
      `${P}.properties[a].allOf[0].type: Forbidden: must be empty to be structural`,
      `${P}.properties[a].not.x-kubernetes-preserve-unknown-fields: Forbidden: must be false to be structural`,
      `${P}.properties[a].oneOf[0].description: Forbidden: must be empty to be structural`,
      `${P}.properties[a].oneOf[0].nullable: Forbidden: must be false to be structural`,
    ]);
  });
  test('fields named in junctors must be specified outside them', () => {
    const s = obj({ a: { type: 'string' } }, { anyOf: [{ properties: { b: { maxLength: 3 } } }, { required: ['a'] }] });
    assert.deepEqual(check(s), [`${P}.properties[b]: Required value: because it is defined in ${P}.anyOf[0].properties[b]`]);
  });
  test('metadata is not specified in a nested context', () =>
    assert.ok(check(obj({ a: { type: 'object', anyOf: [{ properties: { metadata: {} } }] } })).includes(`${P}.properties[a].anyOf[0].properties[metadata]: Forbidden: must not be specified in a nested context`)));
  test('patterns must compile', () =>
    assert.match(check(obj({ a: { type: 'string', pattern: '([a-z' } }))[0]!, /properties\[a\]\.pattern: Invalid value: "\(\[a-z": must be a valid regular expression, but isn't: error parsing regexp: /));
});

describe('structural schema: metadata', () => {
  test('root metadata may restrict name and generateName only', () => {
    assert.deepEqual(check(obj({ metadata: { type: 'object', properties: { name: { type: 'string', maxLength: 10 }, generateName: { type: 'string' } } } })), []);
    assert.deepEqual(check(obj({ metadata: { type: 'object', properties: { labels: { type: 'object' } } } })), [
      `${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`,
    ]);
    assert.deepEqual(check(obj({ metadata: { type: 'string' } })), [`${P}.properties[metadata].type: Invalid value: "string": must be object`]);
  });
  test('no defaults in top-level metadata, apiVersion or kind', () => {
    assert.deepEqual(check(obj({ metadata: { type: 'object', properties: { name: { type: 'string', default: 'x' } } } })), [
      `${P}.properties[metadata].properties[name].default: Forbidden: must not be set in top-level metadata`,
    ]);
    assert.deepEqual(check(obj({ kind: { type: 'string', default: 'K' } })), [`${P}.properties[kind].default: Forbidden: must not be set in top-level kind`]);
  });
  test('embedded resources are objects with apiVersion/kind strings', () => {
    assert.deepEqual(check(obj({ e: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true } })), []);
    assert.deepEqual(check(obj({ e: { type: 'object', 'x-kubernetes-embedded-resource': true } })), [
      `${P}.properties[e].properties: Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields`,
    ]);
    assert.deepEqual(check(obj({ e: { type: 'object', 'x-kubernetes-embedded-resource': true, properties: { kind: { type: 'integer' } } } })), [
      `${P}.properties[e].properties[kind].type: Invalid value: "integer": must be string`,
    ]);
  });
});

describe('structural schema: defaults', () => {
  test('defaults must validate', () => {
    const errs = validateStructuralSchema(obj({ spec: obj({ n: { type: 'integer', maximum: 5, default: 'x' }, m: { type: 'integer', maximum: 5, default: 9 } }) }), root);
    assert.deepEqual(errs.map((e) => `${e.field}: ${e.message}`), [
      `${P}.properties[spec].properties[n].default: Invalid value: "string":  in body must be of type integer: "string"`,
      `${P}.properties[spec].properties[m].default: Invalid value: 9:  in body should be less than or equal to 5`,
    ]);
  });
  test('object defaults are validated field by field', () =>
    assert.deepEqual(check(obj({ spec: obj({ a: { type: 'string', enum: ['x'] } }, { default: { a: 'y' } }) })), [
      `${P}.properties[spec].default.a: Unsupported value: "y": supported values: "x"`,
    ]));
  test('defaults must be pruned', () =>
    assert.deepEqual(check(obj({ spec: obj({ a: { type: 'string' } }, { default: { a: 'x', b: 1 } }) })), [
      `${P}.properties[spec].default: Invalid value: map[string]interface {}{"a":"x", "b":1}: must not have unknown fields`,
    ]));
  test('valid defaults pass, also in items', () =>
    assert.deepEqual(check(obj({ l: { type: 'array', items: obj({ p: { type: 'integer', default: 80 } }) }, s: { type: 'string', default: 'a' } })), []));
});

describe('OpenAPI rules', () => {
  test('forbidden keywords', () => {
    const s = obj({
      a: { type: 'array', items: { type: 'string' }, uniqueItems: true },
      b: { type: 'array', items: [{ type: 'string' }] },
      c: { $ref: '#/definitions/x' },
      d: { type: 'array', items: { type: 'string' }, additionalItems: false },
    });
    assert.deepEqual(check(s), [
      `${P}.properties[a].uniqueItems: Forbidden: uniqueItems cannot be set to true since the runtime complexity becomes quadratic`,
      `${P}.properties[b].items: Forbidden: items must be a schema object and not an array`,
      `${P}.properties[c].$ref: Forbidden: $ref is not supported`,
      `${P}.properties[d].additionalItems: Forbidden: additionalItems is not supported`,
    ]);
  });
  test('nullable at the root', () => assert.deepEqual(check({ type: 'object', nullable: true }), [`${P}.nullable: Forbidden: nullable cannot be true at the root`]));
  test('root keywords with a status subresource', () => {
    assert.deepEqual(check(obj({ spec: { type: 'object' } }), { statusSubresource: true }), []);
    const errs = check(obj({ spec: { type: 'object' } }, { anyOf: [{ required: ['spec'] }] }), { statusSubresource: true });
    assert.equal(errs.length, 1);
    assert.match(errs[0]!, /^spec\.versions\[0\]\.schema\.openAPIV3Schema: Invalid value: .*only \[Description Type .*\] fields are allowed at the root of the schema if the status subresource is enabled$/);
  });
  test('list types', () => {
    assert.deepEqual(check(obj({ l: { type: 'array', 'x-kubernetes-list-type': 'map', items: obj({ k: { type: 'string' } }, { required: ['k'] }), 'x-kubernetes-list-map-keys': ['k'] } })), []);
    assert.deepEqual(check(obj({ l: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'bag' } })), [
      `${P}.properties[l].x-kubernetes-list-type: Unsupported value: "bag": supported values: "atomic", "set", "map"`,
    ]);
  });
  test('a preserve-unknown-fields false is invalid, and reported only once', () =>
    assert.deepEqual(check(obj({ a: { type: 'object', 'x-kubernetes-preserve-unknown-fields': false } })), [
      `${P}.properties[a].x-kubernetes-preserve-unknown-fields: Invalid value: false: must be true or undefined`,
    ]));
});
