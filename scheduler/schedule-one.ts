// One scheduling decision (k8s schedule_one.go schedulePod): PreFilter, Filter over a sample
// of nodes (stopping once enough feasible ones are found), Score, pick the best. Pure over
// its inputs — the framework and a node list — so it is unit-testable and cheap: the caller
// runs it synchronously against the cache and binds afterwards.
import { Code, CycleState, newStatus, type NodeToStatus, type Status } from './framework/interface.js';
import { fitErrorMessage, type Diagnosis } from './framework/fit-error.js';
import type { Framework } from './framework/runtime.js';
import type { NodeInfo, PodInfo } from './framework/types.js';

export const MIN_FEASIBLE_NODES_TO_FIND = 100;
export const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;
export const DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE = 50;
export const ERR_NO_NODES_AVAILABLE = 'no nodes available to schedule pods';
export const PREFILTER_RESULT_REASON = 'node is filtered out by the prefilter result';

/**
 * How many feasible nodes to look for (numFeasibleNodesToFind): all of them below 100 nodes;
 * otherwise `percentage` (adaptive by default: 50% − nodes/125, at least 5%), never under 100.
 */
export function numFeasibleNodesToFind(percentageOfNodesToScore: number, numAllNodes: number): number {
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND) return numAllNodes;
  let pct = percentageOfNodesToScore;
  if (pct <= 0) {
    pct = DEFAULT_PERCENTAGE_OF_NODES_TO_SCORE - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  if (pct >= 100) return numAllNodes;
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export type ScheduleOutcome =
  | {
      kind: 'scheduled';
      nodeName: string;
      evaluatedNodes: number;
      feasibleNodes: number;
      nextStartIndex: number;
      state: CycleState;
    }
  | {
      kind: 'unschedulable';
      /** Unschedulable or UnschedulableAndUnresolvable (or Error for internal failures). */
      code: Code;
      message: string;
      /** Plugins that rejected the pod somewhere: the queue retries it on events they care about. */
      rejectedBy: Set<string>;
      nominatedNodeName?: string;
      nextStartIndex: number;
      state: CycleState;
    };

export interface ScheduleInput {
  fwk: Framework;
  pod: PodInfo;
  nodes: readonly NodeInfo[];
  /** Where the previous cycle stopped, so every node gets its turn (nextStartNodeIndex). */
  startIndex: number;
  random?: () => number;
}

export function schedulePod(input: ScheduleInput): ScheduleOutcome {
  const { fwk, pod, nodes } = input;
  const state = new CycleState();
  const n = nodes.length;
  const start = n === 0 ? 0 : input.startIndex % n;
  if (n === 0) {
    return { kind: 'unschedulable', code: Code.UnschedulableAndUnresolvable, message: ERR_NO_NODES_AVAILABLE, rejectedBy: new Set(), nextStartIndex: 0, state };
  }
  const pre = fwk.runPreFilter(state, pod, nodes);
  if (pre.status) {
    const diagnosis: Diagnosis = { statuses: new Map(), absentReasons: pre.status.reasons, preFilterMsg: pre.status.reasons.join(', ') };
    return unschedulable(fwk, state, pod, nodes, diagnosis, new Set([pre.status.plugin ?? '']), start, pre.status.code);
  }
  const statuses: NodeToStatus = new Map();
  const rejectedBy = new Set<string>();
  const feasible: NodeInfo[] = [];
  const want = numFeasibleNodesToFind(fwk.percentageOfNodesToScore, n);
  const only = pre.nodeNames;
  let processed = 0;
  for (let i = 0; i < n && feasible.length < want; i++) {
    const node = nodes[(start + i) % n]!;
    processed++;
    if (only && !only.has(node.name)) continue;
    const s = fwk.runFilter(state, pod, node);
    if (s === undefined) feasible.push(node);
    else {
      statuses.set(node.name, s);
      if (s.plugin) rejectedBy.add(s.plugin);
      if (s.code === Code.Error) {
        return { kind: 'unschedulable', code: Code.Error, message: `running "${s.plugin}" filter plugin: ${s.reasons.join(', ')}`, rejectedBy, nextStartIndex: start, state };
      }
    }
  }
  const nextStartIndex = (start + processed) % n;
  if (feasible.length === 0) {
    const diagnosis: Diagnosis = { statuses, absentReasons: only ? [PREFILTER_RESULT_REASON] : [] };
    if (only) rejectedBy.add('NodeAffinity');
    return unschedulable(fwk, state, pod, nodes, diagnosis, rejectedBy, nextStartIndex, Code.Unschedulable);
  }
  if (feasible.length === 1 || !fwk.hasScorePlugins()) {
    return { kind: 'scheduled', nodeName: feasible[0]!.name, evaluatedNodes: processed, feasibleNodes: feasible.length, nextStartIndex, state };
  }
  const totals = fwk.runScore(state, pod, feasible);
  return { kind: 'scheduled', nodeName: selectHost(totals, input.random ?? Math.random), evaluatedNodes: processed, feasibleNodes: feasible.length, nextStartIndex, state };
}

/** The highest total; ties broken uniformly at random (reservoir sampling), as k8s selectHost. */
export function selectHost(totals: ReadonlyArray<{ name: string; score: number }>, random: () => number): string {
  let best = totals[0]!;
  let ties = 1;
  for (let i = 1; i < totals.length; i++) {
    const t = totals[i]!;
    if (t.score > best.score) {
      best = t;
      ties = 1;
    } else if (t.score === best.score) {
      ties++;
      if (random() * ties < 1) best = t;
    }
  }
  return best.name;
}

function unschedulable(
  fwk: Framework,
  state: CycleState,
  pod: PodInfo,
  nodes: readonly NodeInfo[],
  diagnosis: Diagnosis,
  rejectedBy: Set<string>,
  nextStartIndex: number,
  code: Code,
): ScheduleOutcome {
  // PostFilter (preemption) sees every node's status; nodes a PreFilter ruled out count as unresolvable.
  const all: NodeToStatus = new Map(diagnosis.statuses);
  const absent: Status = newStatus(Code.UnschedulableAndUnresolvable, ...(diagnosis.absentReasons ?? []));
  for (const node of nodes) if (!all.has(node.name)) all.set(node.name, absent);
  const post = fwk.runPostFilter(state, pod, all, nodes);
  const postMsg = post.status.reasons.join(', ');
  const message = fitErrorMessage(nodes.length, { ...diagnosis, ...(postMsg ? { postFilterMsg: postMsg } : {}) });
  return {
    kind: 'unschedulable',
    code,
    message,
    rejectedBy,
    ...(post.nominatedNodeName ? { nominatedNodeName: post.nominatedNodeName } : {}),
    nextStartIndex,
    state,
  };
}
