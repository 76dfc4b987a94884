import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isQualifiedName,
  isRelaxedEnvVarName,
  isValidIP,
  isValidLabelValue,
  isValidPortName,
  isValidPortNum,
  nameIsDNSSubdomain,
  nameIsPathSegment,
} from './names.js';

const valid = (errs: string[]): boolean => errs.length === 0;

describe('format checks', () => {
  const table: [string, (v: string) => string[], string, boolean][] = [
    ['subdomain', isDNS1123Subdomain, 'example.com', true],
    ['subdomain', isDNS1123Subdomain, 'Foo_', false],
    ['subdomain', isDNS1123Subdomain, 'a'.repeat(254), false],
    ['label', isDNS1123Label, 'my-name', true],
    ['label', isDNS1123Label, '123-abc', true],
    ['label', isDNS1123Label, 'a.b', false],
    ['label', isDNS1123Label, '-a', false],
    ['dns1035', isDNS1035Label, 'web', true],
    ['dns1035', isDNS1035Label, '1web', false],
    ['qualified', isQualifiedName, 'app', true],
    ['qualified', isQualifiedName, 'example.com/My_Name', true],
    ['qualified', isQualifiedName, '/x', false],
    ['qualified', isQualifiedName, 'a/b/c', false],
    ['qualified', isQualifiedName, 'x'.repeat(64), false],
    ['label value', isValidLabelValue, '', true],
    ['label value', isValidLabelValue, 'v1.2_3', true],
    ['label value', isValidLabelValue, 'bad value', false],
    ['label value', isValidLabelValue, 'x'.repeat(64), false],
    ['config key', isConfigMapKey, 'app.properties', true],
    ['config key', isConfigMapKey, 'a/b', false],
    ['config key', isConfigMapKey, '..x', false],
    ['env', isRelaxedEnvVarName, 'MY VAR-1', true],
    ['env', isRelaxedEnvVarName, 'A=B', false],
    ['port name', isValidPortName, 'http', true],
    ['port name', isValidPortName, 'http-metrics-ab', true],
    ['port name', isValidPortName, 'http-metrics-abc', false],
    ['port name', isValidPortName, '80', false],
    ['port name', isValidPortName, 'a--b', false],
  ];
  for (const [what, fn, value, ok] of table)
    test(`${what}: ${JSON.stringify(value.length > 20 ? `${value.slice(0, 8)}…` : value)} is ${ok ? 'valid' : 'invalid'}`, () => assert.equal(valid(fn(value)), ok));

  test('ports and IPs', () => {
    assert.deepEqual(isValidPortNum(80), []);
    assert.deepEqual(isValidPortNum(0), ['must be between 1 and 65535, inclusive']);
    assert.equal(isValidIP('10.0.0.1'), true);
    assert.equal(isValidIP('::1'), true);
    assert.equal(isValidIP('2001:db8::ffff'), true);
    assert.equal(isValidIP('10.0.0.256'), false);
    assert.equal(isValidIP('1:2:3'), false);
  });
});

describe('exact k8s messages', () => {
  test('subdomain regex error', () => {
    assert.deepEqual(isDNS1123Subdomain('Foo_'), [
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
    ]);
  });
  test('label regex error keeps the double space between examples', () => {
    assert.deepEqual(isDNS1123Label('Bad'), [
      "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
  test('label with dots', () => assert.deepEqual(isDNS1123Label('a.b'), ['must not contain dots']));
  test('too long', () => assert.equal(isDNS1123Subdomain('a'.repeat(254))[0], 'must be no more than 253 characters'));
  test('qualified name prefix', () => assert.deepEqual(isQualifiedName('/x'), ['prefix part must be non-empty']));
});

describe('name validators', () => {
  test('generateName may end with a dash', () => {
    assert.deepEqual(nameIsDNSSubdomain('web-', true), []);
    assert.notDeepEqual(nameIsDNSSubdomain('web-', false), []);
  });
  test('RBAC path segment names', () => {
    assert.deepEqual(nameIsPathSegment('system:controller:x', false), []);
    assert.deepEqual(nameIsPathSegment('..', false), ["may not be '..'"]);
    assert.deepEqual(nameIsPathSegment('a/b', false), ["may not contain '/'"]);
  });
});
