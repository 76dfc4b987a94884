// NodeAffinity: filters on the pod's nodeSelector and required node affinity, and scores the
// sum of weights of the preferred terms a node matches (normalized so the best node gets 100).
import { ActionType, Code, newStatus } from '../framework/interface.js';
import type { CycleState, EnqueueExtensions, FilterPlugin, PreFilterPlugin, PreFilterResult, PreScorePlugin, Result, ScorePlugin } from '../framework/interface.js';
import { affinityNodeNames, preferredTerms, requiredNodeAffinity, type NodeMatcher } from '../../api/scheduling/node-selector.js';
import type { NodeInfo, PodInfo } from '../framework/types.js';
import { defaultNormalizer } from './helper/normalize-score.js';

export const NAME = 'NodeAffinity';
export const ERR_REASON_POD = "node(s) didn't match Pod's node affinity/selector";

const PRE_FILTER_KEY = `PreFilter${NAME}`;
const PRE_SCORE_KEY = `PreScore${NAME}`;

interface PreFilterState {
  required: NodeMatcher | undefined;
}

export class NodeAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin, EnqueueExtensions {
  readonly name = NAME;
  readonly normalizeScore = defaultNormalizer(false);

  preFilter(state: CycleState, pod: PodInfo): PreFilterResult | undefined {
    const required = requiredNodeAffinity(pod.pod);
    state.write(PRE_FILTER_KEY, { required } satisfies PreFilterState);
    if (!required) return { status: newStatus(Code.Skip) };
    const names = affinityNodeNames(pod.pod);
    return names ? { nodeNames: names } : undefined;
  }

  filter(state: CycleState, pod: PodInfo, node: NodeInfo): Result {
    // A cycle that skipped PreFilter (e.g. a unit test) computes the matcher here.
    const s = state.read<PreFilterState>(PRE_FILTER_KEY);
    const required = s ? s.required : requiredNodeAffinity(pod.pod);
    if (!required || required(node.labels, node.name)) return undefined;
    return newStatus(Code.UnschedulableAndUnresolvable, ERR_REASON_POD);
  }

  preScore(state: CycleState, pod: PodInfo): Result {
    const terms = preferredTerms(pod.pod);
    if (terms.length === 0) return newStatus(Code.Skip);
    state.write(PRE_SCORE_KEY, terms);
    return undefined;
  }

  score(state: CycleState, pod: PodInfo, node: NodeInfo): number {
    const terms = state.read<ReturnType<typeof preferredTerms>>(PRE_SCORE_KEY) ?? preferredTerms(pod.pod);
    let sum = 0;
    for (const t of terms) if (t.match(node.labels, node.name)) sum += t.weight;
    return sum;
  }

  eventsToRegister() {
    return [{ resource: 'Node' as const, action: ActionType.Add | ActionType.UpdateNodeLabel }];
  }
}

export const newNodeAffinity = (): NodeAffinity => new NodeAffinity();
