// Uniqueness of x-kubernetes-list-type `set` and `map` lists in a custom resource
// (apiextensions-apiserver pkg/apiserver/schema/listtype): a set may not repeat an item, a map
// list may not repeat a key; every repeat is a Duplicate value at its index.
import type { ErrorList } from '../../../api/validation/field.js';
import { ferr, renderValue } from './fielderrors.js';
import { additionalSchema, isJsonObject, itemsSchema, propertySchema, type JSONSchemaProps } from './types.js';

/** Indices of the second appearance of each repeated value (compounds compared as JSON). */
function nonUnique(values: unknown[]): number[] {
  const seen = new Map<string, number>();
  const out: number[] = [];
  values.forEach((x, i) => {
    const key = typeof x === 'object' && x !== null ? `c${JSON.stringify(x)}` : `s${typeof x}:${String(x)}`;
    const times = seen.get(key) ?? 0;
    if (times === 1) out.push(i);
    seen.set(key, times + 1);
  });
  return out;
}

const duplicate = (path: string, value: unknown): ErrorList[number] => ({
  reason: 'FieldValueDuplicate',
  field: path,
  message: `Duplicate value: ${renderValue(value)}`,
});

function listMap(path: string, s: JSONSchemaProps, list: unknown[]): ErrorList {
  for (let i = 0; i < list.length; i++) {
    if (list[i] !== null && !isJsonObject(list[i])) return [ferr.invalid(`${path}[${i}]`, list[i], 'must be an object for an array of list-type map')];
  }
  const keyFields = s['x-kubernetes-list-map-keys'] ?? [];
  const keys = list.map((x) => {
    const key: Record<string, unknown> = {};
    if (isJsonObject(x)) for (const k of keyFields) if (Object.hasOwn(x, k)) key[k] = x[k];
    return key;
  });
  return nonUnique(keys).map((i) => duplicate(`${path}[${i}]`, keys[i]));
}

function array(path: string, s: JSONSchemaProps, list: unknown[]): ErrorList {
  const errs: ErrorList = [];
  const type = s['x-kubernetes-list-type'];
  if (type === 'set') errs.push(...nonUnique(list).map((i) => duplicate(`${path}[${i}]`, list[i])));
  else if (type === 'map') errs.push(...listMap(path, s, list));
  const items = itemsSchema(s);
  if (items !== undefined) list.forEach((x, i) => errs.push(...value(`${path}[${i}]`, items, x)));
  return errs;
}

function value(path: string, s: JSONSchemaProps, x: unknown): ErrorList {
  if (Array.isArray(x)) return array(path, s, x);
  if (isJsonObject(x)) return object(path, s, x);
  return [];
}

function object(path: string, s: JSONSchemaProps, obj: Record<string, unknown>): ErrorList {
  const errs: ErrorList = [];
  const ap = additionalSchema(s);
  if (ap !== undefined) for (const [k, v] of Object.entries(obj)) errs.push(...value(`${path}[${k}]`, ap, v));
  for (const [k, v] of Object.entries(obj)) {
    const sub = propertySchema(s, k);
    if (sub !== undefined) errs.push(...value(path === '' ? k : `${path}.${k}`, sub, v));
  }
  return errs;
}

/** ValidateListSetsAndMaps for a whole custom resource. */
export function validateListSetsAndMaps(s: JSONSchemaProps, obj: unknown): ErrorList {
  return isJsonObject(obj) ? object('', s, obj) : [];
}
