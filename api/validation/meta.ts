// ObjectMeta, labels, annotations, selectors, owner references and finalizers: the rules every
// object passes (apimachinery/pkg/api/validation/objectmeta.go plus core's finalizer check).
import { type ErrorList, Path, field, FIELD_IMMUTABLE, IS_NEGATIVE, asArray, asRecord, asString, goValue } from './field.js';
import { type NameValidator, isQualifiedName, isValidLabelValue, nameIsDNSLabel } from './names.js';
import { semanticEqual } from './equal.js';

export const TOTAL_ANNOTATION_SIZE_LIMIT = 256 * 1024;
const STANDARD_FINALIZERS = new Set(['kubernetes', 'orphan', 'foregroundDeletion']);

export function validateLabelName(name: string, path: Path): ErrorList {
  return isQualifiedName(name).map((m) => field.invalid(path, name, m));
}

export function validateLabels(labels: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  for (const [k, v] of Object.entries(asRecord(labels))) {
    errs.push(...validateLabelName(k, path));
    const value = typeof v === 'string' ? v : String(v);
    for (const m of isValidLabelValue(value)) errs.push(field.invalid(path, value, m));
  }
  return errs;
}

export function validateAnnotations(annotations: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  let total = 0;
  for (const [k, v] of Object.entries(asRecord(annotations))) {
    // Annotation keys are qualified names, but case does not matter.
    for (const m of isQualifiedName(k.toLowerCase())) errs.push(field.invalid(path, k, m));
    total += Buffer.byteLength(k) + Buffer.byteLength(typeof v === 'string' ? v : String(v));
  }
  if (total > TOTAL_ANNOTATION_SIZE_LIMIT) errs.push(field.tooLong(path, TOTAL_ANNOTATION_SIZE_LIMIT));
  return errs;
}

