// One scheduling attempt (k8s schedule_one.go). `scheduleOne` pops nothing itself: given a
// queued pod it runs the scheduling cycle — `schedulePod`, pure over the framework and a node
// list, decided synchronously against the cache (cheap, and never double-books since assumed
// pods count) — then assumes the pod and Reserves, and starts the binding cycle in the
// background so several binds are in flight while the next pod is decided.
import { isNotFound } from '../client/index.js';
import { EVENTS } from './framework/events.js';
import { Code, CycleState, newStatus, type NodeToStatus, type Status } from './framework/interface.js';
import { fitErrorMessage, type Diagnosis } from './framework/fit-error.js';
import type { Framework } from './framework/runtime.js';
import type { NodeInfo, PodInfo } from './framework/types.js';
import { updatePodScheduledCondition } from './pod-condition.js';
import type { QueuedPodInfo } from './queue.js';
import type { SchedulerState } from './scheduler-state.js';

/** Runs one pod through the scheduling cycle; on success its binding cycle continues in the background. */
export function scheduleOne(sched: SchedulerState, q: QueuedPodInfo): void {
  const p = q.podInfo;
  const cycle = sched.queue.schedulingCycle;
  const fwk = sched.profiles.get(q.profile);
  // skipPodSchedule: deleted, being deleted, or already assumed (a stale event re-queued it).
  if (!fwk || p.pod.metadata?.deletionTimestamp || sched.cache.isAssumed(p.uid) || !sched.stillPending(p)) {
    sched.queue.done(p.uid);
    return;
  }
  const started = performance.now();
  const out = schedulePod({ fwk, pod: p, nodes: sched.cache.list(), startIndex: sched.nextStartIndex, random: sched.random });
  sched.nextStartIndex = out.nextStartIndex;
  if (out.kind === 'unschedulable') {
    const result = out.code === Code.Error ? 'error' : 'unschedulable';
    sched.metrics.attempts.inc({ result, profile: q.profile });
    sched.metrics.attemptDuration.observe({ result, profile: q.profile }, (performance.now() - started) / 1000);
    handleSchedulingFailure(sched, q, cycle, out.code, out.message, out.rejectedBy, out.nominatedNodeName);
    return;
  }
  const nodeName = out.nodeName;
  const assumed: PodInfo = { ...p, pod: { ...p.pod, spec: { ...p.pod.spec!, nodeName } } };
  sched.cache.assumePod(assumed, nodeName);
  const reserve = fwk.runReserve(out.state, assumed, nodeName);
  if (reserve) {
    fwk.runUnreserve(out.state, assumed, nodeName);
    sched.cache.forgetPod(p.uid);
    sched.metrics.attempts.inc({ result: 'error', profile: q.profile });
    handleSchedulingFailure(sched, q, cycle, Code.Error, `running Reserve plugin "${reserve.plugin}": ${reserve.reasons.join(', ')}`, new Set());
    return;
  }
  sched.bindsInFlight++;
  void bindingCycle(sched, { q, cycle, fwk, state: out.state, assumed, nodeName, started, evaluatedNodes: out.evaluatedNodes, feasibleNodes: out.feasibleNodes });
}

interface Binding {
  q: QueuedPodInfo;
  cycle: number;
  fwk: Framework;
  state: CycleState;
  assumed: PodInfo;
  nodeName: string;
  /** performance.now() when the attempt started. */
  started: number;
  evaluatedNodes: number;
  feasibleNodes: number;
}

/** A PreBind plugin's failure: reported as upstream words it (`running PreBind plugin "VolumeBinding": …`), not as a rejected binding. */
class PreBindError extends Error {}

/** PreBind and Bind plugins, then the `Scheduled` event; on failure the assumed pod is forgotten and the pod retried. Holds one bind slot. */
async function bindingCycle(sched: SchedulerState, b: Binding): Promise<void> {
  const { q, fwk, state, assumed, nodeName } = b;
  const p = q.podInfo;
  try {
    const pre = await fwk.runPreBind(state, assumed, nodeName);
    if (pre) throw new PreBindError(`running PreBind plugin "${pre.plugin}": ${pre.reasons.join(', ')}`);
    const s = await fwk.runBind(state, assumed, nodeName);
    if (s) throw new Error(`running Bind plugin "${s.plugin}": ${s.reasons.join(', ')}`);
    sched.cache.finishBinding(p.uid);
    const seconds = (performance.now() - b.started) / 1000;
    sched.metrics.attempts.inc({ result: 'scheduled', profile: q.profile });
    sched.metrics.attemptDuration.observe({ result: 'scheduled', profile: q.profile }, seconds);
    sched.metrics.e2eLatency.observe({ attempts: String(Math.min(q.attempts, 16)) }, (Date.now() - q.initialAttemptTimestamp) / 1000);
    sched.log.debug({ pod: p.key, node: nodeName, evaluatedNodes: b.evaluatedNodes, feasibleNodes: b.feasibleNodes }, 'bound pod');
    sched.recorderFor(p).event(p.pod, 'Normal', 'Scheduled', `Successfully assigned ${p.key} to ${nodeName}`);
    sched.queue.done(p.uid);
  } catch (e) {
    fwk.runUnreserve(state, assumed, nodeName);
    sched.cache.forgetPod(p.uid);
    // What this pod held is free again: others may now fit (k8s moves pods on bind failure too).
    sched.queue.moveAllToActiveOrBackoffQueue(EVENTS.assignedPodDelete);
    sched.metrics.attempts.inc({ result: 'error', profile: q.profile });
    const message = e instanceof PreBindError ? e.message : `binding rejected: ${e instanceof Error ? e.message : String(e)}`;
    handleSchedulingFailure(sched, q, b.cycle, Code.Error, message, new Set());
  } finally {
    sched.releaseBindSlot();
  }
}

/**
 * The pod goes back to the queue (unschedulablePods, retried on the events the rejecting
 * plugins registered; errors with backoff), gets a FailedScheduling event and PodScheduled=False.
 */
export function handleSchedulingFailure(
  sched: SchedulerState,
  q: QueuedPodInfo,
  cycle: number,
  code: Code,
  message: string,
  rejectedBy: Set<string>,
  nominatedNodeName?: string,
): void {
  const p = q.podInfo;
  const cur = sched.stillPending(p);
  if (!cur) {
    sched.queue.done(p.uid);
    return;
  }
  q.unschedulablePlugins = code === Code.Error ? new Set() : rejectedBy;
  sched.queue.addUnschedulableIfNotPresent(q, cycle);
  const reason = code === Code.Error ? 'SchedulerError' : 'Unschedulable';
  sched.log.info({ pod: p.key, reason, message }, 'unable to schedule pod');
  sched.recorderFor(p).event(cur, 'Warning', 'FailedScheduling', message);
  void updatePodScheduledCondition(sched.pods.inNamespace(p.namespace), cur, reason, message, nominatedNodeName).catch((e: unknown) => {
    if (!isNotFound(e)) sched.log.warn({ pod: p.key, err: e }, 'could not update pod condition');
  });
}

// ---- the decision: pure over the framework and the nodes ----

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
