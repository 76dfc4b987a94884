// Strategic merge patch: merging a patch map into an original map the way
// k8s.io/apimachinery/pkg/util/strategicpatch does (mergeMap and friends). The same merge runs
// in two modes: on the server (apply a patch to an object: directives are executed) and on
// the client (combine two patches into one: directives are carried along).
// Hand-written because strategic merge is Kubernetes' own format (patch directives, merge keys
// from the schema); no library implements it.
import { isObject } from '../types.js';
import { patchErrors, unexpected } from './errors.js';
import type { FieldPatchMeta, PatchSchema } from './schema.js';

export type JsonMap = Record<string, unknown>;

export interface MergeOptions {
  /** Execute `$deleteFromPrimitiveList` and `$setElementOrder` (server) instead of keeping them (client). */
  mergeParallelList: boolean;
  /** Drop `null`s that delete nothing (server) instead of keeping them as deletions (client). */
  ignoreUnmatchedNulls: boolean;
}

export const SERVER: MergeOptions = { mergeParallelList: true, ignoreUnmatchedNulls: true };

export const DIRECTIVE = '$patch';
export const RETAIN_KEYS = '$retainKeys';
export const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
export const SET_ELEMENT_ORDER = '$setElementOrder';

export type ValueKind = 'map' | 'list' | 'string' | 'number' | 'boolean' | 'null';

export function kindOf(v: unknown): ValueKind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'list';
  if (isObject(v)) return 'map';
  return typeof v as 'string' | 'number' | 'boolean';
}

/** The common element kind of some lists; undefined when all are empty. Mixed kinds are an error. */
export function elementKind(...lists: unknown[][]): ValueKind | undefined {
  let kind: ValueKind | undefined;
  for (const list of lists) {
    for (const v of list) {
      const k = kindOf(v);
      if (k === 'list') throw patchErrors.noListOfLists();
      if (kind !== undefined && kind !== k) throw unexpected(`list element types are not identical: ${JSON.stringify(lists)}`);
      kind = k;
    }
  }
  return kind;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((v, i) => deepEqual(v, b[i]));
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k) && deepEqual(a[k], b[k]));
  }
  return false;
}

/** `$setElementOrder/containers` → `containers`. */
export function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? patchErrors.badPrimitiveList() : patchErrors.badSetElementOrder();
  }
  return s.slice(i + 1);
}

/**
 * A value added where the original had nothing, made fit to store: nulls and directives
 * removed. (Kubernetes gets the same effect by decoding the result into typed structs.)
 */
export function stripDirectives(v: unknown): unknown {
  if (Array.isArray(v)) return v.filter((el) => !(isObject(el) && Object.hasOwn(el, DIRECTIVE))).map(stripDirectives);
  if (!isObject(v)) return v;
  if (v[DIRECTIVE] === 'delete') return {};
  const out: JsonMap = {};
  for (const [k, val] of Object.entries(v)) {
    if (val === null || k.startsWith('$')) continue;
    out[k] = stripDirectives(val);
  }
  return out;
}

function asMap(v: unknown): JsonMap {
  if (!isObject(v)) throw patchErrors.badArgType('map', v);
  return v;
}

function asList(v: unknown): unknown[] {
  if (!Array.isArray(v)) throw patchErrors.badArgType('list', v);
  return v;
}

