import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseThresholdConfig } from './config.js';
import { evaluateThresholds, initialEvictionState, nodeConditions, sortByEvictionPriority, thresholdsMet, type SignalObservations } from './helpers.js';

const Mi = 1024 ** 2;
const obs = (memAvail: number, nodefsAvail = 50): SignalObservations => ({
  'memory.available': { available: memAvail, capacity: 1000 * Mi },
  'nodefs.available': { available: nodefsAvail, capacity: 100 },
});

test('thresholdsMet: below the value; with min reclaim, below value + reclaim; no observation, not met', () => {
  const [t] = parseThresholdConfig({ evictionHard: 'memory.available<100Mi', evictionMinimumReclaim: 'memory.available=50Mi' });
  assert.equal(thresholdsMet([t], obs(99 * Mi), false).length, 1);
  assert.equal(thresholdsMet([t], obs(100 * Mi), false).length, 0, 'equal is not less than');
  assert.equal(thresholdsMet([t], obs(120 * Mi), true).length, 1);
  assert.equal(thresholdsMet([t], obs(150 * Mi), true).length, 0);
  assert.equal(thresholdsMet([t], {}, false).length, 0);
});

test('percentages are of the capacity observed', () => {
  const t = parseThresholdConfig({ evictionHard: 'nodefs.available<10%' });
  assert.equal(thresholdsMet(t, obs(500 * Mi, 9), false).length, 1);
  assert.equal(thresholdsMet(t, obs(500 * Mi, 11), false).length, 0);
});

test('a hard threshold raises its condition and is reclaimed at once; the condition outlives it by the transition period', () => {
  const t = parseThresholdConfig({ evictionHard: 'memory.available<100Mi' });
  let state = initialEvictionState();
  let r = evaluateThresholds(state, t, obs(50 * Mi), 1000, 5000);
  assert.deepEqual(r.state.nodeConditions, ['MemoryPressure']);
  assert.equal(r.toReclaim.length, 1);
  state = r.state;
  r = evaluateThresholds(state, t, obs(500 * Mi), 2000, 5000);
  assert.deepEqual(r.state.nodeConditions, ['MemoryPressure'], 'still within the transition period');
  assert.equal(r.toReclaim.length, 0, 'nothing to reclaim once relieved');
  r = evaluateThresholds(r.state, t, obs(500 * Mi), 5999, 5000);
  assert.deepEqual(r.state.nodeConditions, ['MemoryPressure']);
  r = evaluateThresholds(r.state, t, obs(500 * Mi), 6000, 5000);
  assert.deepEqual(r.state.nodeConditions, []);
});

test('a soft threshold raises the condition at once but evicts only after its grace period held', () => {
  const t = parseThresholdConfig({ evictionSoft: 'memory.available<200Mi', evictionSoftGracePeriod: 'memory.available=30s' });
  let r = evaluateThresholds(initialEvictionState(), t, obs(150 * Mi), 0, 0);
  assert.deepEqual(r.state.nodeConditions, []);
  r = evaluateThresholds(initialEvictionState(), t, obs(150 * Mi), 0, 1);
  assert.deepEqual(r.state.nodeConditions, ['MemoryPressure']);
  assert.equal(r.toReclaim.length, 0);
  r = evaluateThresholds(r.state, t, obs(150 * Mi), 29_999, 1);
  assert.equal(r.toReclaim.length, 0);
  r = evaluateThresholds(r.state, t, obs(150 * Mi), 30_000, 1);
  assert.equal(r.toReclaim.length, 1);
  // Relieved for one pass: the clock starts again.
  r = evaluateThresholds(r.state, t, obs(300 * Mi), 31_000, 1);
  r = evaluateThresholds(r.state, t, obs(150 * Mi), 32_000, 1);
  assert.equal(r.toReclaim.length, 0);
});

test('a met threshold stays until its minimum reclaim is free', () => {
  const t = parseThresholdConfig({ evictionHard: 'memory.available<100Mi', evictionMinimumReclaim: 'memory.available=100Mi' });
  let r = evaluateThresholds(initialEvictionState(), t, obs(90 * Mi), 0, 0);
  assert.equal(r.toReclaim.length, 1);
  r = evaluateThresholds(r.state, t, obs(150 * Mi), 1, 0);
  assert.equal(r.toReclaim.length, 1, 'above the threshold but not above threshold + reclaim');
  r = evaluateThresholds(r.state, t, obs(250 * Mi), 2, 0);
  assert.equal(r.toReclaim.length, 0);
});

test('memory is reclaimed first; conditions in a stable order', () => {
  const t = parseThresholdConfig({ evictionHard: 'nodefs.available<60%,memory.available<100Mi,pid.available<10' });
  assert.deepEqual(sortByEvictionPriority(t).map((x) => x.signal), ['memory.available', 'nodefs.available', 'pid.available']);
  assert.deepEqual(nodeConditions(t), ['MemoryPressure', 'DiskPressure', 'PIDPressure']);
});
