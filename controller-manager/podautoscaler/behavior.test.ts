// Cases after Kubernetes' horizontal_test.go (TestConvertDesiredReplicasWithRules,
// TestConvertDesiredReplicasWithBehaviorRate, TestNormalizeDesiredReplicasWithBehavior,
// TestScalingWithRules, TestStoreScaleEvents): policies, select policies, periods with past
// scale events, stabilization windows in both directions, and the ScalingLimited reasons.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2';
import { ScalingHistory, convertDesiredReplicasWithRules, scaleDownLimitWithRules, scaleUpLimitWithRules, type TimestampedScaleEvent } from './behavior.js';

const NOW = 1_000_000_000;
const FIVE_MIN = 300_000;

test('convertDesiredReplicasWithRules (no spec.behavior): max(2 × current, 4) at once, then min/max', () => {
  const cases: [current: number, desired: number, min: number, max: number, want: number, reason: string][] = [
    [3, 20, 1, 100, 6, 'ScaleUpLimit'],
    [1, 10, 1, 100, 4, 'ScaleUpLimit'],
    [5, 8, 1, 100, 8, 'DesiredWithinRange'],
    [5, 20, 1, 7, 7, 'TooManyReplicas'],
    [5, 1, 2, 10, 2, 'TooFewReplicas'],
    [5, 3, 2, 10, 3, 'DesiredWithinRange'],
  ];
  for (const [current, desired, min, max, want, reason] of cases) {
    const r = convertDesiredReplicasWithRules(current, desired, min, max);
    assert.deepEqual([r.replicas, r.reason], [want, reason], `${current} → ${desired} within [${min}, ${max}]`);
  }
});

const pods = (value: number, periodSeconds = 15) => ({ type: 'Pods', value, periodSeconds });
const percent = (value: number, periodSeconds = 15) => ({ type: 'Percent', value, periodSeconds });
const rules = (policies: { type: string; value: number; periodSeconds: number }[], selectPolicy?: string, stabilizationWindowSeconds?: number): HPAScalingRules => ({
  policies,
  ...(selectPolicy ? { selectPolicy } : {}),
  ...(stabilizationWindowSeconds !== undefined ? { stabilizationWindowSeconds } : {}),
});
/** Events of `change` replicas each, `agoSeconds` ago. */
const events = (...e: [change: number, agoSeconds: number][]): TimestampedScaleEvent[] => e.map(([replicaChange, ago]) => ({ replicaChange, timestamp: NOW - ago * 1000, outdated: false }));

interface RateCase {
  name: string;
  behavior: HorizontalPodAutoscalerBehavior;
  min?: number;
  max?: number;
  current: number;
  desired: number;
  up?: TimestampedScaleEvent[];
  down?: TimestampedScaleEvent[];
  want: number;
  reason: string;
}

