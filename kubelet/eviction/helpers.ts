// Threshold evaluation, the pure half of the eviction manager's synchronize
// (pkg/kubelet/eviction/helpers.go): which thresholds the observed signals meet, for how long
// they have been met (soft thresholds wait out their grace period), which node conditions that
// raises, and how long a condition stays raised after its last observation
// (--eviction-pressure-transition-period, so a node does not flap in and out of pressure).
import {
  SIGNAL_TO_NODE_CONDITION,
  formatSignalQuantity,
  thresholdKey,
  thresholdQuantity,
  type NodeConditionType,
  type Signal,
  type Threshold,
} from './api.js';

/** One signal as observed: what is available out of what capacity. */
export interface SignalObservation {
  available: number;
  capacity: number;
}

export type SignalObservations = Partial<Record<Signal, SignalObservation>>;

/** thresholdsMet: those the observations meet; with enforceMinReclaim, the value is raised by the minimum reclaim (a met threshold is resolved only once that much more is free). */
export function thresholdsMet(thresholds: readonly Threshold[], observations: SignalObservations, enforceMinReclaim: boolean): Threshold[] {
  const out: Threshold[] = [];
  for (const t of thresholds) {
    const observed = observations[t.signal];
    if (!observed) continue;
    let quantity = thresholdQuantity(t.value, observed.capacity);
    if (enforceMinReclaim && t.minReclaim) quantity += thresholdQuantity(t.minReclaim, observed.capacity);
    if (quantity > observed.available) out.push(t);
  }
  return out;
}

/** mergeThresholds: `a` plus the thresholds of `b` not already in it. */
export function mergeThresholds(a: readonly Threshold[], b: readonly Threshold[]): Threshold[] {
  const keys = new Set(a.map(thresholdKey));
  return [...a, ...b.filter((t) => !keys.has(thresholdKey(t)))];
}

/** When each threshold was first met (ms). */
export type ThresholdsObservedAt = Map<string, { threshold: Threshold; at: number }>;

export function thresholdsFirstObservedAt(thresholds: readonly Threshold[], last: ThresholdsObservedAt, now: number): ThresholdsObservedAt {
  const out: ThresholdsObservedAt = new Map();
  for (const t of thresholds) {
    const key = thresholdKey(t);
    out.set(key, { threshold: t, at: last.get(key)?.at ?? now });
  }
  return out;
}

/** thresholdsMetGracePeriod: those met for at least their grace period (hard ones at once). */
export function thresholdsMetGracePeriod(observedAt: ThresholdsObservedAt, now: number): Threshold[] {
  return [...observedAt.values()].filter((o) => now - o.at >= o.threshold.gracePeriodMs).map((o) => o.threshold);
}

/** The order conditions are listed in (upstream lists them in the order thresholds met them). */
const CONDITION_ORDER: NodeConditionType[] = ['MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** nodeConditions: the conditions the thresholds raise. */
export function nodeConditions(thresholds: readonly Threshold[]): NodeConditionType[] {
  const set = new Set(thresholds.map((t) => SIGNAL_TO_NODE_CONDITION[t.signal]));
  return CONDITION_ORDER.filter((c) => set.has(c));
}

/** When each condition was last observed (ms): now for those observed now, the old time for the rest. */
export function nodeConditionsLastObservedAt(conditions: readonly NodeConditionType[], last: ReadonlyMap<NodeConditionType, number>, now: number): Map<NodeConditionType, number> {
  const out = new Map(last);
  for (const c of conditions) out.set(c, now);
  return out;
}

/** nodeConditionsObservedSince: the conditions observed within the transition period. */
export function nodeConditionsObservedSince(observedAt: ReadonlyMap<NodeConditionType, number>, periodMs: number, now: number): NodeConditionType[] {
  return CONDITION_ORDER.filter((c) => {
    const at = observedAt.get(c);
    return at !== undefined && now - at < periodMs;
  });
}

/** byEvictionPriority: memory is reclaimed before anything else (a stable sort otherwise). */
export function sortByEvictionPriority(thresholds: readonly Threshold[]): Threshold[] {
  const rank = (t: Threshold): number => (t.signal === 'memory.available' ? 0 : 1);
  return [...thresholds].sort((a, b) => rank(a) - rank(b));
}

/** What the manager keeps between passes. */
export interface EvictionState {
  thresholdsFirstObservedAt: ThresholdsObservedAt;
  nodeConditionsLastObservedAt: Map<NodeConditionType, number>;
  /** Thresholds met (grace period included) and not yet resolved: they stay until their minimum reclaim is free. */
  thresholdsMet: Threshold[];
  nodeConditions: NodeConditionType[];
}

export function initialEvictionState(): EvictionState {
  return { thresholdsFirstObservedAt: new Map(), nodeConditionsLastObservedAt: new Map(), thresholdsMet: [], nodeConditions: [] };
}

/**
 * One pass of synchronize's bookkeeping: the next state, and the thresholds to reclaim now
 * (grace periods satisfied), memory first.
 */
export function evaluateThresholds(
  state: EvictionState,
  configured: readonly Threshold[],
  observations: SignalObservations,
  now: number,
  pressureTransitionPeriodMs: number,
): { state: EvictionState; toReclaim: Threshold[] } {
  let met = thresholdsMet(configured, observations, false);
  if (state.thresholdsMet.length > 0) met = mergeThresholds(met, thresholdsMet(state.thresholdsMet, observations, true));
  const firstObservedAt = thresholdsFirstObservedAt(met, state.thresholdsFirstObservedAt, now);
  const lastObservedAt = nodeConditionsLastObservedAt(nodeConditions(met), state.nodeConditionsLastObservedAt, now);
  const conditions = nodeConditionsObservedSince(lastObservedAt, pressureTransitionPeriodMs, now);
  const toReclaim = thresholdsMetGracePeriod(firstObservedAt, now);
  return {
    state: { thresholdsFirstObservedAt: firstObservedAt, nodeConditionsLastObservedAt: lastObservedAt, thresholdsMet: toReclaim, nodeConditions: conditions },
    toReclaim: sortByEvictionPriority(toReclaim),
  };
}

/** getThresholdMetInfo: the threshold and what was available, for the first met threshold reclaiming `resource`, formatted. */
export function thresholdMetInfo(thresholds: readonly Threshold[], observations: SignalObservations, matches: (t: Threshold) => boolean): { quantity: string; available: string } | undefined {
  for (const t of thresholds) {
    const o = observations[t.signal];
    if (!matches(t) || !o) continue;
    return { quantity: formatSignalQuantity(t.signal, thresholdQuantity(t.value, o.capacity)), available: formatSignalQuantity(t.signal, o.available) };
  }
  return undefined;
}
