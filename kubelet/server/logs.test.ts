// The kubelet's /containerLogs query: PodLogOptions names, validated like the API does.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContainerLogQuery, toLogOptions } from './logs.js';

const parse = (q: string) => parseContainerLogQuery(new URLSearchParams(q));

test('defaults, booleans and numbers', () => {
  assert.deepEqual(parse(''), { follow: false, previous: false, timestamps: false });
  assert.deepEqual(parse('follow=true&previous=1&timestamps=true&tailLines=0&sinceSeconds=60&limitBytes=10'), {
    follow: true,
    previous: true,
    timestamps: true,
    tailLines: 0,
    sinceSeconds: 60,
    limitBytes: 10,
  });
  const since = parse('sinceTime=2024-05-01T10:00:00Z');
  assert.ok(typeof since !== 'string' && since.sinceTime?.toISOString() === '2024-05-01T10:00:00.000Z');
});

test('invalid values are refused with the field named', () => {
  assert.match(parse('tailLines=-1') as string, /^tailLines: Invalid value: -1: must be greater than or equal to 0$/);
  assert.match(parse('limitBytes=0') as string, /^limitBytes/);
  assert.match(parse('sinceSeconds=abc') as string, /must be an integer/);
  assert.match(parse('follow=yes') as string, /must be a boolean/);
  assert.match(parse('sinceTime=yesterday') as string, /RFC3339/);
  assert.equal(parse('sinceSeconds=5&sinceTime=2024-05-01T10:00:00Z'), 'at most one of `sinceTime` or `sinceSeconds` may be specified');
});

test('maps to the runtime\'s log options (previous and limitBytes are the server\'s business)', () => {
  const q = parse('follow=1&tailLines=3&timestamps=1&limitBytes=5');
  assert.ok(typeof q !== 'string');
  assert.deepEqual(toLogOptions(q), { follow: true, timestamps: true, tailLines: 3 });
});
