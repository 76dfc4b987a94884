// The pure core of the LimitRanger admission plugin (k8s' plugin/pkg/admission/limitranger):
// default a pod's container requests and limits from the namespace's LimitRanges, and check
// min, max and maxLimitRequestRatio for Container, Pod and PersistentVolumeClaim items. The
// messages are Kubernetes' own, because users and tests match on them.
import { compareQuantities, formatQuantity, parseQuantity, type Quantity } from '../../api/quantity.js';
import { isObject } from '../../api/types.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (isObject(v) ? v : {});
const list = (v: unknown): Rec[] => (Array.isArray(v) ? v.filter(isObject) : []);

export const LIMIT_RANGER_ANNOTATION = 'kubernetes.io/limit-ranger';

/** A ResourceList with parsed values; unparseable entries are dropped (validation rejected them already). */
type Resources = Map<string, Quantity>;

function resources(v: unknown): Resources {
  const out: Resources = new Map();
  for (const [k, s] of Object.entries(rec(v))) {
    try {
      out.set(k, parseQuantity(String(s)));
    } catch {
      // Not a quantity: the object's own validation reports it.
    }
  }
  return out;
}

/** Quantity.String(): the canonical form Kubernetes prints. */
const str = (q: Quantity): string => formatQuantity(q);

function limitItems(limitRange: Rec, type: string): Rec[] {
  return list(rec(limitRange.spec).limits).filter((l) => l.type === type);
}

/** Whether a LimitRange says anything (SupportsLimit: an empty one is skipped). */
export function hasLimits(limitRange: Rec): boolean {
  return list(rec(limitRange.spec).limits).length > 0;
}

// ---- defaulting (PodMutateLimitFunc) -----------------------------------------------------

/** defaultContainerResourceRequirements: later Container items override earlier ones per resource. */
function containerDefaults(limitRange: Rec): { requests: Rec; limits: Rec } {
  const requests: Rec = {};
  const limits: Rec = {};
  for (const item of limitItems(limitRange, 'Container')) {
    Object.assign(requests, rec(item.defaultRequest));
    Object.assign(limits, rec(item.default));
  }
  return { requests, limits };
}

/** mergeContainerResources: fills what the container lacks; returns the annotation phrases. */
function mergeContainer(container: Rec, defaults: { requests: Rec; limits: Rec }, prefix: string): string[] {
  const res = rec(container.resources);
  const limits = rec(res.limits);
  const requests = rec(res.requests);
  const setLimits = Object.keys(defaults.limits).filter((k) => !(k in limits));
  const setRequests = Object.keys(defaults.requests).filter((k) => !(k in requests));
  for (const k of setLimits) limits[k] = defaults.limits[k];
  for (const k of setRequests) requests[k] = defaults.requests[k];
  if (setLimits.length || setRequests.length) {
    container.resources = { ...res, ...(Object.keys(limits).length ? { limits } : {}), ...(Object.keys(requests).length ? { requests } : {}) };
  }
  const name = typeof container.name === 'string' ? container.name : '';
  const out: string[] = [];
  if (setRequests.length) out.push(`${setRequests.sort().join(', ')} request for ${prefix} ${name}`);
  if (setLimits.length) out.push(`${setLimits.sort().join(', ')} limit for ${prefix} ${name}`);
  return out;
}

/** Fills missing requests/limits of every (init) container from one LimitRange and annotates the pod. */
export function podMutateLimit(limitRange: Rec, pod: Rec): void {
  const defaults = containerDefaults(limitRange);
  const spec = rec(pod.spec);
  const notes = [
    ...list(spec.containers).flatMap((c) => mergeContainer(c, defaults, 'container')),
    ...list(spec.initContainers).flatMap((c) => mergeContainer(c, defaults, 'init container')),
  ];
  if (!notes.length) return;
  const meta = rec(pod.metadata);
  pod.metadata = meta;
  meta.annotations = { ...rec(meta.annotations), [LIMIT_RANGER_ANNOTATION]: `LimitRanger plugin set: ${notes.join('; ')}` };
}

// ---- constraints ---------------------------------------------------------------------------

function minConstraint(type: string, name: string, enforced: Quantity, request: Resources, limit: Resources): string | undefined {
  const req = request.get(name);
  const lim = limit.get(name);
  if (!req) return `minimum ${name} usage per ${type} is ${str(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) < 0) return `minimum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  if (lim && compareQuantities(lim, enforced) < 0) return `minimum ${name} usage per ${type} is ${str(enforced)}, but limit is ${str(lim)}`;
  return undefined;
}

