// `kubectl auth can-i --list`'s table from a SelfSubjectRulesReview status: every rule broken
// down to one verb/resource/name (kubectl's rbac.BreakdownRule), rules for the same single
// group/resource/name merged back with their verbs in first-seen order (CompactRules), then a
// stable sort on the text of Go's generated PolicyRule.String(), which puts verbs first.
import { tabulate } from './printers/tabwriter.js';

export interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
  nonResourceURLs: string[];
}

interface ResourceRule {
  verbs?: string[];
  apiGroups?: string[];
  resources?: string[];
  resourceNames?: string[];
}

interface NonResourceRule {
  verbs?: string[];
  nonResourceURLs?: string[];
}

export interface SubjectRulesReviewStatus {
  resourceRules?: ResourceRule[];
  nonResourceRules?: NonResourceRule[];
  incomplete?: boolean;
  evaluationError?: string;
}

const rule = (r: Partial<PolicyRule>): PolicyRule => ({ verbs: [], apiGroups: [], resources: [], resourceNames: [], nonResourceURLs: [], ...r });

/** The status' rules as RBAC PolicyRules, resource rules first. */
export function toPolicyRules(status: SubjectRulesReviewStatus): PolicyRule[] {
  return [
    ...(status.resourceRules ?? []).map((r) => rule({ verbs: r.verbs ?? [], apiGroups: r.apiGroups ?? [], resources: r.resources ?? [], resourceNames: r.resourceNames ?? [] })),
    ...(status.nonResourceRules ?? []).map((r) => rule({ verbs: r.verbs ?? [], nonResourceURLs: r.nonResourceURLs ?? [] })),
  ];
}

/** One rule per (group, resource, verb[, name]) and per (URL, verb). */
export function breakdownRule(r: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of r.apiGroups) {
    for (const resource of r.resources) {
      for (const verb of r.verbs) {
        if (r.resourceNames.length > 0) {
          for (const name of r.resourceNames) out.push(rule({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] }));
        } else out.push(rule({ apiGroups: [group], resources: [resource], verbs: [verb] }));
      }
    }
  }
  for (const url of r.nonResourceURLs) for (const verb of r.verbs) out.push(rule({ nonResourceURLs: [url], verbs: [verb] }));
  return out;
}

/** The key of a rule naming one group, one resource and at most one name (and no URLs). */
function simpleKey(r: PolicyRule): string | undefined {
  if (r.resourceNames.length > 1 || r.nonResourceURLs.length > 0) return undefined;
  if (r.apiGroups.length !== 1 || r.resources.length !== 1) return undefined;
  return JSON.stringify([r.apiGroups[0], r.resources[0], r.resourceNames.length > 0, r.resourceNames[0] ?? '']);
}

/** Merges simple rules that differ only by verb; other rules are kept as they are. */
export function compactRules(rules: PolicyRule[]): PolicyRule[] {
  const compacted: PolicyRule[] = [];
  const simple = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = simpleKey(r);
    if (key === undefined) {
      compacted.push(r);
      continue;
    }
    const existing = simple.get(key);
    if (!existing) simple.set(key, { ...r, verbs: [...r.verbs] });
    else for (const v of r.verbs) if (!existing.verbs.includes(v)) existing.verbs.push(v);
  }
  return [...compacted, ...simple.values()];
}

/** fmt's %v of a []string. */
const list = (xs: string[]): string => `[${xs.join(' ')}]`;

/** Go's generated `(*PolicyRule).String()`, the sort key kubectl uses. */
export function policyRuleString(r: PolicyRule): string {
  return `&PolicyRule{Verbs:${list(r.verbs)},APIGroups:${list(r.apiGroups)},Resources:${list(r.resources)},ResourceNames:${list(r.resourceNames)},NonResourceURLs:${list(r.nonResourceURLs)},}`;
}

const byBytes = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Sorted as kubectl sorts (Array.prototype.sort is stable, as sort.Stable). */
export function sortRules(rules: PolicyRule[]): PolicyRule[] {
  return rules.map((r) => [policyRuleString(r), r] as const).sort((a, b) => byBytes(a[0], b[0])).map(([, r]) => r);
}

/** `pods.apps/log`: the resource with its group, keeping a subresource after the group. */
export function combineResourceGroup(resources: string[], groups: string[]): string {
  if (resources.length === 0) return '';
  const slash = resources[0]!.indexOf('/');
  const base = slash < 0 ? resources[0]! : resources[0]!.slice(0, slash);
  let out = base;
  if (groups.length > 0 && groups[0] !== '') out += `.${groups[0]}`;
  if (slash >= 0) out += `/${resources[0]!.slice(slash + 1)}`;
  return out;
}

/** The whole `can-i --list` table. */
export function accessTable(status: SubjectRulesReviewStatus, noHeaders: boolean): string {
  const rules = sortRules(compactRules(toPolicyRules(status).flatMap(breakdownRule)));
  let text = noHeaders ? '' : 'Resources\tNon-Resource URLs\tResource Names\tVerbs\n';
  for (const r of rules) text += `${combineResourceGroup(r.resources, r.apiGroups)}\t${list(r.nonResourceURLs)}\t${list(r.resourceNames)}\t${list(r.verbs)}\n`;
  return tabulate(text);
}
