import { test } from 'node:test';
import assert from 'node:assert/strict';
import { KeyedBackoff, formatDuration } from './backoff.js';

function clock(start = 1_000_000) {
  const c = { t: start, now: () => c.t };
  return c;
}

test('first failure goes at once, then the wait doubles up to the maximum', () => {
  const c = clock();
  const b = new KeyedBackoff(10_000, 40_000, c);
  assert.equal(b.remainingSince('k', c.t), 0);
  assert.equal(b.next('k', c.t), 10_000);
  c.t += 1_000;
  assert.equal(b.remainingSince('k', c.t), 10_000, 'a crash now waits the full backoff');
  c.t += 10_000;
  assert.equal(b.remainingSince('k', c.t - 10_000), 0);
  assert.equal(b.next('k', c.t), 20_000);
  assert.equal(b.next('k', c.t), 40_000);
  assert.equal(b.next('k', c.t), 40_000, 'capped');
});

test('an entry older than twice the maximum starts over (a container that ran long enough)', () => {
  const c = clock();
  const b = new KeyedBackoff(10_000, 300_000, c);
  b.next('k', c.t);
  b.next('k', c.t);
  assert.equal(b.get('k'), 20_000);
  c.t += 600_001;
  assert.equal(b.remainingSince('k', c.t), 0);
  assert.equal(b.next('k', c.t), 10_000);
});

test('remainingSinceUpdate counts from the last retry; reset and prefixes forget', () => {
  const c = clock();
  const b = new KeyedBackoff(1_000, 8_000, c);
  b.next('pod-1/img');
  c.t += 400;
  assert.equal(b.remainingSinceUpdate('pod-1/img'), 600);
  b.next('pod-2/img');
  b.resetPrefix('pod-1/');
  assert.equal(b.remainingSinceUpdate('pod-1/img'), 0);
  assert.ok(b.remainingSinceUpdate('pod-2/img') > 0);
});

test('durations print as Go does', () => {
  assert.equal(formatDuration(10_000), '10s');
  assert.equal(formatDuration(160_000), '2m40s');
  assert.equal(formatDuration(300_000), '5m0s');
  assert.equal(formatDuration(500), '500ms');
  assert.equal(formatDuration(3_600_000), '1h0m0s');
});
