// What a ResourceQuota admits (plugin/pkg/admission/resourcequota/controller.go checkRequest,
// and generic.Matches / CalculateUsageStats), as pure functions over one quota at a time so the
// admission plugin can re-run them inside its compare-and-swap on the quota object.
import type { Evaluator } from './evaluators.js';
import type { ScopeSelectorRequirement } from './pods.js';
import { add, isZero, lessThanOrEqual, mask, negativeNames, parseResourceList, prettyPrint, prettyPrintNames, subtractNonNegative, type ResourceList } from './resource-list.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});

/** What admission reads from a quota: status.hard and status.used (the controller's), and its scopes. */
export interface QuotaView {
  name: string;
  hard: ResourceList;
  used: ResourceList;
  scopes: ScopeSelectorRequirement[];
}

/** getScopeSelectorsFromQuota: `scopes` as Exists requirements, then scopeSelector.matchExpressions. */
export function scopeSelectors(spec: Rec): ScopeSelectorRequirement[] {
  const out: ScopeSelectorRequirement[] = [];
  for (const s of Array.isArray(spec['scopes']) ? spec['scopes'] : []) if (typeof s === 'string') out.push({ scopeName: s, operator: 'Exists' });
  const exprs = rec(spec['scopeSelector'])['matchExpressions'];
  for (const e of Array.isArray(exprs) ? exprs.map(rec) : []) {
    out.push({ scopeName: String(e['scopeName'] ?? ''), operator: String(e['operator'] ?? ''), ...(Array.isArray(e['values']) ? { values: e['values'].map(String) } : {}) });
  }
  return out;
}

export function quotaView(q: Rec): QuotaView {
  const status = rec(q['status']);
  return {
    name: String(rec(q['metadata'])['name'] ?? ''),
    hard: parseResourceList(status['hard']),
    used: parseResourceList(status['used']),
    scopes: scopeSelectors(rec(q['spec'])),
  };
}

/** Whether every scope of the quota matches the object (no scopes: all objects). */
export function matchesScopes(e: Evaluator, scopes: ScopeSelectorRequirement[], obj: Rec): boolean {
  return scopes.every((s) => e.matchesScope(s, obj));
}

/**
 * The hard names of `q` this object is charged against, or undefined when the quota does not
 * apply (generic.Matches: some hard name is the evaluator's and every scope matches). Throws the
 * admission message when the object misses a required request or the quota has no usage yet.
 */
export function restrictedResources(e: Evaluator, q: QuotaView, obj: Rec): string[] | undefined {
  const restricted = e.matchingResources(Object.keys(q.hard));
  if (!restricted.length || !matchesScopes(e, q.scopes, obj)) return undefined;
  const missing = e.constraints(restricted, obj);
  if (missing) throw new QuotaDenied(`failed quota: ${q.name}: ${missing}`);
  if (restricted.some((r) => q.used[r] === undefined)) throw new QuotaDenied(`status unknown for quota: ${q.name}, resources: ${prettyPrintNames(restricted)}`);
  return restricted;
}

/** A request quota refuses, with the text upstream puts after `<kind> "<name>" is forbidden: `. */
export class QuotaDenied extends Error {}

/**
 * The usage this write adds: the object's usage, less the old object's on update (never below
 * zero per resource). Throws for negative requests.
 */
export function deltaUsage(e: Evaluator, obj: Rec, old: Rec | undefined, now?: number): ResourceList {
  let delta = e.usage(obj, now);
  const negative = negativeNames(delta);
  if (negative.length) throw new QuotaDenied(`quota usage is negative for resource(s): ${prettyPrintNames(negative)}`);
  if (old && rec(old['metadata'])['resourceVersion']) delta = subtractNonNegative(delta, e.usage(old, now));
  return delta;
}

/**
 * The quota's used after charging `delta` (only its hard names), or the `exceeded quota` refusal
 * naming just the resources that would pass hard.
 */
export function charge(q: QuotaView, delta: ResourceList): ResourceList {
  const requested = mask(delta, Object.keys(q.hard));
  const next = add(q.used, requested);
  const [ok, exceeded] = lessThanOrEqual(mask(next, Object.keys(requested)), q.hard);
  if (!ok) {
    throw new QuotaDenied(
      `exceeded quota: ${q.name}, requested: ${prettyPrint(mask(requested, exceeded))}, used: ${prettyPrint(mask(q.used, exceeded))}, limited: ${prettyPrint(mask(q.hard, exceeded))}`,
    );
  }
  return next;
}

export { isZero };
