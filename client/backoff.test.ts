import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.js';

test('backoff doubles to the cap and resets after a quiet period', () => {
  let now = 0;
  const b = new Backoff({ initialMs: 800, maxMs: 30_000, resetAfterMs: 60_000 }, { now: () => now });
  const seq = Array.from({ length: 8 }, () => b.next());
  assert.deepEqual(seq, [800, 1600, 3200, 6400, 12800, 25600, 30000, 30000]);
  now += 60_001;
  assert.equal(b.next(), 800);
});

test('jitter adds up to jitter × delay', () => {
  const b = new Backoff({ initialMs: 100, maxMs: 1000, resetAfterMs: 1e9, jitter: 1 }, undefined, () => 0.5);
  assert.equal(b.next(), 150);
  assert.equal(b.next(), 300);
});
