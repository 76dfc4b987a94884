// Computing strategic merge patches (the client half of k8s strategicpatch): diffMaps and the
// three-way patch `kubectl apply` sends, built from last-applied (original), the file
// (modified) and the live object (current).
import { isObject } from '../types.js';
import { patchErrors } from './errors.js';
import type { PatchSchema } from './schema.js';
import {
  DELETE_FROM_PRIMITIVE_LIST,
  DIRECTIVE,
  RETAIN_KEYS,
  SET_ELEMENT_ORDER,
  deepEqual,
  elementKind,
  kindOf,
  mergeMap,
  normalizeElementOrder,
  type JsonMap,
} from './strategic.js';

export interface DiffOptions {
  /** Emit `$setElementOrder/<list>` for merging lists whose content or order changed. */
  setElementOrder: boolean;
  ignoreChangesAndAdditions: boolean;
  ignoreDeletions: boolean;
  /** Emit `$retainKeys` (the struct being diffed has the retainKeys strategy). */
  buildRetainKeys: boolean;
}

const goString = (v: unknown): string => (typeof v === 'string' ? v : JSON.stringify(v));
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Returns a patch that turns `original` into `modified`, within the limits `opts` sets. */
export function diffMaps(original: JsonMap, modified: JsonMap, schema: PatchSchema, opts: DiffOptions): JsonMap {
  const patch: JsonMap = {};
  const retainKeys: string[] = [];
  for (const [key, modifiedValue] of Object.entries(modified)) {
    if (opts.buildRetainKeys && modifiedValue !== null) retainKeys.push(key);
    if (!Object.hasOwn(original, key)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const originalValue = original[key];
    if (key === DIRECTIVE) {
      if (typeof originalValue !== 'string' || typeof modifiedValue !== 'string') {
        throw patchErrors.badPatchType(modifiedValue, modified);
      }
      if (originalValue !== modifiedValue) patch[key] = modifiedValue;
      continue;
    }
    if (kindOf(originalValue) !== kindOf(modifiedValue)) {
      if (!opts.ignoreChangesAndAdditions) patch[key] = modifiedValue;
      continue;
    }
    const { meta, schema: sub } = schema.lookup(key);
    if (isObject(originalValue) && isObject(modifiedValue)) {
      if (meta.strategy === 'replace') {
        if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) patch[key] = modifiedValue;
      } else {
        const sub_ = diffMaps(originalValue, modifiedValue, sub, { ...opts, buildRetainKeys: !!meta.retainKeys });
        if (Object.keys(sub_).length > 0) patch[key] = sub_;
      }
    } else if (Array.isArray(originalValue) && Array.isArray(modifiedValue) && meta.strategy === 'merge') {
      const listOpts = { ...opts, buildRetainKeys: !!meta.retainKeys };
      const { add, del, order } = diffLists(originalValue, modifiedValue, sub, meta.mergeKey ?? '', listOpts);
      if (add.length > 0) patch[key] = add;
      if (del.length > 0) patch[`${DELETE_FROM_PRIMITIVE_LIST}/${key}`] = del;
      if (order.length > 0) patch[`${SET_ELEMENT_ORDER}/${key}`] = order;
    } else if (!opts.ignoreChangesAndAdditions && !deepEqual(originalValue, modifiedValue)) {
      patch[key] = modifiedValue;
    }
  }
  if (!opts.ignoreDeletions) {
    for (const key of Object.keys(original)) if (!Object.hasOwn(modified, key)) patch[key] = null;
  }
  const originalHasExtra = Object.entries(original).some(([k, v]) => v !== null && !Object.hasOwn(modified, k));
  if (retainKeys.length > 0 && (Object.keys(patch).length > 0 || originalHasExtra)) {
    patch[RETAIN_KEYS] = retainKeys.sort(byString);
  }
  return patch;
}

/**
 * The patch list (changed and added items, then `$patch: delete` items for maps), the parallel
 * deletion list (scalars) and the `$setElementOrder` list of one merging list.
 */
