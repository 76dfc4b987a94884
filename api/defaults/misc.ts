// Defaults for the remaining kinds: Namespace, Secret, Node, RBAC, storage.
import { type Obj, ensureObj, isObj, objects, setDefault, setDefaultString } from './util.js';

/** Namespaces get the `kubernetes` finalizer, their name label and (on create) phase Active. */
export function defaultNamespace(obj: Obj): void {
  const meta = ensureObj(obj, 'metadata');
  if (typeof meta['name'] === 'string' && meta['name']) ensureObj(meta, 'labels')['kubernetes.io/metadata.name'] = meta['name'];
  const spec = ensureObj(obj, 'spec');
  if (!Array.isArray(spec['finalizers']) || spec['finalizers'].length === 0) spec['finalizers'] = ['kubernetes'];
  setDefaultString(ensureObj(obj, 'status'), 'phase', 'Active');
}

/** Secret type Opaque; `stringData` is merged into base64 `data` (as v1 conversion does). */
export function defaultSecret(obj: Obj): void {
  setDefaultString(obj, 'type', 'Opaque');
  const stringData = obj['stringData'];
  if (isObj(stringData)) {
    const data = ensureObj(obj, 'data');
    for (const [k, v] of Object.entries(stringData)) data[k] = Buffer.from(String(v), 'utf8').toString('base64');
    delete obj['stringData'];
  }
}

/** Allocatable defaults to capacity. */
export function defaultNode(obj: Obj): void {
  const status = obj['status'];
  if (isObj(status) && isObj(status['capacity']) && !isObj(status['allocatable'])) status['allocatable'] = { ...status['capacity'] };
}

const RBAC_GROUP = 'rbac.authorization.k8s.io';

export function defaultRoleBinding(obj: Obj): void {
  setDefaultString(ensureObj(obj, 'roleRef'), 'apiGroup', RBAC_GROUP);
  for (const subject of objects(obj['subjects'])) {
    // A ServiceAccount's group stays "" — which Kubernetes' JSON omits, so nothing is added.
    if (subject['kind'] === 'User' || subject['kind'] === 'Group') setDefaultString(subject, 'apiGroup', RBAC_GROUP);
  }
}

export function defaultPersistentVolumeClaim(obj: Obj): void {
  setDefaultString(ensureObj(obj, 'spec'), 'volumeMode', 'Filesystem');
}

export function defaultPersistentVolume(obj: Obj): void {
  const spec = ensureObj(obj, 'spec');
  setDefaultString(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefaultString(spec, 'volumeMode', 'Filesystem');
}

export function defaultStorageClass(obj: Obj): void {
  setDefaultString(obj, 'reclaimPolicy', 'Delete');
  setDefaultString(obj, 'volumeBindingMode', 'Immediate');
}

/** SetDefaults_PriorityClass (pkg/apis/scheduling/v1/defaults.go). */
export function defaultPriorityClass(obj: Obj): void {
  // Go's zero value: a JSON body without `value` decodes to 0 upstream.
  setDefault(obj, 'value', 0);
  setDefaultString(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}
