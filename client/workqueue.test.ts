import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { waitFor } from '../test/harness/ports.js';
import {
  WorkQueue,
  runWorkers,
  ItemExponentialRateLimiter,
  BucketRateLimiter,
  MaxOfRateLimiter,
  defaultControllerRateLimiter,
} from './workqueue.js';
import type { Clock } from './token-bucket.js';

describe('WorkQueue', () => {
  test('de-duplicates keys waiting to be processed', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.add('b');
    q.add('a');
    assert.equal(q.len(), 2);
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), 'b');
    assert.equal(q.len(), 0);
  });

  test('a key being processed is not handed out again until done, then is re-queued once', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const first = await q.get();
    assert.equal(first, 'a');
    q.add('a');
    q.add('a');
    assert.equal(q.len(), 0, 'not queued while processing');
    let second: string | undefined;
    void q.get().then((v) => (second = v));
    await new Promise((r) => setImmediate(r));
    assert.equal(second, undefined, 'no second worker gets it');
    q.done('a');
    await waitFor('re-queued key', () => second === 'a');
    q.done('a');
    assert.equal(q.len(), 0);
  });

  test('get waits for an add, and resolves undefined after shutDown', async () => {
    const q = new WorkQueue<string>();
    const pending = q.get();
    q.add('x');
    assert.equal(await pending, 'x');
    const waiting = q.get();
    q.shutDown();
    assert.equal(await waiting, undefined);
    q.add('y');
    assert.equal(await q.get(), undefined, 'adds after shutdown are ignored');
  });

  test('shutDown still hands out what was queued', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    q.shutDown();
    assert.equal(await q.get(), 'a');
    assert.equal(await q.get(), undefined);
  });

  test('addAfter delivers later; the earliest of two delays wins', async () => {
    const q = new WorkQueue<string>();
    q.addAfter('slow', 60_000);
    q.addAfter('slow', 20);
    q.addAfter('k', 10);
    assert.equal(q.len(), 0);
    const got = new Set([await q.get(), await q.get()]);
    assert.deepEqual(got, new Set(['slow', 'k']));
    q.shutDown();
  });

  test('addRateLimited backs off per key; forget resets', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter<string>(1, 1000) });
    q.addRateLimited('a');
    q.addRateLimited('a');
    assert.equal(q.numRequeues('a'), 2);
    assert.equal(await q.get(), 'a');
    q.done('a');
    q.forget('a');
    assert.equal(q.numRequeues('a'), 0);
    q.shutDown();
  });

  test('shutDownWithDrain waits for items in flight', async () => {
    const q = new WorkQueue<string>();
    q.add('a');
    const item = (await q.get()) as string;
    let drained = false;
    const p = q.shutDownWithDrain().then(() => (drained = true));
    await new Promise((r) => setImmediate(r));
    assert.equal(drained, false);
    q.done(item);
    await p;
    assert.equal(drained, true);
  });
});

describe('rate limiters', () => {
  test('per-item exponential: 5ms doubling up to the cap, independent per item', () => {
    const rl = new ItemExponentialRateLimiter<string>(5, 1000);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => rl.when('a')), [5, 10, 20, 40, 80]);
    assert.equal(rl.when('b'), 5);
    for (let i = 0; i < 20; i++) rl.when('a');
    assert.equal(rl.when('a'), 1000);
    rl.forget('a');
    assert.equal(rl.when('a'), 5);
  });

  test('token bucket: burst free, then 1/qps apart', () => {
    let now = 0;
    const clock: Clock = { now: () => now };
    const rl = new BucketRateLimiter<string>(10, 3, clock);
    assert.deepEqual([rl.when(), rl.when(), rl.when()], [0, 0, 0]);
    assert.equal(Math.round(rl.when()), 100);
    assert.equal(Math.round(rl.when()), 200);
    now += 1000;
    assert.equal(rl.when(), 0);
  });

  test('max-of combines both; the default limiter starts at 5 ms', () => {
    let now = 0;
    const clock: Clock = { now: () => now };
    const rl = new MaxOfRateLimiter<string>(new ItemExponentialRateLimiter<string>(5, 1_000_000), new BucketRateLimiter<string>(1, 1, clock));
    assert.equal(rl.when('a'), 5);
    assert.equal(Math.round(rl.when('b')), 1000, 'bucket exhausted dominates');
    assert.equal(defaultControllerRateLimiter<string>().when('x'), 5);
  });
});

describe('runWorkers', () => {
  test('reconciles, retries failures with backoff, and forgets on success', async () => {
    const q = new WorkQueue<string>({ rateLimiter: new ItemExponentialRateLimiter<string>(1, 10) });
    const attempts = new Map<string, number>();
    const silent = { debug() {}, info() {}, warn() {}, error() {} };
    const running = runWorkers(
      q,
      2,
      (key) => {
        const n = (attempts.get(key) ?? 0) + 1;
        attempts.set(key, n);
        if (key === 'flaky' && n < 3) throw new Error('not yet');
      },
      { logger: silent },
    );
    q.add('ok');
    q.add('flaky');
    await waitFor('flaky to succeed', () => attempts.get('flaky') === 3 && attempts.get('ok') === 1);
    await waitFor('flaky forgotten', () => q.numRequeues('flaky') === 0);
    q.shutDown();
    await running;
  });

  test('never runs the same key concurrently', async () => {
    const q = new WorkQueue<string>();
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const running = runWorkers(q, 4, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      runs++;
      if (runs === 1) await gate;
      active--;
    });
    q.add('same');
    await waitFor('first run', () => runs === 1);
    q.add('same');
    q.add('same');
    release();
    await waitFor('second run', () => runs === 2);
    q.shutDown();
    await running;
    assert.equal(maxActive, 1);
    assert.equal(runs, 2);
  });

  test('requeueAfterMs brings a key back', async () => {
    const q = new WorkQueue<string>();
    let runs = 0;
    const running = runWorkers(q, 1, () => (++runs < 3 ? { requeueAfterMs: 5 } : undefined));
    q.add('k');
    await waitFor('three runs', () => runs === 3);
    q.shutDown();
    await running;
  });
});
