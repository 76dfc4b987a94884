// framework.FitError's message, exactly as kube-scheduler words it:
//   "0/3 nodes are available: 1 node(s) had untolerated taint {k: v}, 2 Insufficient cpu.
//    preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling."
// Reasons are counted over nodes, rendered "<count> <reason>" and sorted as strings.
import type { NodeToStatus } from './interface.js';

export interface Diagnosis {
  /** Why each node was rejected. */
  statuses: NodeToStatus;
  /** Reasons for nodes that are not in `statuses` (k8s' AbsentNodesStatus). */
  absentReasons?: readonly string[];
  /** A PreFilter rejection replaces the per-node histogram. */
  preFilterMsg?: string;
  postFilterMsg?: string;
}

export function reasonHistogram(numAllNodes: number, d: Diagnosis): string[] {
  const counts = new Map<string, number>();
  for (const s of d.statuses.values()) for (const r of s.reasons) counts.set(r, (counts.get(r) ?? 0) + 1);
  const absent = numAllNodes - d.statuses.size;
  if (absent > 0) for (const r of d.absentReasons ?? []) counts.set(r, (counts.get(r) ?? 0) + absent);
  // Go's sort.Strings: byte-wise order, which JS's default sort matches for these ASCII strings.
  return [...counts].map(([r, n]) => `${n} ${r}`).sort();
}

export function fitErrorMessage(numAllNodes: number, d: Diagnosis): string {
  let msg = `0/${numAllNodes} nodes are available:`;
  if (d.preFilterMsg) {
    msg += ` ${d.preFilterMsg}.`;
  } else {
    const hist = reasonHistogram(numAllNodes, d);
    if (hist.length) msg += ` ${hist.join(', ')}.`;
  }
  if (d.postFilterMsg) msg += ` ${d.postFilterMsg}`;
  return msg;
}
