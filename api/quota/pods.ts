// The pod quota evaluator's pure parts (pkg/quota/v1/evaluator/core/pods.go): what a pod is
// charged, which containers miss a request a quota requires, and which quota scopes it matches.
import { podQOSClass } from '../qos.js';
import type { Quantity } from '../quantity.js';
import { add, parseResourceList, type ResourceList } from './resource-list.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const arr = (v: unknown): Rec[] => (Array.isArray(v) ? v.map(rec) : []);

const ONE: Quantity = { nanos: 1_000_000_000n, format: 'DecimalSI' };

export const POD_COUNT = 'count/pods';

/** The resources the pod evaluator tracks (podResources; hugepages by prefix). */
export const POD_RESOURCES = new Set([
  POD_COUNT, 'cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage',
  'limits.cpu', 'limits.memory', 'limits.ephemeral-storage', 'pods',
]);
const POD_RESOURCE_PREFIXES = ['hugepages-', 'requests.hugepages-'];

/**
 * Quotas on these make every container declare the matching request or limit — a mistake
 * upstream keeps for compatibility (validationSet), and so do we.
 */
const VALIDATION_SET = new Set(['cpu', 'memory', 'requests.cpu', 'requests.memory', 'limits.cpu', 'limits.memory']);

/** Resources not in *kubernetes.io/ and not unprefixed, quotable as `requests.<name>` (isExtendedResourceNameForQuota). */
function isExtendedForQuota(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return !native && name.startsWith('requests.');
}

export function podMatchingResources(names: string[]): string[] {
  return names.filter((n) => POD_RESOURCES.has(n) || POD_RESOURCE_PREFIXES.some((p) => n.startsWith(p)) || isExtendedForQuota(n));
}

function max(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, q] of Object.entries(b)) if (!out[k] || q.nanos > out[k]!.nanos) out[k] = q;
  return out;
}

/**
 * PodRequests / PodLimits (pkg/api/v1/resource): the containers' sum, sidecars (restartable
 * init containers) added, at least the largest init container's need while it runs, plus overhead.
 */
export function podResourceTotal(pod: Rec, which: 'requests' | 'limits'): ResourceList {
  const spec = rec(pod['spec']);
  const of = (c: Rec): ResourceList => parseResourceList(rec(c['resources'])[which]);
  let total: ResourceList = {};
  for (const c of arr(spec['containers'])) total = add(total, of(c));
  let sidecars: ResourceList = {};
  let initMax: ResourceList = {};
  for (const c of arr(spec['initContainers'])) {
    if (c['restartPolicy'] === 'Always') {
      total = add(total, of(c));
      sidecars = add(sidecars, of(c));
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(of(c), sidecars));
    }
  }
  total = max(total, initMax);
  return add(total, parseResourceList(spec['overhead']));
}

/** podComputeUsageHelper: `pods: 1` and each request/limit under its quota names. */
export function computeUsage(requests: ResourceList, limits: ResourceList): ResourceList {
  const out: ResourceList = { pods: ONE };
  for (const r of ['cpu', 'memory', 'ephemeral-storage']) {
    if (requests[r]) out[r] = out[`requests.${r}`] = requests[r]!;
    if (limits[r]) out[`limits.${r}`] = limits[r]!;
  }
  for (const [r, q] of Object.entries(requests)) {
    if (r.startsWith('hugepages-')) out[r] = out[`requests.${r}`] = q;
    else if (r.includes('/') && !r.includes('kubernetes.io/')) out[`requests.${r}`] = q;
  }
  return out;
}

/**
 * QuotaV1Pod: terminal pods (Succeeded, Failed) and pods stuck terminating past their grace
 * period are not charged compute or `pods` — only `count/pods`, which counts every stored pod.
 */
export function podCharged(pod: Rec, now: number): boolean {
  const phase = rec(pod['status'])['phase'];
  if (phase === 'Succeeded' || phase === 'Failed') return false;
  const meta = rec(pod['metadata']);
  const del = meta['deletionTimestamp'];
  const grace = meta['deletionGracePeriodSeconds'];
  if (typeof del === 'string' && typeof grace === 'number') {
    const t = Date.parse(del);
    if (!Number.isNaN(t) && now > t + grace * 1000) return false;
  }
  return true;
}