const RATE_CASES: RateCase[] = [
  { name: 'scale-up with the default behavior (100% per 15 s)', behavior: {}, current: 10, desired: 50, want: 20, reason: 'ScaleUpLimit' },
  { name: 'scale-up with the default behavior on few pods (4 pods per 15 s)', behavior: {}, current: 1, desired: 50, want: 5, reason: 'ScaleUpLimit' },
  { name: 'scale-up: pods policy larger than percent policy', behavior: { scaleUp: rules([pods(100), percent(100)]) }, current: 10, desired: 500, max: 1000, want: 110, reason: 'ScaleUpLimit' },
  { name: 'scale-up: percent policy larger than pods policy', behavior: { scaleUp: rules([pods(2), percent(100)]) }, current: 10, desired: 500, max: 1000, want: 20, reason: 'ScaleUpLimit' },
  { name: 'scale-up: maxReplicas limits a large pods policy', behavior: { scaleUp: rules([pods(100)]) }, current: 10, desired: 500, max: 50, want: 50, reason: 'TooManyReplicas' },
  { name: 'scale-up: Min select policy picks the smaller change', behavior: { scaleUp: rules([pods(4), percent(100)], 'Min') }, current: 10, desired: 500, max: 1000, want: 14, reason: 'ScaleUpLimit' },
  { name: 'scale-up: Disabled', behavior: { scaleUp: rules([pods(4)], 'Disabled') }, current: 10, desired: 500, max: 1000, want: 10, reason: 'ScaleUpLimit' },
  { name: 'scale-up: percent rounds up', behavior: { scaleUp: rules([percent(10)]) }, current: 3, desired: 10, want: 4, reason: 'ScaleUpLimit' },
  {
    name: 'scale-up: events within the period use up the allowance',
    behavior: { scaleUp: rules([pods(4, 60)]) },
    current: 10,
    desired: 50,
    up: events([3, 30]),
    want: 11,
    reason: 'ScaleUpLimit',
  },
  {
    name: 'scale-up: events older than the period do not count',
    behavior: { scaleUp: rules([pods(4, 60)]) },
    current: 10,
    desired: 50,
    up: events([3, 90]),
    want: 14,
    reason: 'ScaleUpLimit',
  },
  {
    name: 'scale-up: never below the current size after a burst',
    behavior: { scaleUp: rules([pods(2, 60)]) },
    current: 10,
    desired: 50,
    up: events([5, 10]),
    want: 10,
    reason: 'ScaleUpLimit',
  },
  { name: 'scale-up within the limits', behavior: {}, current: 10, desired: 12, want: 12, reason: 'DesiredWithinRange' },
  { name: 'scale-down: pods policy', behavior: { scaleDown: rules([pods(5)]) }, current: 10, desired: 2, want: 5, reason: 'ScaleDownLimit' },
  { name: 'scale-down: percent policy exactly reached', behavior: { scaleDown: rules([percent(50)]) }, current: 10, desired: 5, want: 5, reason: 'DesiredWithinRange' },
  { name: 'scale-down: percent policy larger than pods policy', behavior: { scaleDown: rules([pods(20), percent(1)]) }, current: 100, desired: 2, want: 80, reason: 'ScaleDownLimit' },
  { name: 'scale-down: pods policy larger than percent policy', behavior: { scaleDown: rules([pods(2), percent(1)]) }, current: 100, desired: 2, want: 98, reason: 'ScaleDownLimit' },
  { name: 'scale-down: Min select policy', behavior: { scaleDown: rules([pods(20), percent(1)], 'Min') }, current: 100, desired: 2, want: 99, reason: 'ScaleDownLimit' },
  { name: 'scale-down: percent truncates', behavior: { scaleDown: rules([percent(30)]) }, current: 5, desired: 1, want: 3, reason: 'ScaleDownLimit' },
  { name: 'scale-down: minReplicas limits a large policy', behavior: { scaleDown: rules([pods(100)]) }, min: 3, current: 10, desired: 1, want: 3, reason: 'TooFewReplicas' },
  { name: 'scale-down: Disabled', behavior: { scaleDown: rules([pods(100)], 'Disabled') }, current: 10, desired: 1, want: 10, reason: 'ScaleDownLimit' },
  {
    name: 'scale-down: past scale-downs use up the period',
    behavior: { scaleDown: rules([pods(5, 60)]) },
    current: 10,
    desired: 1,
    down: events([3, 20]),
    want: 8,
    reason: 'ScaleDownLimit',
  },
  {
    name: 'scale-down: a scale-up within the period raises the period start',
    behavior: { scaleDown: rules([percent(50, 60)]) },
    current: 10,
    desired: 1,
    up: events([6, 20]),
    want: 2,
    reason: 'ScaleDownLimit',
  },
];

for (const c of RATE_CASES) {
  test(`convertDesiredReplicasWithBehaviorRate: ${c.name}`, () => {
    const h = new ScalingHistory(FIVE_MIN);
    const key = 'ns/hpa';
    // Seed the history through the same path the controller uses.
    for (const e of c.up ?? []) h.storeScaleEvent({ scaleUp: c.behavior.scaleUp ?? rules([pods(1, 3600)]) }, key, 0, e.replicaChange, e.timestamp);
    for (const e of c.down ?? []) h.storeScaleEvent({ scaleDown: c.behavior.scaleDown ?? rules([pods(1, 3600)]) }, key, e.replicaChange, 0, e.timestamp);
    const args = { key, currentReplicas: c.current, desiredReplicas: c.desired, minReplicas: c.min ?? 1, maxReplicas: c.max ?? 1000, now: NOW };
    const r = h.normalizeWithBehaviors(args, { scaleUp: { ...c.behavior.scaleUp, stabilizationWindowSeconds: 0 }, scaleDown: { ...c.behavior.scaleDown, stabilizationWindowSeconds: 0 } });
    assert.deepEqual([r.desiredReplicas, r.scalingLimited.reason, r.scalingLimited.status], [c.want, c.reason, c.want === c.desired ? 'False' : 'True']);
  });
}

test('scale limits read each policy over its own period', () => {
  const upEvents = events([2, 10], [4, 50]);
  // Pods 3 per 20 s sees the 2 of 10 s ago (start 8 → 11); Pods 1 per 120 s sees both (start 4 → 5); Max → 11.
  assert.equal(scaleUpLimitWithRules({ currentReplicas: 10, upEvents, downEvents: [], rules: rules([pods(3, 20), pods(1, 120)], 'Max'), now: NOW }), 11);
  assert.equal(scaleUpLimitWithRules({ currentReplicas: 10, upEvents, downEvents: [], rules: rules([pods(3, 20), pods(1, 120)], 'Min'), now: NOW }), 5);
  assert.equal(scaleDownLimitWithRules({ currentReplicas: 10, upEvents: [], downEvents: events([2, 10]), rules: rules([percent(50, 20)]), now: NOW }), 6);
});

