// filterPodsWithPDBViolation (pkg/scheduler/framework/preemption): which preemption victims
// would take a PodDisruptionBudget below its allowance. Preemption gives those back first and
// prefers nodes with the fewest of them; it may still evict them when nothing else helps
// ("honouring PDBs where possible", as in Kubernetes).
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { PodInfo } from '../framework/types.js';

/** Splits `pods` (in their order) into those whose eviction violates a PDB and the rest. */
export function filterPodsWithPDBViolation(pods: readonly PodInfo[], pdbs: readonly PodDisruptionBudget[]): { violating: PodInfo[]; nonViolating: PodInfo[] } {
  const allowed = pdbs.map((p) => p.status?.disruptionsAllowed ?? 0);
  const violating: PodInfo[] = [];
  const nonViolating: PodInfo[] = [];
  for (const pod of pods) {
    let violates = false;
    const name = pod.pod.metadata?.name ?? '';
    pdbs.forEach((pdb, i) => {
      if ((pdb.metadata?.namespace ?? '') !== pod.namespace) return;
      const sel = pdb.spec?.selector;
      // A nil or empty selector matches nothing here, as upstream.
      if (!sel || (!Object.keys(sel.matchLabels ?? {}).length && !(sel.matchExpressions ?? []).length)) return;
      let matches = false;
      try {
        matches = labelSelectorFromObject(sel).matches(pod.labels);
      } catch {
        return;
      }
      if (!matches) return;
      // A pod the disruption controller already counts as disrupted costs nothing more.
      if (pdb.status?.disruptedPods?.[name] !== undefined) return;
      allowed[i] = (allowed[i] ?? 0) - 1;
      if ((allowed[i] ?? 0) < 0) violates = true;
    });
    (violates ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}
