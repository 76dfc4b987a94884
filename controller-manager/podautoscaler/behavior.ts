// From a metric's proposal to the replica count the HPA sets (Kubernetes' horizontal.go:
// normalizeDesiredReplicas and normalizeDesiredReplicasWithBehaviors): stabilization over the
// recent recommendations, the scale-up/scale-down rate limits of `spec.behavior` over the recent
// scale events, and the min/max clamp, with the AbleToScale and ScalingLimited reasons each
// step gives. The history is per HPA key and in memory, as upstream's (a restarted controller
// starts with an empty window). Pure: every call takes `now`.
import type { HPAScalingRules, HorizontalPodAutoscalerBehavior } from 'kubernetes-types/autoscaling/v2';
import { hpaScaleDownRules, hpaScaleUpRules } from '../../api/defaults/autoscaling.js';

export interface TimestampedRecommendation {
  recommendation: number;
  timestamp: number;
}

export interface TimestampedScaleEvent {
  /** Absolute value. */
  replicaChange: number;
  timestamp: number;
  /** Older than the longest policy period: its slot may be reused. */
  outdated: boolean;
}

export interface ConditionReason {
  reason: string;
  message: string;
}

export interface Normalized {
  desiredReplicas: number;
  /** AbleToScale (status True): ScaleUpStabilized / ScaleDownStabilized / ReadyForNewScale. */
  ableToScale: ConditionReason;
  /** ScalingLimited: True when the rate or min/max changed the stabilized recommendation. */
  scalingLimited: ConditionReason & { status: 'True' | 'False' };
}

export interface NormalizeArgs {
  key: string;
  currentReplicas: number;
  /** The metrics' proposal, before stabilization. */
  desiredReplicas: number;
  minReplicas: number;
  maxReplicas: number;
  now: number;
}

// Without spec.behavior, scale-up is limited to max(2 × current, 4) at once (upstream's guard
// against bogus usage spikes, kubernetes#32304).
const SCALE_UP_LIMIT_FACTOR = 2;
const SCALE_UP_LIMIT_MINIMUM = 4;

