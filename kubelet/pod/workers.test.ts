import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PodWorkers } from './workers.js';
import { waitFor } from '../../test/harness/ports.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

test('updates that arrive during a sync merge into one more sync', async () => {
  const gate = deferred();
  const runs: string[] = [];
  const w = new PodWorkers(
    async (uid) => {
      runs.push(uid);
      if (runs.length === 1) await gate.promise;
    },
    { maxConcurrent: 2, errorBackoffMs: 10 },
  );
  w.update('a');
  await waitFor('first sync running', () => w.busy === 1);
  for (let i = 0; i < 5; i++) w.update('a');
  gate.resolve();
  await waitFor('second sync done', () => runs.length === 2 && w.busy === 0);
  assert.deepEqual(runs, ['a', 'a']);
  await w.stop();
});

test('a pod is never synced twice at once, and at most maxConcurrent pods sync together', async () => {
  let active = 0;
  let peak = 0;
  const perPod = new Map<string, number>();
  const gates: Array<() => void> = [];
  const w = new PodWorkers(
    async (uid) => {
      active++;
      perPod.set(uid, (perPod.get(uid) ?? 0) + 1);
      assert.equal(perPod.get(uid), 1);
      peak = Math.max(peak, active);
      await new Promise<void>((r) => gates.push(r));
      perPod.set(uid, (perPod.get(uid) ?? 0) - 1);
      active--;
    },
    { maxConcurrent: 3, errorBackoffMs: 10 },
  );
  for (const uid of ['a', 'b', 'c', 'd', 'e', 'a']) w.update(uid);
  while (gates.length || w.busy) {
    await waitFor('a sync waiting', () => gates.length > 0 || w.busy === 0);
    gates.shift()?.();
    await new Promise((r) => setImmediate(r));
  }
  assert.equal(peak, 3);
  await w.stop();
});

test('requeueAfterMs and failures bring a pod back later', async () => {
  const runs: number[] = [];
  const t0 = Date.now();
  const w = new PodWorkers(
    async () => {
      runs.push(Date.now() - t0);
      if (runs.length === 1) return { requeueAfterMs: 30 };
      if (runs.length === 2) throw new Error('boom');
    },
    { maxConcurrent: 1, errorBackoffMs: 30, onError: () => undefined },
  );
  w.update('a');
  await waitFor('three syncs', () => runs.length === 3);
  await w.stop();
});
