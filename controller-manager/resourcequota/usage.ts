// CalculateUsage (k8s.io/apiserver/pkg/quota/v1/resources.go + generic.CalculateUsageStats),
// pure: a quota's usage from the objects of its namespace, and the status the controller writes.
import { countedResource, evaluatorFor, objectCountName, type Evaluator } from '../../api/quota/evaluators.js';
import { matchesScopes, scopeSelectors } from '../../api/quota/quota.js';
import { add, equals, formatResourceList, mask, parseResourceList, zeros, type ResourceList } from '../../api/quota/resource-list.js';
import type { ResourceQuota } from 'kubernetes-types/core/v1';

type Rec = Record<string, unknown>;

/** The group-resources whose objects a quota's hard names are charged from. */
export function chargedResources(hard: string[], core: readonly Evaluator[]): { evaluator: Evaluator; names: string[] }[] {
  const out: { evaluator: Evaluator; names: string[] }[] = [];
  const claimed = new Set<string>();
  for (const e of core) {
    const names = e.matchingResources(hard);
    if (names.length) out.push({ evaluator: e, names });
    for (const n of names) claimed.add(n);
  }
  // Other `count/<resource>.<group>` names: a generic object-count evaluator each.
  for (const n of hard) {
    if (claimed.has(n)) continue;
    const gr = countedResource(n);
    if (gr && objectCountName(gr) === n) out.push({ evaluator: evaluatorFor(gr), names: [n] });
  }
  return out;
}

/** One evaluator's part: zero for each of its names, plus each in-scope object's usage masked to them. */
export function usageOf(e: Evaluator, names: string[], objects: readonly Rec[], quotaSpec: Rec, now: number): ResourceList {
  const scopes = scopeSelectors(quotaSpec);
  let used = zeros(names);
  for (const o of objects) if (matchesScopes(e, scopes, o)) used = add(used, mask(e.usage(o, now), names));
  return used;
}

/**
 * syncResourceQuota's result: status.hard = spec.hard, status.used = the previous used
 * overwritten by the new usage, masked to the hard names; undefined when nothing changed.
 */
export function nextStatus(q: ResourceQuota, usage: ResourceList): ResourceQuota['status'] | undefined {
  const specHard = parseResourceList(q.spec?.hard);
  const statusHard = parseResourceList(q.status?.hard);
  const prevUsed = parseResourceList(q.status?.used);
  const used = mask({ ...prevUsed, ...usage }, Object.keys(specHard));
  const dirty = !q.status?.hard || !q.status?.used || !equals(specHard, statusHard) || !equals(used, prevUsed);
  return dirty ? { hard: formatResourceList(specHard), used: formatResourceList(used) } : undefined;
}
