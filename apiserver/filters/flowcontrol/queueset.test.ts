// The QueueSet core: seats first, then the shortest queue of the flow's hand, 429 when that
// queue is full, freed seats handed round the queues so a light flow is not stuck behind a
// heavy one; plus the shuffle-sharding dealer and the nominal seat shares.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PRIORITY_LEVELS } from './bootstrap.js';
import { nominalLimits } from './controller.js';
import { QueueSet } from './queueset.js';
import { dealHand, flowHash } from './shuffle-shard.js';

test('a hand is handSize distinct queues, the same for the same flow', () => {
  const h = dealHand(flowHash('global-default/alice'), 128, 6);
  assert.equal(new Set(h).size, 6);
  assert.ok(h.every((i) => i >= 0 && i < 128));
  assert.deepEqual(dealHand(flowHash('global-default/alice'), 128, 6), h);
  assert.deepEqual(dealHand(5n, 3, 6).sort(), [0, 1, 2]);
});

test('a full hand is rejected while another flow still queues, and is served in turn', () => {
  const qs = new QueueSet(1, { queues: 64, handSize: 2, queueLengthLimit: 2 });
  assert.equal(qs.admit(flowHash('heavy'), () => {}).kind, 'run');
  const order: string[] = [];
  for (let i = 0; i < 4; i++) assert.equal(qs.admit(flowHash('heavy'), () => order.push('heavy')).kind, 'queued');
  const full = qs.admit(flowHash('heavy'), () => {});
  assert.deepEqual(full, { kind: 'reject', reason: 'queue-full' });
  assert.equal(qs.admit(flowHash('light'), () => order.push('light')).kind, 'queued');
  for (let i = 0; i < 5; i++) qs.finish();
  assert.equal(order.length, 5);
  assert.ok(order.indexOf('light') <= 2, `light served at ${order.indexOf('light')}: ${order.join(',')}`);
});

test('a cancelled waiter leaves its queue; a Reject level never queues', () => {
  const qs = new QueueSet(1, { queues: 4, handSize: 1, queueLengthLimit: 1 });
  qs.admit(1n, () => {});
  const w = qs.admit(1n, () => assert.fail('cancelled waiter dispatched'));
  assert.equal(w.kind, 'queued');
  assert.ok(w.kind === 'queued' && w.cancel());
  assert.equal(qs.waitingRequests, 0);
  qs.finish();
  assert.equal(qs.executingRequests, 0);
  const reject = new QueueSet(1, undefined);
  reject.admit(1n, () => {});
  assert.deepEqual(reject.admit(1n, () => {}), { kind: 'reject', reason: 'concurrency-limit' });
});

test('nominal seats: ceil(total × shares / 245); exempt unlimited; at least one each', () => {
  const big = nominalLimits(PRIORITY_LEVELS, 600);
  assert.equal(big.get('global-default'), 49);
  assert.equal(big.get('workload-low'), 245);
  assert.equal(big.get('exempt'), Infinity);
  const small = nominalLimits(PRIORITY_LEVELS, 3);
  assert.equal(small.get('global-default'), 1);
  assert.equal(small.get('catch-all'), 1);
});
