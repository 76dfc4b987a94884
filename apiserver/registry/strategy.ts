// Per-kind rules the generic store applies around writes (k8s' RESTCreateStrategy /
// RESTUpdateStrategy / RESTGracefulDeleteStrategy): what create resets, which writes bump
// metadata.generation, what the main resource and the status subresource may change, and
// how long a graceful delete waits.
import type { ResourceInfo } from '../../api/resources.js';
import { hasStatus } from '../../api/resources.js';
import { podQOSClass } from '../../api/qos.js';
import { isObject, type KObject } from '../../api/types.js';

/** Kinds whose spec changes bump metadata.generation (the ones controllers observe). */
const GENERATION_KINDS = new Set([
  'Deployment',
  'ReplicaSet',
  'ReplicationController',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'HorizontalPodAutoscaler',
  'PodDisruptionBudget',
]);

export function tracksGeneration(info: ResourceInfo): boolean {
  return GENERATION_KINDS.has(info.kind);
}

/** The status a freshly created object starts with (k8s PrepareForCreate). */
function initialStatus(info: ResourceInfo, obj: KObject): unknown {
  switch (info.kind) {
    case 'Pod':
      return { phase: 'Pending', qosClass: podQOSClass(obj as Parameters<typeof podQOSClass>[0]) };
    case 'Namespace':
      return { phase: 'Active' };
    case 'Service':
      return { loadBalancer: {} };
    case 'PersistentVolume':
      return { phase: 'Pending' };
    case 'PersistentVolumeClaim':
      return { phase: 'Pending' };
    case 'Node':
      return obj.status ?? {}; // the kubelet registers with its status
    default:
      return hasStatus(info) ? {} : obj.status;
  }
}

export function prepareForCreate(info: ResourceInfo, obj: KObject): void {
  if (hasStatus(info) || info.kind === 'Pod') {
    const status = initialStatus(info, obj);
    if (status === undefined) delete obj.status;
    else obj.status = status;
  }
  if (tracksGeneration(info)) obj.metadata = { ...obj.metadata, generation: 1 };
  else if (obj.metadata) delete obj.metadata.generation;
}

/** Everything but metadata and status: what "the spec changed" means for generation. */
function specPart(obj: KObject): string {
  const { metadata: _m, status: _s, apiVersion: _a, kind: _k, ...rest } = obj;
  return JSON.stringify(rest);
}

/** Main-resource update: keeps the old status where a status subresource owns it. */
export function prepareForUpdate(info: ResourceInfo, obj: KObject, old: KObject): void {
  if (hasStatus(info) && info.kind !== 'Node') {
    if (old.status === undefined) delete obj.status;
    else obj.status = old.status;
  }
  if (info.kind === 'Pod') keepPodPriority(obj, old);
  const gen = old.metadata?.generation;
  if (tracksGeneration(info)) {
    const changed = specPart(obj) !== specPart(old);
    obj.metadata = { ...obj.metadata, generation: (gen ?? 1) + (changed ? 1 : 0) };
  } else if (obj.metadata) {
    if (gen === undefined) delete obj.metadata.generation;
    else obj.metadata.generation = gen;
  }
}

/**
 * An update that leaves out spec.priority or spec.preemptionPolicy keeps what the Priority
 * admission plugin set at create. Upstream that plugin does it on update, before validation;
 * here admission runs after validation, which would refuse the omission as a spec change.
 */
function keepPodPriority(obj: KObject, old: KObject): void {
  if (!isObject(obj.spec) || !isObject(old.spec)) return;
  for (const f of ['priority', 'preemptionPolicy'])
    if (obj.spec[f] === undefined && old.spec[f] !== undefined) obj.spec[f] = old.spec[f];
}

/** Status-subresource update: only status (and nothing in spec or metadata) may change. */
export function prepareForStatusUpdate(obj: KObject, old: KObject): KObject {
  const next: KObject = structuredClone(old);
  if (obj.status === undefined) delete next.status;
  else next.status = obj.status;
  // The QoS class is computed once, at create; status writers need not repeat it.
  if (old.kind === 'Pod' && isObject(next.status) && isObject(old.status) && next.status.qosClass === undefined) {
    next.status = { ...next.status, qosClass: old.status.qosClass };
  }
  next.metadata = { ...next.metadata, resourceVersion: obj.metadata?.resourceVersion };
  return next;
}

/**
 * How long a DELETE waits before the object disappears. 0 = delete now. Pods bound to a node
 * wait for the kubelet (grace from the request or spec.terminationGracePeriodSeconds).
 */
export function gracePeriod(info: ResourceInfo, obj: KObject, requested: number | undefined): number {
  if (info.kind !== 'Pod') return 0;
  const spec = isObject(obj.spec) ? obj.spec : {};
  const status = isObject(obj.status) ? obj.status : {};
  if (!spec.nodeName) return 0;
  if (status.phase === 'Failed' || status.phase === 'Succeeded') return 0;
  const fromSpec = typeof spec.terminationGracePeriodSeconds === 'number' ? spec.terminationGracePeriodSeconds : 30;
  const g = requested ?? fromSpec;
  // k8s turns a request of 0 on a bound pod into 1 unless forced; we honour 0 as "force".
  return Math.max(0, g);
}