const WITHIN_RANGE: ConditionReason = { reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' };
const READY: ConditionReason = { reason: 'ReadyForNewScale', message: 'recommended size matches current size' };
const UP_STABILIZED: ConditionReason = {
  reason: 'ScaleUpStabilized',
  message: 'recent recommendations were lower than current one, applying the lowest recent recommendation',
};
const DOWN_STABILIZED: ConditionReason = {
  reason: 'ScaleDownStabilized',
  message: 'recent recommendations were higher than current one, applying the highest recent recommendation',
};
const SCALE_UP_LIMIT: ConditionReason = { reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' };
const SCALE_DOWN_LIMIT: ConditionReason = { reason: 'ScaleDownLimit', message: 'the desired replica count is decreasing faster than the maximum scale rate' };
const TOO_MANY: ConditionReason = { reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' };
const TOO_FEW: ConditionReason = { reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' };

export function calculateScaleUpLimit(currentReplicas: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * currentReplicas, SCALE_UP_LIMIT_MINIMUM));
}

/** convertDesiredReplicasWithRules: the clamp used without spec.behavior. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): { replicas: number } & ConditionReason {
  const scaleUpLimit = calculateScaleUpLimit(current);
  const [maximum, limiting] = max > scaleUpLimit ? [scaleUpLimit, SCALE_UP_LIMIT] : [max, TOO_MANY];
  if (desired < min) return { replicas: min, ...TOO_FEW };
  if (desired > maximum) return { replicas: maximum, ...limiting };
  return { replicas: desired, ...WITHIN_RANGE };
}

/** Replicas added (or removed) by the events within the last `periodSeconds`. */
export function replicasChangePerPeriod(periodSeconds: number, events: readonly TimestampedScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  return events.reduce((sum, e) => (e.timestamp > cutoff ? sum + e.replicaChange : sum), 0);
}

export interface PolicyLimitArgs {
  currentReplicas: number;
  upEvents: readonly TimestampedScaleEvent[];
  downEvents: readonly TimestampedScaleEvent[];
  rules: HPAScalingRules;
  now: number;
}

/**
 * calculateScaleUpLimitWithScalingRules (up) and calculateScaleDownLimitWithBehaviors (down):
 * the most (fewest) replicas the policies allow now. Each policy counts from the size at the
 * start of its period, undoing the scale events within it.
 */
function policyLimit({ currentReplicas, upEvents, downEvents, rules, now }: PolicyLimitArgs, up: boolean): number {
  if (rules.selectPolicy === 'Disabled') return currentReplicas;
  // "Min" selects the smallest change: the lowest limit going up, the highest going down.
  const pickLower = up === (rules.selectPolicy === 'Min');
  let result = pickLower ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const p of rules.policies ?? []) {
    const periodStart = currentReplicas - replicasChangePerPeriod(p.periodSeconds, upEvents, now) + replicasChangePerPeriod(p.periodSeconds, downEvents, now);
    let proposed: number;
    if (p.type === 'Pods') proposed = up ? periodStart + p.value : periodStart - p.value;
    // Up rounds up (or a Percent policy on few pods would never add one); down truncates, as int32(float64) does.
    else proposed = up ? Math.ceil(periodStart * (1 + p.value / 100)) : Math.trunc(periodStart * (1 - p.value / 100));
    result = pickLower ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export const scaleUpLimitWithRules = (args: PolicyLimitArgs): number => policyLimit(args, true);
export const scaleDownLimitWithRules = (args: PolicyLimitArgs): number => policyLimit(args, false);

/** The scale-up and scale-down rules with upstream's defaults filled in, and the flag's scale-down window. */
export function effectiveBehavior(behavior: HorizontalPodAutoscalerBehavior, downscaleWindowSeconds: number): { up: HPAScalingRules; down: HPAScalingRules } {
  const up = hpaScaleUpRules(behavior.scaleUp);
  const down = hpaScaleDownRules(behavior.scaleDown);
  down.stabilizationWindowSeconds ??= downscaleWindowSeconds;
  return { up, down };
}

/** Per-HPA recommendation and scale-event history, and the normalization that reads it. */
export class ScalingHistory {
  private readonly recommendations = new Map<string, TimestampedRecommendation[]>();
  private readonly scaleUpEvents = new Map<string, TimestampedScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, TimestampedScaleEvent[]>();

  constructor(private readonly downscaleStabilisationWindowMs: number) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** The first sync seeds the window with the current size, so a new HPA does not scale down at once. */
  recordInitialRecommendation(key: string, currentReplicas: number, now: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ recommendation: currentReplicas, timestamp: now }]);
  }

  recommendationsOf(key: string): readonly TimestampedRecommendation[] {
    return this.recommendations.get(key) ?? [];
  }

  /** Records an unstabilized recommendation, reusing the slot of one older than every window. */
  private record(key: string, recommendation: number, now: number, oldIndex: number | undefined): void {
    const list = this.recommendations.get(key) ?? [];
    const entry = { recommendation, timestamp: now };
    if (oldIndex !== undefined) list[oldIndex] = entry;
    else list.push(entry);
    this.recommendations.set(key, list);
  }

  /** stabilizeRecommendation: the highest recommendation within the downscale window. */
  stabilizeRecommendation(key: string, desired: number, now: number): number {
    const cutoff = now - this.downscaleStabilisationWindowMs;
    let max = desired;
    let oldIndex: number | undefined;
    this.recommendationsOf(key).forEach((r, i) => {
      if (r.timestamp < cutoff) oldIndex = i;
      else if (r.recommendation > max) max = r.recommendation;
    });
    this.record(key, desired, now, oldIndex);
    return max;
  }

  /** normalizeDesiredReplicas: the path without spec.behavior. */
  normalize(args: NormalizeArgs): Normalized {
    const stabilized = this.stabilizeRecommendation(args.key, args.desiredReplicas, args.now);
    const ableToScale = stabilized !== args.desiredReplicas ? DOWN_STABILIZED : READY;
    const { replicas, reason, message } = convertDesiredReplicasWithRules(args.currentReplicas, stabilized, args.minReplicas, args.maxReplicas);
    return { desiredReplicas: replicas, ableToScale, scalingLimited: { status: replicas === stabilized ? 'False' : 'True', reason, message } };
  }

  /**
   * stabilizeRecommendationWithBehaviors: the current size moved toward the proposal only as far
   * as every recommendation within each direction's window agrees (the lowest one for scale-up,
   * the highest for scale-down).
   */
  stabilizeWithBehaviors(args: NormalizeArgs, up: HPAScalingRules, down: HPAScalingRules): { replicas: number } & ConditionReason {
    const upCutoff = args.now - (up.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = args.now - (down.stabilizationWindowSeconds ?? 0) * 1000;
    let upRecommendation = args.desiredReplicas;
    let downRecommendation = args.desiredReplicas;
    let oldIndex: number | undefined;
    this.recommendationsOf(args.key).forEach((r, i) => {
      if (r.timestamp > upCutoff) upRecommendation = Math.min(r.recommendation, upRecommendation);
      if (r.timestamp > downCutoff) downRecommendation = Math.max(r.recommendation, downRecommendation);
      if (r.timestamp < upCutoff && r.timestamp < downCutoff) oldIndex = i;
    });
    let recommendation = args.currentReplicas;
    if (recommendation < upRecommendation) recommendation = upRecommendation;
    if (recommendation > downRecommendation) recommendation = downRecommendation;
    this.record(args.key, args.desiredReplicas, args.now, oldIndex);
    return { replicas: recommendation, ...(args.desiredReplicas >= args.currentReplicas ? UP_STABILIZED : DOWN_STABILIZED) };
  }

  /** convertDesiredReplicasWithBehaviorRate: the policies' rate limit, then min/max. */
  convertWithBehaviorRate(args: NormalizeArgs, up: HPAScalingRules, down: HPAScalingRules): { replicas: number } & ConditionReason {
    const limitArgs = { currentReplicas: args.currentReplicas, upEvents: this.scaleUpEvents.get(args.key) ?? [], downEvents: this.scaleDownEvents.get(args.key) ?? [], now: args.now };
    if (args.desiredReplicas > args.currentReplicas) {
      // Never below the current size: further scale-up waits for old events to leave the period.
      const limit = Math.max(scaleUpLimitWithRules({ ...limitArgs, rules: up }), args.currentReplicas);
      const [maximum, limiting] = args.maxReplicas > limit ? [limit, SCALE_UP_LIMIT] : [args.maxReplicas, TOO_MANY];
      if (args.desiredReplicas > maximum) return { replicas: maximum, ...limiting };
    } else if (args.desiredReplicas < args.currentReplicas) {
      const limit = Math.min(scaleDownLimitWithRules({ ...limitArgs, rules: down }), args.currentReplicas);
      const [minimum, limiting] = args.minReplicas < limit ? [limit, SCALE_DOWN_LIMIT] : [args.minReplicas, TOO_FEW];
      if (args.desiredReplicas < minimum) return { replicas: minimum, ...limiting };
    }
    return { replicas: args.desiredReplicas, ...WITHIN_RANGE };
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  normalizeWithBehaviors(args: NormalizeArgs, behavior: HorizontalPodAutoscalerBehavior): Normalized {
    const { up, down } = effectiveBehavior(behavior, Math.trunc(this.downscaleStabilisationWindowMs / 1000));
    const stabilized = this.stabilizeWithBehaviors(args, up, down);
    const ableToScale = stabilized.replicas !== args.desiredReplicas ? { reason: stabilized.reason, message: stabilized.message } : READY;
    const { replicas, reason, message } = this.convertWithBehaviorRate({ ...args, desiredReplicas: stabilized.replicas }, up, down);
    return { desiredReplicas: replicas, ableToScale, scalingLimited: { status: replicas === stabilized.replicas ? 'False' : 'True', reason, message } };
  }

  /** storeScaleEvent: remembers a rescale for the rate policies (only with spec.behavior). */
  storeScaleEvent(behavior: HorizontalPodAutoscalerBehavior | undefined, key: string, prev: number, next: number, now: number): void {
    if (!behavior) return;
    const { up, down } = effectiveBehavior(behavior, 0);
    const [map, rules, change] = next > prev ? [this.scaleUpEvents, up, next - prev] : [this.scaleDownEvents, down, prev - next];
    const longest = Math.max(0, ...(rules.policies ?? []).map((p) => p.periodSeconds));
    const events = map.get(key) ?? [];
    const cutoff = now - longest * 1000;
    let oldIndex: number | undefined;
    events.forEach((e, i) => {
      if (e.timestamp < cutoff) e.outdated = true;
      if (e.outdated) oldIndex = i;
    });
    const entry = { replicaChange: change, timestamp: now, outdated: false };
    if (oldIndex !== undefined) events[oldIndex] = entry;
    else events.push(entry);
    map.set(key, events);
  }

  scaleEventsOf(key: string): { up: readonly TimestampedScaleEvent[]; down: readonly TimestampedScaleEvent[] } {
    return { up: this.scaleUpEvents.get(key) ?? [], down: this.scaleDownEvents.get(key) ?? [] };
  }
}