export function validateLabelSelector(selector: unknown, path: Path): ErrorList {
  if (selector === undefined || selector === null) return [];
  const sel = asRecord(selector);
  const errs = validateLabels(sel['matchLabels'], path.child('matchLabels'));
  asArray(sel['matchExpressions']).forEach((raw, i) => {
    const expr = asRecord(raw);
    const p = path.child('matchExpressions').index(i);
    const values = asArray(expr['values']);
    const op = asString(expr['operator']);
    if (op === 'In' || op === 'NotIn') {
      if (values.length === 0) errs.push(field.required(p.child('values'), "must be specified when `operator` is 'In' or 'NotIn'"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length > 0) errs.push(field.forbidden(p.child('values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
    } else {
      errs.push(field.invalid(p.child('operator'), op, 'not a valid selector operator'));
    }
    errs.push(...validateLabelName(asString(expr['key']), p.child('key')));
  });
  return errs;
}

function validateOwnerReferences(refs: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  let firstController = '';
  for (const raw of asArray(refs)) {
    const ref = asRecord(raw);
    const apiVersion = asString(ref['apiVersion']);
    const version = apiVersion.includes('/') ? apiVersion.slice(apiVersion.indexOf('/') + 1) : apiVersion;
    if (!version) errs.push(field.invalid(path.child('apiVersion'), apiVersion, 'version must not be empty'));
    if (!asString(ref['kind'])) errs.push(field.invalid(path.child('kind'), asString(ref['kind']), 'must not be empty'));
    if (!asString(ref['name'])) errs.push(field.invalid(path.child('name'), asString(ref['name']), 'must not be empty'));
    if (!asString(ref['uid'])) errs.push(field.invalid(path.child('uid'), asString(ref['uid']), 'must not be empty'));
    if (apiVersion === 'v1' && ref['kind'] === 'Event')
      errs.push(field.invalid(path, ref, '/v1, Kind=Event is disallowed from being an owner'));
    if (ref['controller'] === true) {
      const current = `${asString(ref['kind'])}/${asString(ref['name'])}`;
      if (firstController)
        errs.push(
          field.invalid(
            path,
            refs,
            `Only one reference can have Controller set to true. Found "true" in references for ${firstController} and ${current}`,
          ),
        );
      else firstController = current;
    }
  }
  return errs;
}

export function validateFinalizers(finalizers: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  const list = asArray(finalizers).map(asString);
  list.forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(field.invalid(path, f, m));
    // Core adds: names without a domain must be one of the built-in finalizers.
    if (!f.includes('/') && !STANDARD_FINALIZERS.has(f))
      errs.push(field.invalid(path.index(i), f, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  if (list.includes('orphan') && list.includes('foregroundDeletion'))
    errs.push(field.invalid(path, list, 'finalizer orphan and foregroundDeletion cannot be both set'));
  return errs;
}

export function validateNamespaceName(name: string, prefix: boolean): string[] {
  return nameIsDNSLabel(name, prefix);
}

/** Metadata checks on create. `namespaced` decides whether metadata.namespace is required or forbidden. */
export function validateObjectMeta(metaRaw: unknown, namespaced: boolean, nameFn: NameValidator, path: Path): ErrorList {
  const meta = asRecord(metaRaw);
  const errs: ErrorList = [];
  const generateName = asString(meta['generateName']);
  const name = asString(meta['name']);
  if (generateName) for (const m of nameFn(generateName, true)) errs.push(field.invalid(path.child('generateName'), generateName, m));
  if (!name) errs.push(field.required(path.child('name'), 'name or generateName is required'));
  else for (const m of nameFn(name, false)) errs.push(field.invalid(path.child('name'), name, m));
  errs.push(...validateMetaCommon(meta, namespaced, path));
  return errs;
}

function validateMetaCommon(meta: Record<string, unknown>, namespaced: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  const namespace = asString(meta['namespace']);
  if (namespaced) {
    if (!namespace) errs.push(field.required(path.child('namespace')));
    else for (const m of validateNamespaceName(namespace, false)) errs.push(field.invalid(path.child('namespace'), namespace, m));
  } else if (namespace) {
    errs.push(field.forbidden(path.child('namespace'), 'not allowed on this type'));
  }
  if (typeof meta['generation'] === 'number' && meta['generation'] < 0)
    errs.push(field.invalid(path.child('generation'), meta['generation'], IS_NEGATIVE));
  errs.push(...validateLabels(meta['labels'], path.child('labels')));
  errs.push(...validateAnnotations(meta['annotations'], path.child('annotations')));
  errs.push(...validateOwnerReferences(meta['ownerReferences'], path.child('ownerReferences')));
  errs.push(...validateFinalizers(meta['finalizers'], path.child('finalizers')));
  return errs;
}

function immutable(newVal: unknown, oldVal: unknown, path: Path): ErrorList {
  return semanticEqual(newVal, oldVal) ? [] : [field.invalid(path, newVal ?? '', FIELD_IMMUTABLE)];
}

/**
 * Metadata checks on update. Unlike k8s this does not demand metadata.resourceVersion: the
 * apiserver fills it in for unconditional updates before validating, as k8s's store does.
 */
export function validateObjectMetaUpdate(newRaw: unknown, oldRaw: unknown, path: Path): ErrorList {
  const n = asRecord(newRaw);
  const o = asRecord(oldRaw);
  const errs: ErrorList = [];
  if (o['deletionTimestamp']) {
    const old = new Set(asArray(o['finalizers']).map(asString));
    const extra = [...new Set(asArray(n['finalizers']).map(asString))].filter((f) => !old.has(f)).sort();
    if (extra.length)
      errs.push(
        field.forbidden(
          path.child('finalizers'),
          `no new finalizers can be added if the object is being deleted, found new finalizers ${goValue(extra)}`,
        ),
      );
  }
  const gen = (v: unknown): number => (typeof v === 'number' ? v : 0);
  if (gen(n['generation']) < gen(o['generation'])) errs.push(field.invalid(path.child('generation'), gen(n['generation']), 'must not be decremented'));
  errs.push(...immutable(n['name'], o['name'], path.child('name')));
  errs.push(...immutable(n['namespace'] ?? '', o['namespace'] ?? '', path.child('namespace')));
  errs.push(...immutable(n['uid'] ?? '', o['uid'] ?? '', path.child('uid')));
  errs.push(...immutable(n['creationTimestamp'], o['creationTimestamp'], path.child('creationTimestamp')));
  errs.push(...immutable(n['deletionTimestamp'], o['deletionTimestamp'], path.child('deletionTimestamp')));
  errs.push(...immutable(n['deletionGracePeriodSeconds'], o['deletionGracePeriodSeconds'], path.child('deletionGracePeriodSeconds')));
  errs.push(...validateLabels(n['labels'], path.child('labels')));
  errs.push(...validateAnnotations(n['annotations'], path.child('annotations')));
  errs.push(...validateOwnerReferences(n['ownerReferences'], path.child('ownerReferences')));
  errs.push(...validateFinalizers(n['finalizers'], path.child('finalizers')));
  return errs;
}
