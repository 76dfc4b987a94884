// PodTopologySpread: spreads matching pods evenly over topology domains (nodes, zones).
// DoNotSchedule constraints filter: placing the pod must not make a domain exceed the
// least-loaded domain by more than maxSkew. ScheduleAnyway constraints score: fewer matching
// pods in the node's domain is better. A pod without constraints gets k8s' system defaults
// (hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) over the pods of its own owner — the
// default spreading of a ReplicaSet's pods across nodes.
import type { Pod, TopologySpreadConstraint } from 'kubernetes-types/core/v1';
import { labelSelectorFromObject } from '../../api/labels.js';
import { ActionType, Code, MAX_NODE_SCORE, newStatus } from '../framework/interface.js';
import type { CycleState, EnqueueExtensions, FilterPlugin, Handle, NodeScore, PreFilterPlugin, PreFilterResult, PreScorePlugin, Result, ScorePlugin } from '../framework/interface.js';
import { requiredNodeAffinity, type NodeMatcher } from '../../api/scheduling/node-selector.js';
import { findUntoleratedTaint } from '../../api/scheduling/taints.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { doNotScheduleTaintsFilter } from './helper/taint.js';

export const NAME = 'PodTopologySpread';
export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

interface Selector {
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

export interface Constraint {
  maxSkew: number;
  topologyKey: string;
  minDomains: number;
  selector: Selector;
  /** Count pods by owner instead of by selector (system-default spreading). */
  ownerUid?: string;
  honorAffinity: boolean;
  honorTaints: boolean;
}

/** System-default constraints (k8s' defaultConstraints when `defaultingType: System`). */
const SYSTEM_DEFAULTS = [
  { topologyKey: LABEL_HOSTNAME, maxSkew: 3 },
  { topologyKey: LABEL_ZONE, maxSkew: 5 },
];

function selectorFor(c: TopologySpreadConstraint, pod: Pod): Selector {
  const base = labelSelectorFromObject(c.labelSelector ?? null);
  const keys = (c.matchLabelKeys ?? []).filter((k) => pod.metadata?.labels?.[k] !== undefined);
  if (keys.length === 0) return base;
  // matchLabelKeys: the pod's own values for these keys are ANDed into the selector.
  const extra = keys.map((k) => [k, pod.metadata?.labels?.[k] as string] as const);
  return {
    matches: (labels) => base.matches(labels) && extra.every(([k, v]) => labels?.[k] === v),
    toString: () => [base.toString(), ...extra.map(([k, v]) => `${k}=${v}`)].filter(Boolean).join(','),
  };
}

/** The pod's constraints with the given whenUnsatisfiable, or the system defaults when it has none. */
export function constraintsFor(pod: PodInfo, when: 'DoNotSchedule' | 'ScheduleAnyway'): Constraint[] {
  const explicit = pod.pod.spec?.topologySpreadConstraints ?? [];
  if (explicit.length > 0) {
    return explicit
      .filter((c) => c.whenUnsatisfiable === when)
      .map((c) => ({
        maxSkew: c.maxSkew,
        topologyKey: c.topologyKey,
        minDomains: c.minDomains ?? 1,
        selector: selectorFor(c, pod.pod),
        honorAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor',
        honorTaints: (c.nodeTaintsPolicy ?? 'Ignore') === 'Honor',
      }));
  }
  // No owner, no default selector: k8s builds none and the pod is not spread.
  if (when !== 'ScheduleAnyway' || !pod.ownerUid) return [];
  const uid = pod.ownerUid;
  return SYSTEM_DEFAULTS.map((d) => ({
    ...d,
    minDomains: 1,
    ownerUid: uid,
    selector: { matches: () => true, toString: () => `owner=${uid}` },
    honorAffinity: true,
    honorTaints: false,
  }));
}

const hasAllKeys = (node: NodeInfo, cs: readonly Constraint[]): boolean => cs.every((c) => node.labels[c.topologyKey] !== undefined);

interface FilterState {
  constraints: Constraint[];
  /** Per constraint: domain value → matching pods. */
  counts: Array<Map<string, number>>;
  /** Per constraint: the smallest count over eligible domains (0 when fewer than minDomains). */
  minMatch: number[];
  selfMatch: number[];
}

interface ScoreState {
  constraints: Constraint[];
  ignored: Set<string>;
  counts: Array<Map<string, number>>;
  weights: number[];
  /** Per constraint: how many matching pods a node has (hostname constraints count per node). */
  perNode: Array<((node: NodeInfo) => number) | undefined>;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  private counter(pod: PodInfo, c: Constraint): (node: NodeInfo) => number {
    if (c.ownerUid) {
      const uid = c.ownerUid;
      return (node) => node.podsWithOwner.get(uid) ?? 0;
    }
    const byNode = this.handle.nodes.countMatching(pod.namespace, c.selector);
    return (node) => byNode.get(node.name) ?? 0;
  }

  private eligible(pod: PodInfo, c: Constraint, node: NodeInfo, affinity: NodeMatcher | undefined): boolean {
    if (c.honorAffinity && affinity && !affinity(node.labels, node.name)) return false;
    if (c.honorTaints && findUntoleratedTaint(node.taints, pod.tolerations, doNotScheduleTaintsFilter)) return false;
    return true;
  }

