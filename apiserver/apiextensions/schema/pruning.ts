// Structural pruning (apiextensions-apiserver pkg/apiserver/schema/pruning): fields a schema does
// not specify are dropped, except under x-kubernetes-preserve-unknown-fields. apiVersion, kind and
// metadata of a resource (the root, or an x-kubernetes-embedded-resource) are never pruned by the
// schema; metadata keeps exactly ObjectMeta's fields instead (objectmeta.Coerce drops the rest).
// Returns the paths of the dropped fields (`spec.foo`, `spec.items[0].bar`), sorted, which the
// apiserver reports for fieldValidation=Warn/Strict.
import { additionalSchema, isEmbedded, isJsonObject, itemsSchema, preservesUnknown, propertySchema, type JSONSchemaProps } from './types.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

/** The fields of metav1.ObjectMeta as served in JSON. */
const OBJECT_META_FIELDS = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

class Walk {
  readonly unknown: string[] = [];
  record(parent: string, k: string): void {
    this.unknown.push(parent === '' ? k : `${parent}.${k}`);
  }
}

const keyPath = (parent: string, k: string): string => (parent === '' ? k : `${parent}.${k}`);

function coerceMeta(x: Record<string, unknown>, path: string, w: Walk): void {
  const meta = x['metadata'];
  if (!isJsonObject(meta)) return;
  for (const k of Object.keys(meta)) {
    if (OBJECT_META_FIELDS.has(k)) continue;
    w.record(keyPath(path, 'metadata'), k);
    delete meta[k];
  }
}

/**
 * The fields of an object node: known ones are pruned against their schema; unknown ones are
 * dropped unless the node preserves unknown fields. Any additionalProperties (even false or
 * true) makes keys known; their values are pruned against its schema, or emptied when it has
 * none, as upstream does.
 */
function pruneFields(x: Record<string, unknown>, s: JSONSchemaProps, path: string, w: Walk, dropUnknown: boolean): void {
  const embedded = isEmbedded(s);
  if (embedded) coerceMeta(x, path, w);
  for (const k of Object.keys(x)) {
    if (embedded && META_FIELDS.has(k)) continue;
    const prop = propertySchema(s, k);
    if (prop !== undefined) prune(x[k], prop, keyPath(path, k), w);
    else if (s.additionalProperties !== undefined) prune(x[k], additionalSchema(s), keyPath(path, k), w);
    else if (dropUnknown) {
      w.record(path, k);
      delete x[k];
    }
  }
}

function prune(x: unknown, s: JSONSchemaProps | undefined, path: string, w: Walk): void {
  if (s !== undefined && preservesUnknown(s)) {
    skipPrune(x, s, path, w);
  } else if (isJsonObject(x)) {
    if (s !== undefined) return pruneFields(x, s, path, w, true);
    for (const k of Object.keys(x)) {
      w.record(path, k);
      delete x[k];
    }
  } else if (Array.isArray(x)) {
    const items = s !== undefined ? itemsSchema(s) : undefined;
    x.forEach((v, i) => prune(v, items, `${path}[${i}]`, w));
  }
}

/** Under x-kubernetes-preserve-unknown-fields: unknown fields stay, known ones are still pruned. */
function skipPrune(x: unknown, s: JSONSchemaProps | undefined, path: string, w: Walk): void {
  if (s === undefined) return;
  if (isJsonObject(x)) {
    pruneFields(x, s, path, w, false);
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    x.forEach((v, i) => skipPrune(v, items, `${path}[${i}]`, w));
  }
}

/**
 * Prunes `obj` in place against `s`. `resourceRoot`: `obj` is a whole resource (its apiVersion,
 * kind and metadata are kept as for an embedded resource).
 */
export function pruneUnknown(obj: unknown, s: JSONSchemaProps, resourceRoot: boolean): string[] {
  const w = new Walk();
  const root = resourceRoot && !isEmbedded(s) ? { ...s, 'x-kubernetes-embedded-resource': true } : s;
  prune(obj, root, '', w);
  return w.unknown.sort();
}
