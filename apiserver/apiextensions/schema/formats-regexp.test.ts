import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { K8S_STRING_FORMATS, supportedStringFormat } from './formats.js';
import { compileRE2, re2Error, translateRE2 } from './regexp.js';

const check = (format: string, s: string): boolean => K8S_STRING_FORMATS[supportedStringFormat(format)!]!(s);

describe('Kubernetes string formats', () => {
  test('names are normalized like go-openapi (dashes removed); unknown ones are unsupported', () => {
    assert.equal(supportedStringFormat('date-time'), 'datetime');
    assert.equal(supportedStringFormat('int32'), undefined);
    assert.equal(supportedStringFormat('k8s-whatever'), undefined);
  });
  const cases: [string, string[], string[]][] = [
    ['date-time', ['2024-01-02T03:04:05Z', '2024-01-02T03:04:05.123+02:00', '2024-01-02 03:04:05'], ['2024-13-02T03:04:05Z', 'yesterday']],
    ['date', ['2024-02-29'], ['2023-02-29', '2024-1-1']],
    ['uuid', ['123e4567-e89b-12d3-a456-426614174000', '123E4567E89B12D3A456426614174000'], ['123e4567']],
    ['uuid4', ['123e4567-e89b-42d3-a456-426614174000'], ['123e4567-e89b-12d3-a456-426614174000']],
    ['ipv4', ['10.0.0.1'], ['10.0.0.256', '010.0.0.1', '::1']],
    ['ipv6', ['::1', 'fe80::1'], ['10.0.0.1']],
    ['cidr', ['10.0.0.0/8', 'fd00::/64'], ['10.0.0.0/33', '10.0.0.0']],
    ['mac', ['00:1a:2b:3c:4d:5e', '00-1A-2B-3C-4D-5E'], ['00:1a:2b:3c:4d']],
    ['hostname', ['example.com', 'a-b.c'], ['-bad.com', 'a'.repeat(64)]],
    ['email', ['ops@example.com', 'Ops <ops@example.com>'], ['nobody']],
    ['byte', ['aGVsbG8=', ''], ['not base64!']],
    ['duration', ['1h30m', '500ms', '3 days'], ['soon']],
    ['hexcolor', ['#fff', 'A0B1C2'], ['#ffff']],
    ['creditcard', ['4111 1111 1111 1111'], ['4111 1111 1111 1112']],
    ['isbn', ['0306406152', '978-0-306-40615-7'], ['0306406153']],
  ];
  for (const [format, good, bad] of cases) {
    test(format, () => {
      for (const s of good) assert.equal(check(format, s), true, `${format} should accept ${s}`);
      for (const s of bad) assert.equal(check(format, s), false, `${format} should reject ${s}`);
    });
  }
});

describe('RE2 patterns', () => {
  test('inline flags, \\A and \\z, POSIX classes, \\pL, named groups', () => {
    assert.deepEqual(translateRE2('(?i)^abc$'), { source: '^abc$', flags: 'i' });
    assert.equal(translateRE2('\\Aab\\z').source, '^ab$');
    assert.equal(translateRE2('^[[:alpha:][:digit:]]+$').source, '^[A-Za-z0-9]+$');
    assert.equal(translateRE2('\\pL').source, '\\p{L}');
    assert.equal(translateRE2('(?P<x>a)').source, '(?<x>a)');
    assert.equal(translateRE2('a\\\\z').source, 'a\\\\z');
  });
  test('escaped punctuation that u mode rejects still compiles', () => assert.ok(compileRE2('^a\\-b\\_c$').test('a-b_c')));
  test('unicode-aware when possible', () => assert.ok(compileRE2('^.$').test('é')));
  test('errors read like Go regexp errors', () => {
    assert.equal(re2Error('^a+$'), undefined);
    assert.match(re2Error('(')!, /^error parsing regexp: /);
  });
});