/** PodUsageFunc. */
export function podUsage(pod: Rec, now: number = Date.now()): ResourceList {
  const out: ResourceList = { [POD_COUNT]: ONE };
  if (!podCharged(pod, now)) return out;
  return add(out, computeUsage(podResourceTotal(pod, 'requests'), podResourceTotal(pod, 'limits')));
}

/**
 * Constraints: with cpu/memory quotas, every container (init ones too) must set them; the
 * message lists, per missing resource in order, the containers that lack it.
 */
export function podConstraints(required: string[], pod: Rec): string | undefined {
  const req = required.filter((r) => VALIDATION_SET.has(r));
  if (!req.length) return undefined;
  const missing = new Map<string, Set<string>>();
  const spec = rec(pod['spec']);
  for (const c of [...arr(spec['containers']), ...arr(spec['initContainers'])]) {
    const res = rec(c['resources']);
    const usage = computeUsage(parseResourceList(res['requests']), parseResourceList(res['limits']));
    for (const r of req) {
      if (usage[r]) continue;
      const names = missing.get(r) ?? new Set<string>();
      names.add(String(c['name'] ?? ''));
      missing.set(r, names);
    }
  }
  if (!missing.size) return undefined;
  const parts = [...missing.keys()].sort().map((r) => `${r} for: ${[...missing.get(r)!].sort().join(',')}`);
  return `must specify ${parts.join('; ')}`;
}

export interface ScopeSelectorRequirement {
  scopeName: string;
  operator: string;
  values?: string[];
}

/** isTerminating: activeDeadlineSeconds ≥ 0. */
function isTerminating(pod: Rec): boolean {
  const d = rec(pod['spec'])['activeDeadlineSeconds'];
  return typeof d === 'number' && d >= 0;
}

/** PriorityClass scope: a label selector on the one "label" PriorityClass=<priorityClassName>. */
function matchesPriorityClass(pod: Rec, sel: ScopeSelectorRequirement): boolean {
  const pc = rec(pod['spec'])['priorityClassName'];
  const has = typeof pc === 'string' && pc !== '';
  const values = sel.values ?? [];
  switch (sel.operator) {
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
    case 'In':
      return has && values.includes(pc as string);
    case 'NotIn':
      return !has || !values.includes(pc as string);
    default:
      return false;
  }
}

/** usesCrossNamespacePodAffinity: an affinity term naming namespaces or a namespace selector. */
function crossNamespaceAffinity(pod: Rec): boolean {
  const aff = rec(rec(pod['spec'])['affinity']);
  const terms = [aff['podAffinity'], aff['podAntiAffinity']].map(rec).flatMap((a) => [
    ...arr(a['requiredDuringSchedulingIgnoredDuringExecution']),
    ...arr(a['preferredDuringSchedulingIgnoredDuringExecution']).map((w) => rec(w['podAffinityTerm'])),
  ]);
  return terms.some((t) => (Array.isArray(t['namespaces']) && t['namespaces'].length > 0) || (t['namespaceSelector'] !== undefined && t['namespaceSelector'] !== null));
}

/** podMatchesScopeFunc. */
export function podMatchesScope(sel: ScopeSelectorRequirement, pod: Rec): boolean {
  switch (sel.scopeName) {
    case 'Terminating':
      return isTerminating(pod);
    case 'NotTerminating':
      return !isTerminating(pod);
    case 'BestEffort':
      return podQOSClass(pod as Parameters<typeof podQOSClass>[0]) === 'BestEffort';
    case 'NotBestEffort':
      return podQOSClass(pod as Parameters<typeof podQOSClass>[0]) !== 'BestEffort';
    case 'PriorityClass':
      return matchesPriorityClass(pod, sel);
    case 'CrossNamespacePodAffinity':
      return crossNamespaceAffinity(pod);
    default:
      return false;
  }
}
