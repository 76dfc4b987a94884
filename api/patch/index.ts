// The patch kinds the apiserver accepts and the three-way patch `kubectl apply` computes.
// Everything here is pure: inputs are never mutated.
import type { KObject } from '../types.js';
import { isObject } from '../types.js';
import { patchErrors } from './errors.js';
import { PatchSchema } from './schema.js';
import { SERVER, mergeMap, type JsonMap } from './strategic.js';
import { threeWayMergePatch } from './three-way.js';

export { applyJsonPatch, applyMergePatch } from './json-patch.js';
export { PatchSchema } from './schema.js';
export type { FieldPatchMeta } from './schema.js';

/**
 * Applies a strategic merge patch (application/strategic-merge-patch+json) to an object of
 * the given apiVersion/kind, honouring merge keys and the `$patch`, `$retainKeys`,
 * `$setElementOrder/…` and `$deleteFromPrimitiveList/…` directives.
 */
export function applyStrategicMergePatch(original: KObject, patch: unknown, apiVersion: string, kind: string): KObject {
  if (!isObject(patch)) throw patchErrors.badJsonDoc();
  const schema = PatchSchema.forKind(apiVersion, kind);
  return mergeMap(structuredClone(original) as JsonMap, structuredClone(patch), schema, SERVER) as KObject;
}

/**
 * The strategic merge patch `kubectl apply` sends: `original` is the last-applied
 * configuration (undefined on the first apply), `modified` the new file, `current` the live
 * object. Fields removed from the file are deleted (null / `$patch: delete` /
 * `$deleteFromPrimitiveList`), fields others set on the live object are kept, and merging lists
 * carry `$setElementOrder`. An empty object means "unchanged".
 */
export function createThreeWayMergePatch(
  original: KObject | undefined,
  modified: KObject,
  current: KObject,
  apiVersion: string,
  kind: string,
): Record<string, unknown> {
  const schema = PatchSchema.forKind(apiVersion, kind);
  return threeWayMergePatch(
    structuredClone(original ?? {}) as JsonMap,
    structuredClone(modified) as JsonMap,
    structuredClone(current) as JsonMap,
    schema,
  );
}
