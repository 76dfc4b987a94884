// NodeResourcesBalancedAllocation: prefers nodes whose cpu and memory would be used in
// similar proportions after placing the pod (1 − standard deviation of the fractions).
import { Code, MAX_NODE_SCORE, newStatus, type CycleState, type PreScorePlugin, type Result, type ScorePlugin } from '../framework/interface.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';

export const NAME = 'NodeResourcesBalancedAllocation';

/** k8s balancedResourceScorer over (requested, allocatable) pairs. */
export function balancedScore(pairs: ReadonlyArray<readonly [requested: number, allocatable: number]>): number {
  const fractions: number[] = [];
  for (const [req, alloc] of pairs) {
    if (alloc === 0) continue;
    fractions.push(Math.min(1, req / alloc));
  }
  let std = 0;
  if (fractions.length === 2) {
    std = Math.abs((fractions[0]! - fractions[1]!) / 2);
  } else if (fractions.length > 2) {
    const mean = fractions.reduce((a, b) => a + b, 0) / fractions.length;
    std = Math.sqrt(fractions.reduce((a, f) => a + (f - mean) * (f - mean), 0) / fractions.length);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

export class BalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  /** Best-effort pods request nothing; scoring them for balance would pile them onto a few nodes. */
  preScore(_state: CycleState, pod: PodInfo): Result {
    return pod.requests.milliCPU === 0 && pod.requests.memory === 0 ? newStatus(Code.Skip) : undefined;
  }

  score(_state: CycleState, pod: PodInfo, node: NodeInfo): number {
    return balancedScore([
      [node.requested.milliCPU + pod.requests.milliCPU, node.allocatable.milliCPU],
      [node.requested.memory + pod.requests.memory, node.allocatable.memory],
    ]);
  }
}

export const newBalancedAllocation = (): BalancedAllocation => new BalancedAllocation();