/** Merges `patch` into `original` (both are mutated; callers pass copies). */
export function mergeMap(original: JsonMap | undefined, patch: JsonMap, schema: PatchSchema, opts: MergeOptions): JsonMap {
  if (Object.hasOwn(patch, DIRECTIVE)) return directiveInMap(patch[DIRECTIVE], patch, opts);
  const orig = original ?? {};
  applyRetainKeys(orig, patch, opts);
  mergeOrderedLists(orig, patch, schema, opts);

  for (const [key, patchV] of Object.entries(patch)) {
    let k = key;
    let isDeleteList = false;
    if (key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      if (!opts.mergeParallelList) {
        orig[key] = patchV;
        continue;
      }
      k = extractKey(key, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[k];
      if (opts.ignoreUnmatchedNulls) continue;
    }
    const added = (): unknown => (opts.mergeParallelList ? stripDirectives(patchV) : patchV);
    if (!Object.hasOwn(orig, k) || kindOf(orig[k]) !== kindOf(patchV)) {
      if (!isDeleteList) orig[k] = added();
      continue;
    }
    const { meta, schema: sub } = schema.lookup(k);
    if (isObject(patchV)) {
      orig[k] = meta.strategy === 'replace' ? added() : mergeMap(asMap(orig[k]), patchV, sub, opts);
    } else if (Array.isArray(patchV)) {
      orig[k] = mergeListField(asList(orig[k]), patchV, meta, sub, isDeleteList, opts);
    } else {
      orig[k] = patchV;
    }
  }
  return orig;
}

function directiveInMap(directive: unknown, patch: JsonMap, opts: MergeOptions): JsonMap {
  if (directive === 'replace') {
    const rest = { ...patch };
    delete rest[DIRECTIVE];
    return opts.mergeParallelList ? (stripDirectives(rest) as JsonMap) : rest;
  }
  if (directive === 'delete') return {};
  throw patchErrors.badPatchType(directive, patch);
}

/** `$retainKeys: [a, b]` clears every other key of the original (server) or is carried along (client). */
function applyRetainKeys(original: JsonMap, patch: JsonMap, opts: MergeOptions): void {
  if (!Object.hasOwn(patch, RETAIN_KEYS)) return;
  const retain = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!opts.mergeParallelList) {
    if (Object.hasOwn(original, RETAIN_KEYS) && !deepEqual(original[RETAIN_KEYS], retain)) {
      throw unexpected(`${JSON.stringify(original[RETAIN_KEYS])} and ${JSON.stringify(retain)} are not deep equal: this may happen when calculating the 3-way diff patch`);
    }
    original[RETAIN_KEYS] = retain;
    return;
  }
  if (!Array.isArray(retain)) throw patchErrors.badRetainKeys();
  const keep = new Set(retain);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw patchErrors.retainKeysMismatch();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/**
 * Handles each `$setElementOrder/<list>` together with `<list>`: merges the list, then orders
 * it — patch items by the directive, server-only items keep their place relative to them.
 */
function mergeOrderedLists(original: JsonMap, patch: JsonMap, schema: PatchSchema, opts: MergeOptions): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const order = patch[key];
    if (!opts.mergeParallelList) {
      if (Object.hasOwn(original, key) && !deepEqual(original[key], order)) throw patchErrors.badSetElementOrder();
      original[key] = order;
    }
    delete patch[key];
    if (!Array.isArray(order)) throw patchErrors.badArgType('list', order);
    const listKey = extractKey(key, SET_ELEMENT_ORDER);
    const inOriginal = Object.hasOwn(original, listKey);
    const inPatch = Object.hasOwn(patch, listKey);
    if (!inOriginal && !inPatch) continue;
    const originalList = inOriginal ? asList(original[listKey]) : [];
    const patchList = inPatch ? asList(patch[listKey]) : [];
    const { meta, schema: sub } = schema.lookup(listKey);
    const mergeKey = meta.mergeKey ?? '';
    validateOrder(patchList, order, mergeKey);

    let merged: unknown[];
    if (!inPatch) merged = originalList;
    else if (!inOriginal) merged = opts.mergeParallelList ? (stripDirectives(patchList) as unknown[]) : patchList;
    else merged = mergeListField(originalList, patchList, meta, sub, false, opts);

    const kind = elementKind(originalList, patchList);
    if (kind !== undefined) {
      const [patchItems, serverOnly] = partition(merged, order, mergeKey, kind);
      merged = normalizeElementOrder(patchItems, serverOnly, order, originalList, mergeKey, kind);
    }
    original[listKey] = merged;
    delete patch[listKey];
  }
}

/** The patch list's items must appear in the same relative order as in `$setElementOrder`. */
function validateOrder(patchList: unknown[], order: unknown[], mergeKey: string): void {
  if (order.length === 0 || patchList.length === 0) return;
  const items = mergeKey ? patchList.filter((v) => !(isObject(v) && v[DIRECTIVE] === 'delete')) : patchList;
  let p = 0;
  let o = 0;
  while (p < items.length && o < order.length) {
    const item = items[p];
    if (isObject(item) && Object.hasOwn(item, DIRECTIVE)) {
      p++;
      continue;
    }
    if (keyOf(item, mergeKey, true) === keyOf(order[o], mergeKey, true)) p++;
    o++;
  }
  if (p < items.length) {
    throw unexpected(`The order in patch list:\n${JSON.stringify(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${JSON.stringify(order)}\n`);
  }
}

/** The identity of a list item: its merge key's value, or the item itself for scalars. */
function keyOf(item: unknown, mergeKey: string, required = false): unknown {
  if (!mergeKey) return item;
  if (!isObject(item)) {
    if (required) throw patchErrors.badArgType('map', item);
    return undefined;
  }
  if (required && !Object.hasOwn(item, mergeKey)) throw patchErrors.noMergeKey(item, mergeKey);
  return item[mergeKey];
}

function mergeListField(
  original: unknown[],
  patch: unknown[],
  meta: FieldPatchMeta,
  schema: PatchSchema,
  isDeleteList: boolean,
  opts: MergeOptions,
): unknown[] {
  if (meta.strategy === 'merge') return mergeList(original, patch, schema, meta.mergeKey ?? '', isDeleteList, opts);
  // Lists without a merge strategy are atomic: the patch replaces them.
  return opts.mergeParallelList ? (stripDirectives(patch) as unknown[]) : patch;
}