function maxConstraint(type: string, name: string, enforced: Quantity, request: Resources, limit: Resources): string | undefined {
  const req = request.get(name);
  const lim = limit.get(name);
  if (!lim) return `maximum ${name} usage per ${type} is ${str(enforced)}.  No limit is specified`;
  if (compareQuantities(lim, enforced) > 0) return `maximum ${name} usage per ${type} is ${str(enforced)}, but limit is ${str(lim)}`;
  if (req && compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

/** maxRequestConstraint: a PVC's max is checked against what it requests (it has no limits). */
function maxRequestConstraint(type: string, name: string, enforced: Quantity, request: Resources): string | undefined {
  const req = request.get(name);
  if (!req) return `maximum ${name} usage per ${type} is ${str(enforced)}.  No request is specified`;
  if (compareQuantities(req, enforced) > 0) return `maximum ${name} usage per ${type} is ${str(enforced)}, but request is ${str(req)}`;
  return undefined;
}

function ratioConstraint(type: string, name: string, enforced: Quantity, request: Resources, limit: Resources): string | undefined {
  const req = request.get(name);
  const lim = limit.get(name);
  const prefix = `${name} max limit to request ratio per ${type} is ${str(enforced)}`;
  if (!req || req.nanos === 0n) return `${prefix}, but no request is specified or request is 0`;
  if (!lim || lim.nanos === 0n) return `${prefix}, but no limit is specified or limit is 0`;
  const observed = Number(lim.nanos) / Number(req.nanos);
  // Compare exactly: lim/req > enforced ⇔ lim·10⁹ > enforced·req (all in nano units).
  if (lim.nanos * 1_000_000_000n > enforced.nanos * req.nanos) return `${prefix}, but provided ratio is ${observed.toFixed(6)}`;
  return undefined;
}

/** Runs min, max and maxLimitRequestRatio of one item against one request/limit pair. */
function checkItem(item: Rec, type: string, request: Resources, limit: Resources): string[] {
  const out: (string | undefined)[] = [];
  for (const [k, v] of resources(item.min)) out.push(minConstraint(type, k, v, request, limit));
  for (const [k, v] of resources(item.max)) out.push(maxConstraint(type, k, v, request, limit));
  for (const [k, v] of resources(item.maxLimitRequestRatio)) out.push(ratioConstraint(type, k, v, request, limit));
  return out.filter((m): m is string => m !== undefined);
}

function add(into: Resources, from: Resources): void {
  for (const [k, v] of from) into.set(k, { nanos: (into.get(k)?.nanos ?? 0n) + v.nanos, format: v.format });
}

function maxInto(into: Resources, from: Resources): void {
  for (const [k, v] of from) {
    const cur = into.get(k);
    if (!cur || compareQuantities(v, cur) > 0) into.set(k, v);
  }
}

/** The pod's effective requests and limits: the containers' sum, or a larger init container. */
function podTotals(spec: Rec): { requests: Resources; limits: Resources } {
  const requests: Resources = new Map();
  const limits: Resources = new Map();
  for (const c of list(spec.containers)) {
    add(requests, resources(rec(c.resources).requests));
    add(limits, resources(rec(c.resources).limits));
  }
  for (const c of list(spec.initContainers)) {
    maxInto(requests, resources(rec(c.resources).requests));
    maxInto(limits, resources(rec(c.resources).limits));
  }
  return { requests, limits };
}

/** PodValidateLimitFunc: the violations of one LimitRange by a (defaulted) pod. */
export function podValidateLimit(limitRange: Rec, pod: Rec): string[] {
  const spec = rec(pod.spec);
  const errs: string[] = [];
  for (const item of list(rec(limitRange.spec).limits)) {
    if (item.type === 'Container') {
      for (const c of [...list(spec.containers), ...list(spec.initContainers)]) {
        const r = rec(c.resources);
        errs.push(...checkItem(item, 'Container', resources(r.requests), resources(r.limits)));
      }
    } else if (item.type === 'Pod') {
      const t = podTotals(spec);
      errs.push(...checkItem(item, 'Pod', t.requests, t.limits));
    }
  }
  return errs;
}

/** PersistentVolumeClaimValidateLimitFunc: min against the request, max against the request. */
export function pvcValidateLimit(limitRange: Rec, pvc: Rec): string[] {
  const requests = resources(rec(rec(pvc.spec).resources).requests);
  const errs: (string | undefined)[] = [];
  for (const item of limitItems(limitRange, 'PersistentVolumeClaim')) {
    for (const [k, v] of resources(item.min)) errs.push(minConstraint('PersistentVolumeClaim', k, v, requests, new Map()));
    for (const [k, v] of resources(item.max)) errs.push(maxRequestConstraint('PersistentVolumeClaim', k, v, requests));
  }
  return errs.filter((m): m is string => m !== undefined);
}

/** utilerrors.NewAggregate(...).Error(): one message as is, several deduplicated in brackets. */
export function aggregateMessage(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? (unique[0] ?? '') : `[${unique.join(', ')}]`;
}
