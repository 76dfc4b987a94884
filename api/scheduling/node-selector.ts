// Node selection terms as k8s' component-helpers/scheduling/corev1/nodeaffinity: a pod's
// nodeSelector map plus required nodeAffinity terms (ORed; within a term, expressions and
// fields are ANDed; an empty term matches nothing). Operators: In, NotIn, Exists,
// DoesNotExist, Gt, Lt; matchFields only knows `metadata.name`.
import type { Node, NodeSelectorRequirement, NodeSelectorTerm, Pod, PreferredSchedulingTerm } from 'kubernetes-types/core/v1';

export type NodeMatcher = (labels: Readonly<Record<string, string>>, name: string) => boolean;

/** Integers as Go's strconv.ParseInt(s, 10, 64) accepts them. */
function parseInteger(s: string): number | undefined {
  return /^[+-]?\d+$/.test(s) ? Number(s) : undefined;
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  const has = value !== undefined;
  switch (r.operator) {
    case 'In':
      return has && (r.values ?? []).includes(value);
    case 'NotIn':
      return !has || !(r.values ?? []).includes(value);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'Gt':
    case 'Lt': {
      if (!has || (r.values ?? []).length !== 1) return false;
      const want = parseInteger((r.values ?? [])[0] ?? '');
      const got = parseInteger(value);
      if (want === undefined || got === undefined) return false;
      return r.operator === 'Gt' ? got > want : got < want;
    }
    default:
      return false;
  }
}

function termMatcher(term: NodeSelectorTerm): NodeMatcher {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // An empty term selects no objects (k8s: "a null or empty node selector term matches no objects").
  if (exprs.length === 0 && fields.length === 0) return () => false;
  return (labels, name) => {
    for (const e of exprs) if (!requirementMatches(e, labels[e.key])) return false;
    for (const f of fields) {
      // Only metadata.name is a valid field; anything else fails to match, as k8s.
      if (f.key !== 'metadata.name' || (f.operator !== 'In' && f.operator !== 'NotIn')) return false;
      if (!requirementMatches(f, name)) return false;
    }
    return true;
  };
}

/** ORed terms (a NodeSelector). */
export function nodeSelectorMatcher(terms: readonly NodeSelectorTerm[]): NodeMatcher {
  const ms = terms.map(termMatcher);
  return (labels, name) => ms.some((m) => m(labels, name));
}

/** The pod's hard node constraints: nodeSelector AND required nodeAffinity (nodeaffinity.GetRequiredNodeAffinity). */
export function requiredNodeAffinity(pod: Pod): NodeMatcher | undefined {
  const sel = pod.spec?.nodeSelector;
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  const selEntries = sel ? Object.entries(sel) : [];
  if (selEntries.length === 0 && terms === undefined) return undefined;
  const affinity = terms !== undefined ? nodeSelectorMatcher(terms) : undefined;
  return (labels, name) => {
    for (const [k, v] of selEntries) if (labels[k] !== v) return false;
    return affinity ? affinity(labels, name) : true;
  };
}

export function nodeMatches(m: NodeMatcher | undefined, node: Node): boolean {
  return m === undefined || m(node.metadata?.labels ?? {}, node.metadata?.name ?? '');
}

/** Preferred terms compiled with their weights; a term with weight 0 is skipped as k8s does. */
export function preferredTerms(pod: Pod): Array<{ weight: number; match: NodeMatcher }> {
  const terms: readonly PreferredSchedulingTerm[] = pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return terms.filter((t) => t.weight !== 0).map((t) => ({ weight: t.weight, match: termMatcher(t.preference) }));
}

/**
 * The node names a pod's required affinity pins it to, when every term is a
 * `metadata.name In [...]` field match (NodeAffinity's PreFilterResult); otherwise undefined.
 */
export function affinityNodeNames(pod: Pod): Set<string> | undefined {
  const terms = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!terms || terms.length === 0) return undefined;
  const names = new Set<string>();
  for (const t of terms) {
    const f = (t.matchFields ?? []).find((x) => x.key === 'metadata.name' && x.operator === 'In');
    if (!f) return undefined;
    for (const v of f.values ?? []) names.add(v);
  }
  return names;
}
