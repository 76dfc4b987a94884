// The scale subresource of a custom resource (k8s apiextensions-apiserver
// pkg/registry/customresource/etcd.go, scaleFromCustomResource / scaleUpdater): an
// autoscaling/v1 Scale read from and written to the paths the CRD names.
import type { CustomResourceSubresourceScale } from 'kubernetes-types/apiextensions/v1';
import { errors } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';

/** `.spec.replicas` → ['spec', 'replicas'] (the CRD validation allows only simple dot paths). */
function segments(path: string): string[] {
  return path.split('.').filter((s) => s !== '');
}

export function valueAtPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const s of segments(path)) {
    if (!isObject(cur)) return undefined;
    cur = cur[s];
  }
  return cur;
}

/** Sets a value, creating the objects on the way. */
export function setAtPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const segs = segments(path);
  let cur = obj;
  for (const s of segs.slice(0, -1)) {
    if (!isObject(cur[s])) cur[s] = {};
    cur = cur[s] as Record<string, unknown>;
  }
  cur[segs[segs.length - 1]!] = value;
}

/** The Scale view of a custom resource; a 400 when specReplicasPath holds no integer (as k8s). */
export function customResourceScale(obj: KObject, scale: CustomResourceSubresourceScale): KObject {
  const spec = valueAtPath(obj, scale.specReplicasPath);
  if (spec !== undefined && (typeof spec !== 'number' || !Number.isInteger(spec))) {
    throw errors.badRequest(`the value at ${scale.specReplicasPath} is not an integer`);
  }
  const status = valueAtPath(obj, scale.statusReplicasPath);
  const selector = scale.labelSelectorPath ? valueAtPath(obj, scale.labelSelectorPath) : undefined;
  const m = obj.metadata ?? {};
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec === 'number' ? spec : 0 },
    status: { replicas: typeof status === 'number' ? status : 0, ...(typeof selector === 'string' && selector ? { selector } : {}) },
  };
}

/** Writes a Scale's spec.replicas back to the custom resource. */
export function setCustomResourceReplicas(obj: KObject, scale: CustomResourceSubresourceScale, replicas: number): void {
  setAtPath(obj as Record<string, unknown>, scale.specReplicasPath, replicas);
}