function diffLists(
  original: unknown[],
  modified: unknown[],
  schema: PatchSchema,
  mergeKey: string,
  opts: DiffOptions,
): { add: unknown[]; del: unknown[]; order: unknown[] } {
  const none = { add: [], del: [], order: [] };
  if (original.length === 0) {
    if (modified.length === 0 || opts.ignoreChangesAndAdditions) return none;
    return { add: modified, del: [], order: [] };
  }
  const kind = elementKind(original, modified)!;
  if (kind === 'map') {
    const { changed, deleted } = diffListsOfMaps(original, modified, schema, mergeKey, opts);
    const sorted = normalizeElementOrder(changed, [], modified, [], mergeKey, kind);
    const orderSame =
      original.length === modified.length && modified.every((m, i) => (original[i] as JsonMap)[mergeKey] === (m as JsonMap)[mergeKey]);
    const add = [...sorted, ...deleted];
    const wantOrder =
      opts.setElementOrder &&
      ((!opts.ignoreChangesAndAdditions && (add.length > 0 || !orderSame)) || (!opts.ignoreDeletions && add.length > 0));
    const order = wantOrder ? modified.map((m) => ({ [mergeKey]: (m as JsonMap)[mergeKey] })) : [];
    return { add, del: [], order };
  }
  const { added, deleted } = diffListsOfScalars(original, modified, opts);
  const add = normalizeElementOrder(added, [], modified, [], '', kind);
  const wantOrder =
    opts.setElementOrder &&
    ((!opts.ignoreDeletions && deleted.length > 0) || (!opts.ignoreChangesAndAdditions && !deepEqual(original, modified)));
  return { add, del: deleted, order: wantOrder ? modified : [] };
}

function keyed(list: unknown[], mergeKey: string): { item: JsonMap; key: unknown; str: string }[] {
  return list
    .map((v) => {
      if (!isObject(v)) throw patchErrors.badArgType('map', v);
      if (!Object.hasOwn(v, mergeKey)) throw patchErrors.noMergeKey(v, mergeKey);
      return { item: v, key: v[mergeKey], str: goString(v[mergeKey]) };
    })
    .sort((a, b) => byString(a.str, b.str));
}

function diffListsOfMaps(
  original: unknown[],
  modified: unknown[],
  schema: PatchSchema,
  mergeKey: string,
  opts: DiffOptions,
): { changed: unknown[]; deleted: unknown[] } {
  const changed: unknown[] = [];
  const deleted: unknown[] = [];
  const o = keyed(original, mergeKey);
  const m = keyed(modified, mergeKey);
  let i = 0;
  let j = 0;
  // Walk both lists sorted by merge key, like a merge join.
  while (i < o.length || j < m.length) {
    if (i < o.length && j < m.length && o[i].str === m[j].str) {
      const p = diffMaps(o[i].item, m[j].item, schema, opts);
      if (Object.keys(p).length > 0) changed.push({ ...p, [mergeKey]: m[j].key });
      i++;
      j++;
    } else if (i >= o.length || (j < m.length && o[i].str > m[j].str)) {
      if (!opts.ignoreChangesAndAdditions) changed.push(m[j].item);
      j++;
    } else {
      if (!opts.ignoreDeletions) deleted.push({ [DIRECTIVE]: 'delete', [mergeKey]: o[i].key });
      i++;
    }
  }
  return { changed, deleted };
}

function diffListsOfScalars(original: unknown[], modified: unknown[], opts: DiffOptions): { added: unknown[]; deleted: unknown[] } {
  const sort = (l: unknown[]): unknown[] => [...l].sort((a, b) => byString(goString(a), goString(b)));
  const o = sort(original);
  const m = sort(modified);
  const added: unknown[] = [];
  const deleted: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < o.length || j < m.length) {
    const os = i < o.length ? goString(o[i]) : undefined;
    const ms = j < m.length ? goString(m[j]) : undefined;
    if (os !== undefined && ms !== undefined && os === ms) {
      i++;
      j++;
    } else if (os === undefined || (ms !== undefined && os > ms)) {
      if (!opts.ignoreChangesAndAdditions) added.push(m[j]);
      j++;
    } else {
      if (!opts.ignoreDeletions) deleted.push(o[i]);
      i++;
    }
  }
  return { added, deleted: [...new Set(deleted)] };
}

/**
 * CreateThreeWayMergePatch with overwrite (what `kubectl apply` does): the changes from
 * current to modified, without deletions, plus the deletions from original to modified. Fields
 * that someone else set on the live object and that were never in the file are left alone.
 */
export function threeWayMergePatch(original: JsonMap, modified: JsonMap, current: JsonMap, schema: PatchSchema): JsonMap {
  const delta = diffMaps(current, modified, schema, {
    setElementOrder: true,
    ignoreChangesAndAdditions: false,
    ignoreDeletions: true,
    buildRetainKeys: false,
  });
  const deletions = diffMaps(original, modified, schema, {
    setElementOrder: true,
    ignoreChangesAndAdditions: true,
    ignoreDeletions: false,
    buildRetainKeys: false,
  });
  return mergeMap(deletions, delta, schema, { mergeParallelList: false, ignoreUnmatchedNulls: false });
}
