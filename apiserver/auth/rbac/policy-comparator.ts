// Whether one set of rules grants everything another does (k8s.io/component-helpers
// auth/rbac/validation/policy_comparator.go): the heart of escalation prevention and of
// reconciling the bootstrap policy. Servant rules are broken down to single
// group/resource/verb/name tuples, so each tuple is either wholly covered by one owner rule or
// not at all, and what is left over is exactly what the owner lacks.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import { API_GROUP_ALL, RESOURCE_ALL, VERB_ALL, nonResourceURLCovers } from './rules.js';

export interface CoversResult {
  covered: boolean;
  /** The broken-down servant rules no owner rule covers. */
  uncovered: PolicyRule[];
}

/** One rule per (group, resource, verb[, name]) and per (nonResourceURL, verb) — BreakdownRule. */
export function breakdownRule(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) {
          for (const name of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], verbs: [verb], resourceNames: [name] });
        } else out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
      }
    }
  }
  // Non-resource URLs only combine with verbs.
  for (const url of rule.nonResourceURLs ?? []) for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  return out;
}

function has(set: readonly string[] | undefined, s: string): boolean {
  return !!set && set.includes(s);
}

function hasAll(set: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  for (const w of wanted ?? []) if (!has(set, w)) return false;
  return true;
}

function resourceCoversAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  if (has(owner, RESOURCE_ALL) || hasAll(owner, wanted)) return true;
  for (const path of wanted ?? []) {
    if (has(owner, path)) continue;
    const slash = path.indexOf('/');
    // A plain resource is only covered by itself or `*`; a subresource also by `*/<sub>`.
    if (slash < 0 || !has(owner, `*/${path.slice(slash + 1)}`)) return false;
  }
  return true;
}

function nonResourceURLsCoverAll(owner: readonly string[] | undefined, wanted: readonly string[] | undefined): boolean {
  for (const path of wanted ?? []) if (!(owner ?? []).some((o) => nonResourceURLCovers(o, path))) return false;
  return true;
}

/** Whether `owner` (any shape) covers `sub` (at most one verb, resource and name). */
export function ruleCovers(owner: PolicyRule, sub: PolicyRule): boolean {
  const verbs = has(owner.verbs, VERB_ALL) || hasAll(owner.verbs, sub.verbs);
  const groups = has(owner.apiGroups, API_GROUP_ALL) || hasAll(owner.apiGroups, sub.apiGroups);
  const resources = resourceCoversAll(owner.resources, sub.resources);
  const urls = nonResourceURLsCoverAll(owner.nonResourceURLs, sub.nonResourceURLs);
  // An owner restricted to names never covers a request for every name.
  const names = sub.resourceNames?.length ? !owner.resourceNames?.length || hasAll(owner.resourceNames, sub.resourceNames) : !owner.resourceNames?.length;
  return verbs && groups && resources && urls && names;
}

/** Covers(ownerRules, servantRules): whether the owner holds every permission of the servant, and what it lacks. */
export function covers(ownerRules: readonly PolicyRule[], servantRules: readonly PolicyRule[]): CoversResult {
  const uncovered: PolicyRule[] = [];
  for (const servant of servantRules) {
    for (const sub of breakdownRule(servant)) if (!ownerRules.some((o) => ruleCovers(o, sub))) uncovered.push(sub);
  }
  return { covered: uncovered.length === 0, uncovered };
}
