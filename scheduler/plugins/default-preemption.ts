// DefaultPreemption (PostFilter): when a pod fits nowhere, find a node where evicting pods of
// lower priority would make it fit, evict the fewest/least important of them and nominate
// that node. When no node qualifies, it explains why per node — "Preemption is not helpful
// for scheduling" where removing pods cannot help (taints, affinity, …), "No preemption
// victims found for incoming pod" where nothing has a lower priority — which becomes the
// "preemption: …" half of the FailedScheduling message.
import { Code, newStatus } from '../framework/interface.js';
import type { CycleState, Handle, NodeToStatus, PostFilterPlugin, PostFilterResult, Status } from '../framework/interface.js';
import { fitErrorMessage } from '../framework/fit-error.js';
import { NodeInfo, type PodInfo } from '../framework/types.js';
import { filterPodsWithPDBViolation } from './pdb-violation.js';

export const NAME = 'DefaultPreemption';
export const NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';

interface Candidate {
  node: string;
  victims: PodInfo[];
  /** Victims whose eviction violates a PodDisruptionBudget. */
  pdbViolations: number;
}

/** pickOneNodeForPreemption: fewest PDB violations, lowest top victim priority, then lowest priority sum, then fewest victims. */
function better(a: Candidate, b: Candidate): boolean {
  if (a.pdbViolations !== b.pdbViolations) return a.pdbViolations < b.pdbViolations;
  const top = (c: Candidate) => Math.max(...c.victims.map((v) => v.priority));
  const sum = (c: Candidate) => c.victims.reduce((s, v) => s + v.priority, 0);
  if (top(a) !== top(b)) return top(a) < top(b);
  if (sum(a) !== sum(b)) return sum(a) < sum(b);
  return a.victims.length < b.victims.length;
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  postFilter(state: CycleState, pod: PodInfo, statuses: NodeToStatus, allNodes: readonly NodeInfo[]): PostFilterResult {
    if (pod.pod.spec?.preemptionPolicy === 'Never') {
      return { status: newStatus(Code.Unschedulable, 'preemption: not eligible due to preemptionPolicy=Never.') };
    }
    const why: NodeToStatus = new Map();
    let best: Candidate | undefined;
    for (const node of allNodes) {
      const st = statuses.get(node.name);
      if (!st || st.code === Code.UnschedulableAndUnresolvable) {
        why.set(node.name, newStatus(Code.UnschedulableAndUnresolvable, NOT_HELPFUL));
        continue;
      }
      const c = this.selectVictimsOnNode(state, pod, node);
      if ('code' in c) why.set(node.name, c);
      else if (!best || better(c, best)) best = c;
    }
    if (!best) {
      const msg = fitErrorMessage(allNodes.length, { statuses: why, absentReasons: [NOT_HELPFUL] });
      return { status: newStatus(Code.Unschedulable, `preemption: ${msg}`) };
    }
    for (const v of best.victims) void this.handle.evictPod?.(v, pod);
    return { status: newStatus(Code.Unschedulable), nominatedNodeName: best.node };
  }

  /**
   * Removes every lower-priority pod, checks the fit, then gives back ("reprieves") as many as
   * still allow it: PDB-protected ones first, then the rest, most important first.
   */
  private selectVictimsOnNode(state: CycleState, pod: PodInfo, node: NodeInfo): Candidate | Status {
    const lower = [...node.pods.values()].filter((p) => p.priority < pod.priority);
    if (lower.length === 0) return newStatus(Code.UnschedulableAndUnresolvable, NO_VICTIMS);
    const sim = new NodeInfo(node.name, node.node);
    for (const p of node.pods.values()) if (p.priority >= pod.priority) sim.addPod(p);
    const fits = (): Status | undefined => this.handle.runFilters?.(state, pod, sim);
    const st = fits();
    if (st && st.code !== Code.Success) return st;
    const victims: PodInfo[] = [];
    let pdbViolations = 0;
    lower.sort((a, b) => b.priority - a.priority);
    // Pods a PDB protects are given back first, so they are evicted only when nothing else helps.
    const { violating, nonViolating } = filterPodsWithPDBViolation(lower, this.handle.pdbs?.() ?? []);
    const reprieve = (p: PodInfo): boolean => {
      sim.addPod(p);
      const again = fits();
      if (again && again.code !== Code.Success) {
        sim.removePod(p.uid);
        victims.push(p);
        return false;
      }
      return true;
    };
    for (const p of violating) if (!reprieve(p)) pdbViolations++;
    for (const p of nonViolating) reprieve(p);
    return victims.length ? { node: node.name, victims, pdbViolations } : newStatus(Code.UnschedulableAndUnresolvable, NO_VICTIMS);
  }
}

export const newDefaultPreemption = (_args: unknown, handle: Handle): DefaultPreemption => new DefaultPreemption(handle);
