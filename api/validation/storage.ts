// PersistentVolumeClaim update rules (pkg/apis/core/validation ValidatePersistentVolumeClaimUpdate):
// a claim's spec is fixed at creation — quotas and limits were checked against it — except
// spec.volumeName, which the PV controller sets once, a storageClassName set on a claim that
// had none (the retroactive default class), and, for a bound claim, resources.requests and
// volumeAttributesClassName (expansion). A request below the size the volume already has is
// refused: volumes are never shrunk (RecoverVolumeExpansionFailure semantics, on in 1.32).
import { compareQuantities, parseQuantity, type Quantity } from '../quantity.js';
import { type ErrorList, Path, field, asRecord } from './field.js';
import { isDeepStrictEqual } from 'node:util';

type Obj = Record<string, unknown>;

const BETA_STORAGE_CLASS = 'volume.beta.kubernetes.io/storage-class';

function storageOf(requests: unknown): Quantity | undefined {
  const s = asRecord(requests)['storage'];
  if (typeof s !== 'string') return undefined;
  try {
    return parseQuantity(s);
  } catch {
    return undefined;
  }
}

/** The fields that differ, one `- old` / `+ new` pair each (upstream prints a cmp.Diff here). */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])].sort();
  const lines: string[] = [];
  for (const k of keys) {
    if (isDeepStrictEqual(oldSpec[k], newSpec[k])) continue;
    if (oldSpec[k] !== undefined) lines.push(`-\t${k}: ${JSON.stringify(oldSpec[k])}`);
    if (newSpec[k] !== undefined) lines.push(`+\t${k}: ${JSON.stringify(newSpec[k])}`);
  }
  return lines.join('\n');
}

export function validatePersistentVolumeClaimUpdate(pvc: Obj, old: Obj): ErrorList {
  const errs: ErrorList = [];
  const newSpec = structuredClone(asRecord(pvc['spec']));
  const oldSpec = structuredClone(asRecord(old['spec']));
  // volumeName may be set once, by the binder.
  if (!oldSpec['volumeName']) {
    if (newSpec['volumeName'] === undefined) delete oldSpec['volumeName'];
    else oldSpec['volumeName'] = newSpec['volumeName'];
  }
  // A class may be given to a claim that had none while it is unbound (retroactive default
  // StorageClass), or moved from the beta annotation into the spec.
  const oldAnn = asRecord(asRecord(old['metadata'])['annotations'])[BETA_STORAGE_CLASS];
  if (oldSpec['storageClassName'] === undefined && newSpec['storageClassName'] !== undefined && (!old['spec'] || !asRecord(old['spec'])['volumeName'] || oldAnn === newSpec['storageClassName']))
    oldSpec['storageClassName'] = newSpec['storageClassName'];
  const newAnn = asRecord(asRecord(pvc['metadata'])['annotations'])[BETA_STORAGE_CLASS];
  if (oldAnn !== newAnn) errs.push(field.invalid(Path.root('metadata', 'annotations').key(BETA_STORAGE_CLASS), newAnn ?? '', 'field is immutable'));
  const bound = asRecord(pvc['status'])['phase'] === 'Bound';
  if (bound) {
    if (newSpec['resources'] !== undefined) newSpec['resources'] = { ...asRecord(newSpec['resources']), requests: asRecord(oldSpec['resources'])['requests'] };
    if (oldSpec['volumeAttributesClassName'] === undefined) delete newSpec['volumeAttributesClassName'];
    else newSpec['volumeAttributesClassName'] = oldSpec['volumeAttributesClassName'];
  }
  if (!isDeepStrictEqual(newSpec, oldSpec))
    errs.push(field.forbidden(Path.root('spec'), `spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n${specDiff(oldSpec, newSpec)}`));
  const oldSize = storageOf(asRecord(asRecord(old['spec'])['resources'])['requests']);
  const newSize = storageOf(asRecord(asRecord(pvc['spec'])['resources'])['requests']);
  const statusSize = storageOf(asRecord(asRecord(old['status'])['capacity'])) ?? parseQuantity('0');
  if (oldSize && newSize && compareQuantities(newSize, oldSize) < 0 && compareQuantities(newSize, statusSize) <= 0)
    errs.push(field.forbidden(Path.root('spec', 'resources', 'requests', 'storage'), 'field can not be less than status.capacity'));
  return errs;
}

/** PersistentVolumeSpec fields that are not part of its PersistentVolumeSource. */
const PV_SPEC_NON_SOURCE = new Set([
  'capacity',
  'accessModes',
  'claimRef',
  'persistentVolumeReclaimPolicy',
  'storageClassName',
  'mountOptions',
  'volumeMode',
  'nodeAffinity',
  'volumeAttributesClassName',
]);

function volumeSource(spec: Obj): Obj {
  return Object.fromEntries(Object.entries(spec).filter(([k]) => !PV_SPEC_NON_SOURCE.has(k)));
}

/**
 * ValidatePersistentVolumeUpdate: what the volume is (its source: the path of a local or
 * hostPath volume, the NFS server…) and its volumeMode are fixed at creation. Provisioners and
 * the reclaim of a volume rely on it: nobody may repoint a PV at another directory.
 */
export function validatePersistentVolumeUpdate(pv: Obj, old: Obj): ErrorList {
  const errs: ErrorList = [];
  const spec = asRecord(pv['spec']);
  const oldSpec = asRecord(old['spec']);
  const source = volumeSource(spec);
  const oldSource = volumeSource(oldSpec);
  if (!isDeepStrictEqual(source, oldSource))
    errs.push(field.forbidden(Path.root('spec', 'persistentvolumesource'), `spec.persistentvolumesource is immutable after creation\n${specDiff(oldSource, source)}`));
  if (spec['volumeMode'] !== oldSpec['volumeMode']) errs.push(field.invalid(Path.root('volumeMode'), spec['volumeMode'] ?? null, 'field is immutable'));
  return errs;
}
