// Quota evaluators (pkg/quota/v1/evaluator/core and k8s.io/apiserver/pkg/quota/v1/generic):
// per group-resource, which quota resource names it tracks, what one object is charged, which
// writes can change that, and which scopes it can match. Pods are in pods.ts.
import type { Quantity } from '../quantity.js';
import { parseQuantity } from '../quantity.js';
import { podConstraints, podMatchesScope, podMatchingResources, podUsage, type ScopeSelectorRequirement } from './pods.js';
import type { ResourceList } from './resource-list.js';

type Rec = Record<string, unknown>;
const rec = (v: unknown): Rec => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Rec) : {});
const num = (n: number): Quantity => ({ nanos: BigInt(n) * 1_000_000_000n, format: 'DecimalSI' });

export interface GroupResource {
  group: string;
  resource: string;
}

export interface Evaluator {
  readonly gr: GroupResource;
  /** Handles: whether a write (op, subresource) can change this resource's usage. */
  handles(op: 'CREATE' | 'UPDATE' | 'DELETE', subresource?: string): boolean;
  /** MatchingResources: the names among `names` this evaluator charges. */
  matchingResources(names: string[]): string[];
  /** Whether the object falls in one scope selector requirement (none but pods match any). */
  matchesScope(sel: ScopeSelectorRequirement, obj: Rec): boolean;
  /** Constraints: an error text when the object lacks what the required names demand. */
  constraints(required: string[], obj: Rec): string | undefined;
  usage(obj: Rec, now?: number): ResourceList;
}

/** ObjectCountQuotaResourceNameFor: `count/<resource>` for core, `count/<resource>.<group>` otherwise. */
export function objectCountName(gr: GroupResource): string {
  return gr.group ? `count/${gr.resource}.${gr.group}` : `count/${gr.resource}`;
}

const createOnly = (op: string, sub?: string): boolean => !sub && op === 'CREATE';
const createOrUpdate = (op: string, sub?: string): boolean => !sub && (op === 'CREATE' || op === 'UPDATE');

/** The generic object-count evaluator; `legacy` is the old name (`secrets`, `configmaps`…). */
export function objectCountEvaluator(gr: GroupResource, legacy?: string): Evaluator {
  const names = new Set([objectCountName(gr), ...(legacy ? [legacy] : [])]);
  return {
    gr,
    handles: createOnly,
    matchingResources: (input) => input.filter((n) => names.has(n)),
    matchesScope: () => false,
    constraints: () => undefined,
    usage: () => Object.fromEntries([...names].map((n) => [n, num(1)])),
  };
}

const podEvaluator: Evaluator = {
  gr: { group: '', resource: 'pods' },
  // Pods are immutable in what quota charges (no in-place resize here): only creates count.
  handles: createOnly,
  matchingResources: podMatchingResources,
  matchesScope: (sel, obj) => podMatchesScope(sel, obj),
  constraints: (required, obj) => podConstraints(required, obj),
  usage: (obj, now) => podUsage(obj, now),
};

/** serviceEvaluator: services, node ports and load balancers. */
export function serviceUsage(svc: Rec): ResourceList {
  const spec = rec(svc['spec']);
  const ports = Array.isArray(spec['ports']) ? (spec['ports'] as unknown[]).map(rec) : [];
  const out: ResourceList = { services: num(1), 'count/services': num(1) };
  if (spec['type'] === 'NodePort') out['services.nodeports'] = num(ports.length);
  if (spec['type'] === 'LoadBalancer') {
    // Without node ports (allocateLoadBalancerNodePorts: false) only the ports that still set one count.
    const nodePorts = spec['allocateLoadBalancerNodePorts'] === false ? ports.filter((p) => typeof p['nodePort'] === 'number' && p['nodePort'] > 0).length : ports.length;
    out['services.nodeports'] = num(nodePorts);
    out['services.loadbalancers'] = num(1);
  }
  return out;
}

