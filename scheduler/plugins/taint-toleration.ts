// TaintToleration: a node's NoSchedule/NoExecute taints keep out pods that do not tolerate
// them; PreferNoSchedule taints only lower the score (fewer untolerated ones is better).
import type { Taint, Toleration } from 'kubernetes-types/core/v1';
import { ActionType, Code, newStatus } from '../framework/interface.js';
import type { CycleState, EnqueueExtensions, FilterPlugin, PreScorePlugin, Result, ScorePlugin } from '../framework/interface.js';
import { findUntoleratedTaint, formatTaint, tolerationsTolerateTaint } from '../../api/scheduling/taints.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { defaultNormalizer } from './helper/normalize-score.js';
import { doNotScheduleTaintsFilter } from './helper/taint.js';

export const NAME = 'TaintToleration';
const PRE_SCORE_KEY = `PreScore${NAME}`;

/** The reason for one untolerated taint, as k8s words it. */
export function untoleratedTaintReason(t: Pick<Taint, 'key' | 'value'>): string {
  return `node(s) had untolerated taint ${formatTaint(t)}`;
}

export class TaintToleration implements FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  readonly normalizeScore = defaultNormalizer(true);

  filter(_state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    if (node.taints.length === 0) return undefined;
    const taint = findUntoleratedTaint(node.taints, pod.tolerations, doNotScheduleTaintsFilter);
    return taint ? newStatus(Code.UnschedulableAndUnresolvable, untoleratedTaintReason(taint)) : undefined;
  }

  preScore(state: CycleState, pod: PodInfo): Result {
    // Tolerations with an empty effect tolerate every effect, PreferNoSchedule included.
    state.write(PRE_SCORE_KEY, pod.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'));
    return undefined;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const tolerations = state.read<Toleration[]>(PRE_SCORE_KEY) ?? pod.tolerations;
    let n = 0;
    for (const t of node.taints) if (t.effect === 'PreferNoSchedule' && !tolerationsTolerateTaint(tolerations, t)) n++;
    return n;
  }

  eventsToRegister() {
    return [{ resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeTaint }];
  }
}

export const newTaintToleration = (): TaintToleration => new TaintToleration();
