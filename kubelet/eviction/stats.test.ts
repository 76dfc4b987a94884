import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { diskUsage, memoryObservation, pidObservation } from './stats.js';

test('memory.available = MemFree + Inactive(file) of MemTotal (capacity − working set)', () => {
  const meminfo = 'MemTotal:       1000 kB\nMemFree:         200 kB\nMemAvailable:    700 kB\nActive(file):     50 kB\nInactive(file):  300 kB\n';
  assert.deepEqual(memoryObservation(meminfo), { available: 500 * 1024, capacity: 1000 * 1024 });
  assert.equal(memoryObservation('nonsense'), undefined);
});

test('pid.available = pid_max − tasks', () => {
  assert.deepEqual(pidObservation('4194304\n', '0.10 0.20 0.30 2/345 6789\n'), { available: 4194304 - 345, capacity: 4194304 });
  assert.equal(pidObservation('', ''), undefined);
});

test('diskUsage sums allocated blocks of a tree', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'eviction-du-'));
  try {
    await mkdir(join(dir, 'a/b'), { recursive: true });
    await writeFile(join(dir, 'a/b/f'), Buffer.alloc(1024 * 1024, 1));
    const n = await diskUsage(dir);
    assert.ok(n >= 1024 * 1024, `${n}`);
    assert.equal(await diskUsage(join(dir, 'missing')), 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