  preFilter(state: CycleState, pod: PodInfo, nodes: readonly NodeInfo[]): PreFilterResult | undefined {
    const constraints = constraintsFor(pod, 'DoNotSchedule');
    if (constraints.length === 0) return { status: newStatus(Code.Skip) };
    const affinity = requiredNodeAffinity(pod.pod);
    const counts = constraints.map(() => new Map<string, number>());
    const counters = constraints.map((c) => this.counter(pod, c));
    for (const node of nodes) {
      if (!hasAllKeys(node, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!this.eligible(pod, c, node, affinity)) return;
        const v = node.labels[c.topologyKey] as string;
        counts[i]!.set(v, (counts[i]!.get(v) ?? 0) + counters[i]!(node));
      });
    }
    const minMatch = constraints.map((c, i) => {
      const m = counts[i]!;
      if (m.size < c.minDomains) return 0;
      let min = Infinity;
      for (const n of m.values()) if (n < min) min = n;
      return min === Infinity ? 0 : min;
    });
    const selfMatch = constraints.map((c) => (c.selector.matches(pod.labels as Record<string, string>) ? 1 : 0));
    state.write(PRE_FILTER_KEY, { constraints, counts, minMatch, selfMatch } satisfies FilterState);
    return undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    let s = state.read<FilterState>(PRE_FILTER_KEY);
    if (!s) {
      // Called without PreFilter (unit tests): compute over every node the cache knows.
      this.preFilter(state, pod, this.handle.nodes.list());
      s = state.read<FilterState>(PRE_FILTER_KEY);
      if (!s) return undefined;
    }
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) return newStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_NODE_LABEL_NOT_MATCH);
      const skew = (s.counts[i]!.get(v) ?? 0) + s.selfMatch[i]! - s.minMatch[i]!;
      if (skew > c.maxSkew) return newStatus(Code.Unschedulable, ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return undefined;
  }

  preScore(state: CycleState, pod: PodInfo, filtered: readonly NodeInfo[]): Result {
    const constraints = constraintsFor(pod, 'ScheduleAnyway');
    if (constraints.length === 0) return newStatus(Code.Skip);
    // Explicit constraints need every topology key on a node; system defaults let nodes
    // without a zone label still be spread by hostname.
    const requireAll = (pod.pod.spec?.topologySpreadConstraints ?? []).length > 0;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    const sizes = constraints.map(() => 0);
    for (const node of filtered) {
      if (requireAll && !hasAllKeys(node, constraints)) {
        ignored.add(node.name);
        continue;
      }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return;
        const v = node.labels[c.topologyKey];
        if (v === undefined || counts[i]!.has(v)) return;
        counts[i]!.set(v, 0);
        sizes[i]!++;
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - ignored.size : sizes[i]!) + 2));
    const affinity = requiredNodeAffinity(pod.pod);
    const counters = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? undefined : this.counter(pod, c)));
    if (counters.some(Boolean)) {
      for (const node of this.handle.nodes.list()) {
        if (requireAll && !hasAllKeys(node, constraints)) continue;
        constraints.forEach((c, i) => {
          const count = counters[i];
          if (!count || !this.eligible(pod, c, node, affinity)) return;
          const v = node.labels[c.topologyKey];
          if (v === undefined || !counts[i]!.has(v)) return;
          counts[i]!.set(v, counts[i]!.get(v)! + count(node));
        });
      }
    }
    const perNode = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? this.counter(pod, c) : undefined));
    state.write(PRE_SCORE_KEY, { constraints, ignored, counts, weights, perNode } satisfies ScoreState);
    return undefined;
  }

  score(state: CycleState, _pod: PodInfo, node: NodeInfo): number {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s || s.ignored.has(node.name)) return 0;
    let score = 0;
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i]!;
      const v = node.labels[c.topologyKey];
      if (v === undefined) continue;
      const perNode = s.perNode[i];
      const cnt = perNode ? perNode(node) : (s.counts[i]!.get(v) ?? 0);
      score += cnt * s.weights[i]! + (c.maxSkew - 1);
    }
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _pod: PodInfo, scores: NodeScore[]): void {
    const s = state.read<ScoreState>(PRE_SCORE_KEY);
    if (!s) return;
    let min = Infinity;
    let max = 0;
    for (const x of scores) {
      if (s.ignored.has(x.name)) continue;
      if (x.score < min) min = x.score;
      if (x.score > max) max = x.score;
    }
    for (const x of scores) {
      if (s.ignored.has(x.name)) x.score = 0;
      else if (max === 0) x.score = MAX_NODE_SCORE;
      else x.score = Math.trunc((MAX_NODE_SCORE * (max + min - x.score)) / max);
    }
  }

  eventsToRegister() {
    return [
      { resource: 'AssignedPod' as const, action: ActionType.All },
      { resource: 'Node' as const, action: ActionType.Add | ActionType.Delete | ActionType.UpdateNodeLabel | ActionType.UpdateNodeTaint },
    ];
  }
}

export const newPodTopologySpread = (_args: unknown, handle: Handle): PodTopologySpread => new PodTopologySpread(handle);