const SERVICE_RESOURCES = new Set(['services', 'count/services', 'services.nodeports', 'services.loadbalancers']);
const serviceEvaluator: Evaluator = {
  gr: { group: '', resource: 'services' },
  handles: createOrUpdate,
  matchingResources: (input) => input.filter((n) => SERVICE_RESOURCES.has(n)),
  matchesScope: () => false,
  constraints: () => undefined,
  usage: serviceUsage,
};

const STORAGE_CLASS_SUFFIX = '.storageclass.storage.k8s.io/';

/** The PVC's class: spec.storageClassName, else the beta annotation (GetPersistentVolumeClaimClass). */
export function pvcClass(pvc: Rec): string {
  const ann = rec(rec(pvc['metadata'])['annotations'])['volume.beta.kubernetes.io/storage-class'];
  if (typeof ann === 'string') return ann;
  const c = rec(pvc['spec'])['storageClassName'];
  return typeof c === 'string' ? c : '';
}

/** pvcEvaluator's usage: the larger of the request and what was already allocated (expansion). */
export function pvcUsage(pvc: Rec): ResourceList {
  const out: ResourceList = { persistentvolumeclaims: num(1), 'count/persistentvolumeclaims': num(1) };
  const cls = pvcClass(pvc);
  if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}persistentvolumeclaims`] = num(1);
  const parse = (v: unknown): Quantity | undefined => {
    if (typeof v !== 'string' && typeof v !== 'number') return undefined;
    try {
      return parseQuantity(String(v));
    } catch {
      return undefined;
    }
  };
  const req = parse(rec(rec(rec(pvc['spec'])['resources'])['requests'])['storage']);
  const alloc = parse(rec(rec(pvc['status'])['allocatedResources'])['storage']);
  const storage = req && alloc ? (alloc.nanos > req.nanos ? alloc : req) : (req ?? alloc);
  if (storage) {
    out['requests.storage'] = storage;
    if (cls) out[`${cls}${STORAGE_CLASS_SUFFIX}requests.storage`] = storage;
  }
  return out;
}

const PVC_RESOURCES = new Set(['persistentvolumeclaims', 'count/persistentvolumeclaims', 'requests.storage']);
const pvcEvaluator: Evaluator = {
  gr: { group: '', resource: 'persistentvolumeclaims' },
  handles: createOrUpdate,
  matchingResources: (input) =>
    input.filter((n) => PVC_RESOURCES.has(n) || (n.includes(STORAGE_CLASS_SUFFIX) && (n.endsWith('/requests.storage') || n.endsWith('/persistentvolumeclaims')))),
  matchesScope: () => false,
  constraints: () => undefined,
  usage: pvcUsage,
};

/** NewEvaluators: the core ones, plus legacy object counts with their old names. */
const CORE: Evaluator[] = [
  podEvaluator,
  serviceEvaluator,
  pvcEvaluator,
  objectCountEvaluator({ group: '', resource: 'configmaps' }, 'configmaps'),
  objectCountEvaluator({ group: '', resource: 'secrets' }, 'secrets'),
  objectCountEvaluator({ group: '', resource: 'replicationcontrollers' }, 'replicationcontrollers'),
  objectCountEvaluator({ group: '', resource: 'resourcequotas' }, 'resourcequotas'),
];

const key = (gr: GroupResource): string => `${gr.group}/${gr.resource}`;
const registry = new Map(CORE.map((e) => [key(e.gr), e]));

/** The evaluator for a group-resource: a core one, or (made on first use) a generic object count. */
export function evaluatorFor(gr: GroupResource): Evaluator {
  let e = registry.get(key(gr));
  if (!e) {
    e = objectCountEvaluator(gr);
    registry.set(key(gr), e);
  }
  return e;
}

/** The core evaluators (the controller lists their objects through informers). */
export function coreEvaluators(): readonly Evaluator[] {
  return CORE;
}

/** The group-resource a `count/<resource>[.<group>]` name counts, or undefined for other names. */
export function countedResource(name: string): GroupResource | undefined {
  const m = /^count\/([^.]+)(?:\.(.+))?$/.exec(name);
  return m ? { resource: m[1]!, group: m[2] ?? '' } : undefined;
}