test('stabilization with behaviors: the lowest recommendation in the scale-up window, the highest in the scale-down window', () => {
  const h = new ScalingHistory(FIVE_MIN);
  const key = 'ns/hpa';
  const behavior: HorizontalPodAutoscalerBehavior = { scaleUp: rules([pods(100)], 'Max', 60), scaleDown: rules([pods(100)], 'Max', 120) };
  const step = (current: number, desired: number, at: number) => h.normalizeWithBehaviors({ key, currentReplicas: current, desiredReplicas: desired, minReplicas: 1, maxReplicas: 100, now: at }, behavior);
  h.recordInitialRecommendation(key, 4, NOW);
  // Up: the initial 4 is within 60 s, so a spike to 10 is held at 4.
  let r = step(4, 10, NOW + 10_000);
  assert.deepEqual([r.desiredReplicas, r.ableToScale.reason], [4, 'ScaleUpStabilized']);
  // After 60 s only the new 8 is in the scale-up window → 8.
  r = step(4, 8, NOW + 71_000);
  assert.deepEqual([r.desiredReplicas, r.ableToScale.reason], [8, 'ReadyForNewScale']);
  // Down: 10 and 8 are within 120 s, so a drop to 2 is held at 10 (capped at current 8).
  r = step(8, 2, NOW + 80_000);
  assert.deepEqual([r.desiredReplicas, r.ableToScale.reason], [8, 'ScaleDownStabilized']);
  // Once they leave the window the drop goes through.
  r = step(8, 2, NOW + 300_000);
  assert.deepEqual([r.desiredReplicas, r.ableToScale.reason], [2, 'ReadyForNewScale']);
});

test('stabilization with behaviors: a nil scale-down window is the --horizontal-pod-autoscaler-downscale-stabilization value', () => {
  const h = new ScalingHistory(FIVE_MIN);
  const key = 'ns/hpa';
  h.recordInitialRecommendation(key, 5, NOW);
  const at = (t: number) => h.normalizeWithBehaviors({ key, currentReplicas: 5, desiredReplicas: 1, minReplicas: 1, maxReplicas: 10, now: NOW + t }, { scaleDown: { policies: [pods(100)] } });
  assert.equal(at(299_000).desiredReplicas, 5);
  // At 301 s the initial 5 has left the window.
  assert.equal(at(301_000).desiredReplicas, 1);
});

test('normalize without behavior: ScaleDownStabilized keeps the highest recent recommendation, the window expires', () => {
  const h = new ScalingHistory(FIVE_MIN);
  const key = 'ns/hpa';
  h.recordInitialRecommendation(key, 6, NOW);
  let r = h.normalize({ key, currentReplicas: 6, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, now: NOW + 60_000 });
  assert.deepEqual([r.desiredReplicas, r.ableToScale.reason, r.scalingLimited.status, r.scalingLimited.reason], [6, 'ScaleDownStabilized', 'False', 'DesiredWithinRange']);
  r = h.normalize({ key, currentReplicas: 6, desiredReplicas: 2, minReplicas: 1, maxReplicas: 10, now: NOW + FIVE_MIN + 1 });
  // The 2 of a minute ago is still within the window.
  assert.equal(r.desiredReplicas, 2);
  r = h.normalize({ key, currentReplicas: 6, desiredReplicas: 30, minReplicas: 1, maxReplicas: 10, now: NOW + FIVE_MIN + 2 });
  assert.deepEqual([r.desiredReplicas, r.ableToScale.reason, r.scalingLimited.status, r.scalingLimited.reason], [10, 'ReadyForNewScale', 'True', 'TooManyReplicas']);
});

test('storeScaleEvent: only with spec.behavior; outdated slots are reused', () => {
  const h = new ScalingHistory(FIVE_MIN);
  h.storeScaleEvent(undefined, 'k', 1, 5, NOW);
  assert.deepEqual(h.scaleEventsOf('k'), { up: [], down: [] });
  const b: HorizontalPodAutoscalerBehavior = { scaleUp: rules([pods(4, 60)]) };
  h.storeScaleEvent(b, 'k', 1, 5, NOW);
  h.storeScaleEvent(b, 'k', 5, 7, NOW + 30_000);
  assert.equal(h.scaleEventsOf('k').up.length, 2);
  // 80 s later the first event is older than the longest period (60 s): its slot is reused.
  h.storeScaleEvent(b, 'k', 7, 8, NOW + 80_000);
  assert.deepEqual(
    h.scaleEventsOf('k').up.map((e) => e.replicaChange),
    [1, 2],
  );
  h.storeScaleEvent(b, 'k', 8, 6, NOW + 100_000);
  assert.deepEqual(h.scaleEventsOf('k').down.map((e) => e.replicaChange), [2]);
  h.forget('k');
  assert.deepEqual(h.scaleEventsOf('k'), { up: [], down: [] });
});
