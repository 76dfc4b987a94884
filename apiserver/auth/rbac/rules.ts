// Whether one PolicyRule allows a request (k8s.io/kubernetes pkg/apis/rbac/v1
// evaluation_helpers.go and the RBAC authorizer's RuleAllows). Pure and allocation-free: the
// authorizer runs these for every rule it visits on every request.
import type { PolicyRule } from 'kubernetes-types/rbac/v1';
import type { Attributes } from '../types.js';

export const VERB_ALL = '*';
export const API_GROUP_ALL = '*';
export const RESOURCE_ALL = '*';
export const NON_RESOURCE_ALL = '*';

/** The request attributes a rule is matched against (Attributes without the user). */
export type RuleAttributes = Pick<Attributes, 'verb' | 'resourceRequest' | 'path' | 'apiGroup' | 'resource' | 'subresource' | 'name'>;

export function verbMatches(rule: PolicyRule, verb: string): boolean {
  for (const v of rule.verbs ?? []) if (v === VERB_ALL || v === verb) return true;
  return false;
}

export function apiGroupMatches(rule: PolicyRule, group: string): boolean {
  for (const g of rule.apiGroups ?? []) if (g === API_GROUP_ALL || g === group) return true;
  return false;
}

/**
 * `combined` is `resource/subresource` (or just `resource`). A rule matches with `*`, the exact
 * combined name, or `*\/<subresource>` for any resource's subresource of that name.
 */
export function resourceMatches(rule: PolicyRule, combined: string, subresource: string): boolean {
  for (const r of rule.resources ?? []) {
    if (r === RESOURCE_ALL || r === combined) return true;
    if (subresource && r.length === subresource.length + 2 && r.startsWith('*/') && r.endsWith(subresource)) return true;
  }
  return false;
}

/** No resourceNames = every name; otherwise the request's name must be listed (so a nameless list/create never matches). */
export function resourceNameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames;
  if (!names || names.length === 0) return true;
  for (const n of names) if (n === name) return true;
  return false;
}

/** Exact path, `*`, or a prefix ending in `*` (`/apis/*` matches `/apis/v1` but not `/apis`). */
export function nonResourceURLCovers(ruleURL: string, path: string): boolean {
  if (ruleURL === NON_RESOURCE_ALL || ruleURL === path) return true;
  if (!ruleURL.endsWith('*')) return false;
  // Go's strings.TrimRight(url, "*") drops every trailing star.
  let end = ruleURL.length;
  while (end > 0 && ruleURL.charCodeAt(end - 1) === 42 /* * */) end--;
  return path.startsWith(end === ruleURL.length ? ruleURL : ruleURL.slice(0, end));
}

export function nonResourceURLMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) if (nonResourceURLCovers(u, path)) return true;
  return false;
}

/** The `resource/subresource` name rules are matched against. */
export function combinedResource(a: Pick<Attributes, 'resource' | 'subresource'>): string {
  return a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
}

/**
 * RuleAllows with the combined resource computed once by the caller (the authorizer checks many
 * rules per request and would otherwise build the same string for each).
 */
export function ruleAllowsCombined(a: RuleAttributes, combined: string, rule: PolicyRule): boolean {
  if (!verbMatches(rule, a.verb)) return false;
  if (!a.resourceRequest) return nonResourceURLMatches(rule, a.path);
  return apiGroupMatches(rule, a.apiGroup) && resourceMatches(rule, combined, a.subresource) && resourceNameMatches(rule, a.name);
}

/** Whether `rule` allows the request (Kubernetes' rbac.RuleAllows). */
export function ruleAllows(a: RuleAttributes, rule: PolicyRule): boolean {
  return ruleAllowsCombined(a, a.resourceRequest ? combinedResource(a) : '', rule);
}

/** Whether any of `rules` allows the request (rbac.RulesAllow; the Node authorizer uses it with NODE_RULES). */
export function rulesAllow(a: RuleAttributes, rules: readonly PolicyRule[]): boolean {
  const combined = a.resourceRequest ? combinedResource(a) : '';
  for (const r of rules) if (ruleAllowsCombined(a, combined, r)) return true;
  return false;
}
