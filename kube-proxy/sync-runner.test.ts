// The bounded-frequency runner: bursts collapse, full syncs are remembered, failures retry.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SyncRunner } from './sync-runner.js';

describe('SyncRunner', () => {
  test('a burst of requests during a sync becomes one more sync', async () => {
    const runs: boolean[] = [];
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    const runner = new SyncRunner({
      minIntervalMs: 0,
      maxIntervalMs: 60_000,
      sync: async (full) => {
        runs.push(full);
        if (runs.length === 1) await gate;
      },
      onError: () => undefined,
    });
    const first = runner.syncNow(true);
    for (let i = 0; i < 20; i++) runner.request();
    release();
    await first;
    await runner.syncNow();
    assert.deepEqual(runs, [true, false], "20 requests made during the first sync ran as one");
    await runner.stop();
  });

  test('a failed sync is retried as a full one', async () => {
    const runs: boolean[] = [];
    const errors: unknown[] = [];
    const runner = new SyncRunner({
      minIntervalMs: 0,
      maxIntervalMs: 60_000,
      sync: async (full) => {
        runs.push(full);
        if (runs.length === 2) throw new Error('iptables-restore failed');
      },
      onError: (e) => errors.push(e),
    });
    await runner.syncNow(); // the first sync is always full
    await runner.syncNow(); // fails
    await runner.syncNow();
    assert.equal(errors.length, 1);
    assert.deepEqual(runs.slice(0, 3), [true, false, true]);
    await runner.stop();
  });
});
