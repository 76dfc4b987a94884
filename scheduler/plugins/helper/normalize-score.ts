// pluginhelper.DefaultNormalizeScore: scale raw scores so the largest becomes maxPriority
// (integer division, as k8s), optionally reversed so that fewer is better.
import { MAX_NODE_SCORE, type CycleState, type NodeScore } from '../../framework/interface.js';
import type { PodInfo } from '../../framework/types.js';

export function defaultNormalizeScore(maxPriority: number, reverse: boolean, scores: NodeScore[]): void {
  let maxCount = 0;
  for (const s of scores) if (s.score > maxCount) maxCount = s.score;
  if (maxCount === 0) {
    if (reverse) for (const s of scores) s.score = maxPriority;
    return;
  }
  for (const s of scores) {
    let v = Math.trunc((maxPriority * s.score) / maxCount);
    if (reverse) v = maxPriority - v;
    s.score = v;
  }
}

/** A NormalizeScore hook that is just the default scaling to [0, MAX_NODE_SCORE] (the common case). */
export function defaultNormalizer(reverse: boolean): (state: CycleState, pod: PodInfo, scores: NodeScore[]) => void {
  return (_state, _pod, scores) => defaultNormalizeScore(MAX_NODE_SCORE, reverse, scores);
}
