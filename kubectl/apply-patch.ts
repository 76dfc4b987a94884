// The decisions of client-side `kubectl apply`, as pure functions: what goes into the
// last-applied annotation, and whether an object is created, left unchanged, or patched
// (strategic merge for kinds the server knows, JSON merge patch otherwise).
import { createThreeWayMergePatch } from '../api/patch/index.js';
import { findByKind } from '../api/resources.js';
import { isObject, type KObject } from '../api/types.js';
import { goJson } from '../api/go-format.js';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * kubectl's GetModifiedConfiguration: the object without the annotation (annotations kept
 * as `{}` when that empties them), serialized with sorted keys and a newline.
 */
export function lastAppliedJson(obj: KObject): string {
  const copy = structuredClone(obj);
  const annotations = { ...(copy.metadata?.annotations ?? {}) };
  delete annotations[LAST_APPLIED];
  copy.metadata = { ...copy.metadata, annotations };
  return `${goJson(copy)}\n`;
}

/** The object as apply sends (or diffs) it: with a fresh last-applied annotation. */
export function withLastApplied(obj: KObject): KObject {
  const json = lastAppliedJson(obj);
  const copy = structuredClone(obj);
  copy.metadata = { ...copy.metadata, annotations: { ...(copy.metadata?.annotations ?? {}), [LAST_APPLIED]: json } };
  return copy;
}

export type ApplyDecision =
  | { action: 'create'; body: KObject }
  | { action: 'unchanged' }
  | { action: 'patch'; patchType: 'strategic' | 'merge'; patch: Record<string, unknown> };

/** JSON merge patch three-way (CreateThreeWayJSONMergePatch): changes current→modified, deletions original→modified. */
export function threeWayJsonMergePatch(original: unknown, modified: unknown, current: unknown): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  const o = isObject(original) ? original : {};
  const m = isObject(modified) ? modified : {};
  const c = isObject(current) ? current : {};
  for (const [k, mv] of Object.entries(m)) {
    const cv = c[k];
    if (isObject(mv) && isObject(cv)) {
      const sub = threeWayJsonMergePatch(o[k], mv, cv);
      if (Object.keys(sub).length > 0) patch[k] = sub;
    } else if (JSON.stringify(mv) !== JSON.stringify(cv)) {
      patch[k] = mv;
    }
  }
  for (const k of Object.keys(o)) if (!Object.hasOwn(m, k) && Object.hasOwn(c, k)) patch[k] = null;
  return patch;
}

/** What `kc apply` does with one object from a file, given the live object (undefined: absent). */
export function decideApply(file: KObject, live: KObject | undefined): ApplyDecision {
  const modified = withLastApplied(file);
  if (!live) return { action: 'create', body: modified };
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  let original: KObject | undefined;
  if (text) {
    try {
      original = JSON.parse(text) as KObject;
    } catch {
      original = undefined;
    }
  }
  const known = findByKind(String(file.apiVersion), String(file.kind)) !== undefined;
  const patch = known
    ? createThreeWayMergePatch(original, modified, live, String(file.apiVersion), String(file.kind))
    : threeWayJsonMergePatch(original, modified, live);
  if (Object.keys(patch).length === 0) return { action: 'unchanged' };
  return { action: 'patch', patchType: known ? 'strategic' : 'merge', patch };
}
