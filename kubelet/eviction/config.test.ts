import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_EVICTION_HARD, hardEvictionReservation, thresholdQuantity } from './api.js';
import { EvictionConfigError, parseMapFlag, parseThresholdConfig } from './config.js';

test('the default --eviction-hard: four hard thresholds, quantities and float32 percentages', () => {
  const t = parseThresholdConfig({ evictionHard: DEFAULT_EVICTION_HARD });
  assert.deepEqual(
    t.map((x) => [x.signal, x.gracePeriodMs]),
    [
      ['memory.available', 0],
      ['nodefs.available', 0],
      ['imagefs.available', 0],
      ['nodefs.inodesFree', 0],
    ],
  );
  assert.equal(thresholdQuantity(t[0].value, 0), 100 * 1024 * 1024);
  // 10% is float32(10)/100 upstream; times 1000 bytes it is still 100.
  assert.equal(thresholdQuantity(t[1].value, 1000), 100);
  assert.equal(thresholdQuantity(t[1].value, 100 * 1024 ** 3), 10737418400);
  assert.equal(thresholdQuantity(t[3].value, 1_000_000), 50_000);
});

test('soft thresholds take their grace period; minimum reclaim attaches to every threshold of the signal', () => {
  const t = parseThresholdConfig({
    evictionHard: 'memory.available<1Gi',
    evictionSoft: 'memory.available<2Gi, nodefs.available<20%',
    evictionSoftGracePeriod: 'memory.available=1m30s,nodefs.available=10s',
    evictionMinimumReclaim: 'memory.available=500Mi,nodefs.available=1%',
  });
  assert.deepEqual(
    t.map((x) => [x.signal, x.gracePeriodMs, x.minReclaim?.quantity ? 'q' : x.minReclaim?.percentage !== undefined ? 'p' : '-']),
    [
      ['memory.available', 0, 'q'],
      ['memory.available', 90_000, 'q'],
      ['nodefs.available', 10_000, 'p'],
    ],
  );
});

test('0% and 100% mean no threshold; an empty flag means none', () => {
  assert.deepEqual(parseThresholdConfig({ evictionHard: 'memory.available<0%,nodefs.available<100%' }), []);
  assert.deepEqual(parseThresholdConfig({ evictionHard: '' }), []);
});

test('bad input: upstream messages', () => {
  const bad = (flags: Parameters<typeof parseThresholdConfig>[0], msg: RegExp): void => {
    assert.throws(() => parseThresholdConfig(flags), (e: unknown) => e instanceof EvictionConfigError && msg.test(e.message));
  };
  bad({ evictionHard: 'memory.free<1Gi' }, /^unsupported eviction signal memory\.free$/);
  bad({ evictionHard: 'memory.available=1Gi' }, /malformed pair, expect string<string/);
  bad({ evictionHard: 'memory.available<1Gb' }, /quantities must match the regular expression/);
  bad({ evictionHard: 'memory.available<abc' }, /quantities must match the regular expression/);
  bad({ evictionHard: 'memory.available<0' }, /^eviction threshold memory\.available must be positive: 0$/);
  bad({ evictionHard: 'memory.available<-1Gi' }, /must be positive/);
  bad({ evictionHard: 'nodefs.available<150%' }, /^eviction percentage threshold nodefs\.available must be <= 100%: 150%$/);
  bad({ evictionHard: 'nodefs.available<-5%' }, /must be >= 0%/);
  bad({ evictionHard: 'nodefs.available<x%' }, /invalid syntax/);
  bad({ evictionSoft: 'memory.available<1Gi' }, /^grace period must be specified for the soft eviction threshold memory\.available$/);
  bad({ evictionSoft: 'memory.available<1Gi', evictionSoftGracePeriod: 'memory.available=90' }, /missing unit in duration "90"/);
  bad({ evictionSoft: 'memory.available<1Gi', evictionSoftGracePeriod: 'memory.available=-1m' }, /must be a positive value/);
  bad({ evictionMinimumReclaim: 'memory.available=-1Mi' }, /negative eviction minimum reclaim specified for memory\.available/);
  bad({ evictionMinimumReclaim: 'nodefs.available=0%' }, /minimum reclaim nodefs\.available must be positive/);
});

test('map flags', () => {
  assert.deepEqual([...parseMapFlag('eviction-hard', 'a<1, b<2,', '<')], [['a', '1'], ['b', '2']]);
  assert.throws(() => parseMapFlag('eviction-soft-grace-period', 'a<1', '='), /invalid argument "a<1" for "--eviction-soft-grace-period" flag: malformed pair, expect string=string/);
});

test('allocatable reservation: the hard memory.available and nodefs.available thresholds only', () => {
  const t = parseThresholdConfig({ evictionHard: 'memory.available<5%,nodefs.available<1Gi,imagefs.available<50%', evictionSoft: 'memory.available<2Gi', evictionSoftGracePeriod: 'memory.available=1m' });
  assert.deepEqual(hardEvictionReservation(t, { memoryBytes: 1000, ephemeralStorageBytes: 10 * 1024 ** 3 }), { memoryBytes: 50, ephemeralStorageBytes: 1024 ** 3 });
});