function mergeList(
  original: unknown[],
  patch: unknown[],
  schema: PatchSchema,
  mergeKey: string,
  isDeleteList: boolean,
  opts: MergeOptions,
): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = elementKind(original, patch)!;
  let merged: unknown[];
  if (kind !== 'map') {
    if (opts.mergeParallelList && isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = [...new Set([...original, ...patch])];
  } else {
    if (!mergeKey) throw unexpected('cannot merge lists without merge key for type struct');
    [original, patch] = applySpecialElements(original, patch, mergeKey, opts);
    merged = mergeByKey(original, patch, mergeKey, schema, opts);
  }
  const [patchItems, serverOnly] = partition(merged, patch, mergeKey, kind);
  return normalizeElementOrder(patchItems, serverOnly, patch, original, mergeKey, kind);
}

/** `{$patch: delete, key: v}` items delete from the original; a `{$patch: replace}` item replaces it. */
function applySpecialElements(original: unknown[], patch: unknown[], mergeKey: string, opts: MergeOptions): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let replace = false;
  for (const v of patch) {
    const item = asMap(v);
    if (!Object.hasOwn(item, DIRECTIVE)) {
      plain.push(v);
      continue;
    }
    switch (item[DIRECTIVE]) {
      case 'delete':
        if (!Object.hasOwn(item, mergeKey)) throw patchErrors.noMergeKey(item, mergeKey);
        original = original.filter((o) => !(isObject(o) && Object.hasOwn(o, mergeKey) && o[mergeKey] === item[mergeKey]));
        break;
      case 'replace':
        replace = true;
        break;
      case 'merge':
        throw unexpected('merging lists cannot yet be specified in the patch');
      default:
        throw patchErrors.badPatchType(item[DIRECTIVE], item);
    }
  }
  if (replace) return [opts.mergeParallelList ? (stripDirectives(plain) as unknown[]) : plain, []];
  return [original, plain];
}

function mergeByKey(original: unknown[], patch: unknown[], mergeKey: string, schema: PatchSchema, opts: MergeOptions): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const item = asMap(v);
    if (!Object.hasOwn(item, mergeKey)) throw patchErrors.noMergeKey(item, mergeKey);
    const i = out.findIndex((o) => asMap(o)[mergeKey] === item[mergeKey] && Object.hasOwn(asMap(o), mergeKey));
    if (i >= 0) out[i] = mergeMap(asMap(out[i]), item, schema, opts);
    else out.push(opts.mergeParallelList ? stripDirectives(item) : item);
  }
  return out;
}

/** Splits `list` into items whose identity appears in `by` and the rest (server-only items). */
function partition(list: unknown[], by: unknown[], mergeKey: string, kind: ValueKind): [unknown[], unknown[]] {
  const byMap = kind === 'map';
  const ids = new Set(by.map((v) => (byMap ? keyOf(v, mergeKey) : v)));
  const inBy: unknown[] = [];
  const rest: unknown[] = [];
  for (const v of list) (ids.has(byMap ? keyOf(v, mergeKey, true) : v) ? inBy : rest).push(v);
  return [inBy, rest];
}

function indexIn(order: unknown[], v: unknown, mergeKey: string, kind: ValueKind): number {
  const id = kind === 'map' ? keyOf(v, mergeKey) : v;
  return order.findIndex((o) => (kind === 'map' ? keyOf(o, mergeKey) : o) === id);
}

/** Stable-sorts by position in `order`; `$patch: delete` items go last. */
function sortByOrder(list: unknown[], order: unknown[], mergeKey: string, kind: ValueKind): unknown[] {
  let keep = list;
  let deletes: unknown[] = [];
  if (kind === 'map') {
    for (const v of [...list, ...order]) keyOf(v, mergeKey, true);
    keep = list.filter((v) => asMap(v)[DIRECTIVE] !== 'delete');
    deletes = list.filter((v) => asMap(v)[DIRECTIVE] === 'delete');
  }
  const pos = (v: unknown): number => {
    const i = indexIn(order, v, mergeKey, kind);
    return i < 0 ? Number.MAX_SAFE_INTEGER : i;
  };
  return [...keep.map((v, i) => ({ v, i, p: pos(v) })).sort((a, b) => a.p - b.p || a.i - b.i).map((x) => x.v), ...deletes];
}

/**
 * Orders patch items by `patchOrder` and server-only items by `serverOrder`, then interleaves
 * them: a server-only item goes before a patch item only when the live list had it first.
 */
export function normalizeElementOrder(
  patchItems: unknown[],
  serverOnly: unknown[],
  patchOrder: unknown[],
  serverOrder: unknown[],
  mergeKey: string,
  kind: ValueKind,
): unknown[] {
  const right = sortByOrder(patchItems, patchOrder, mergeKey, kind);
  const left = sortByOrder(serverOnly, serverOrder, mergeKey, kind);
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (j >= right.length) out.push(left[i++]);
    else if (i >= left.length) out.push(right[j++]);
    else {
      const li = indexIn(serverOrder, left[i], mergeKey, kind);
      const ri = indexIn(serverOrder, right[j], mergeKey, kind);
      if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
      else out.push(right[j++]);
    }
  }
  return out;
}
