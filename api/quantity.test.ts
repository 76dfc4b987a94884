import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  QUANTITY_FORMAT_ERROR,
  compareQuantities,
  formatBytes,
  formatCpuMilli,
  formatQuantity,
  milliValue,
  parseBytes,
  parseCpuMilli,
  parseQuantity,
  quantityValue,
} from './quantity.js';

describe('parseQuantity', () => {
  const cases: [string, bigint][] = [
    ['500m', 500_000_000n],
    ['1', 1_000_000_000n],
    ['1.5', 1_500_000_000n],
    ['2e3', 2_000_000_000_000n],
    ['1E3', 1_000_000_000_000n],
    ['1k', 1_000_000_000_000n],
    ['1Ki', 1024n * 1_000_000_000n],
    ['1Gi', 1073741824n * 1_000_000_000n],
    ['1Ei', 1152921504606846976n * 1_000_000_000n],
    ['100n', 100n],
    ['1u', 1000n],
    ['.5', 500_000_000n],
    ['5.', 5_000_000_000n],
    ['+2', 2_000_000_000n],
    ['-1', -1_000_000_000n],
    ['0.1n', 1n], // finer than 1n rounds up
  ];
  for (const [input, nanos] of cases) test(`${input} → ${nanos} nanos`, () => assert.equal(parseQuantity(input).nanos, nanos));

  for (const bad of ['', 'abc', '1.2.3', '1Gb', '1 Gi', 'e3', '.', '1x'])
    test(`rejects ${JSON.stringify(bad)}`, () => assert.throws(() => parseQuantity(bad)));

  test('format error text is k8s', () => {
    assert.throws(() => parseQuantity('abc'), { message: QUANTITY_FORMAT_ERROR });
  });
});

describe('value helpers', () => {
  test('milli and whole values round up', () => {
    assert.equal(milliValue('500m'), 500);
    assert.equal(milliValue('0.1m'), 1);
    assert.equal(quantityValue('1500m'), 2);
    assert.equal(parseCpuMilli('2'), 2000);
    assert.equal(parseBytes('1Gi'), 1073741824);
    assert.equal(parseBytes('128M'), 128_000_000);
  });
  test('compare across suffix families', () => {
    assert.equal(compareQuantities(parseQuantity('1Ki'), parseQuantity('1k')), 1);
    assert.equal(compareQuantities(parseQuantity('1000m'), parseQuantity('1')), 0);
    assert.equal(compareQuantities(parseQuantity('1'), parseQuantity('2')), -1);
  });
});

describe('formatting', () => {
  const canonical: [string, string][] = [
    ['1.5', '1500m'],
    ['2000m', '2'],
    ['1000', '1k'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['0', '0'],
    ['0.5Ki', '512'],
    ['1e3', '1e3'],
  ];
  for (const [input, out] of canonical) test(`${input} canonicalizes to ${out}`, () => assert.equal(formatQuantity(parseQuantity(input)), out));
  test('formatCpuMilli', () => {
    assert.equal(formatCpuMilli(500), '500m');
    assert.equal(formatCpuMilli(2000), '2');
    assert.equal(formatCpuMilli(0), '0');
  });
  test('formatBytes', () => {
    assert.equal(formatBytes(1073741824), '1Gi');
    assert.equal(formatBytes(1536), '1536');
    assert.equal(formatBytes(3 * 1024 * 1024), '3Mi');
  });
});
