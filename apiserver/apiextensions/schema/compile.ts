// A custom resource schema ready for the request path: validation (ajv), defaulting and pruning.
// Compiled once per schema object: the serving side keeps the CRD object it read, so a WeakMap
// on it caches without leaking when the CRD changes or goes away.
import type { ErrorList } from '../../../api/validation/field.js';
import { applyDefaults, pruneNonNullableNulls } from './defaulting.js';
import { validateEmbeddedResources } from './embedded.js';
import { validateListSetsAndMaps } from './listtype.js';
import { pruneUnknown } from './pruning.js';
import type { JSONSchemaProps } from './types.js';
import { newValueValidator } from './validator.js';

export interface CompiledSchema {
  /**
   * Every violation of a whole custom resource, each with its field path: the schema's, then
   * repeated items of x-kubernetes-list-type set/map lists, then embedded resources' meta.
   */
  validate(obj: unknown): ErrorList;
  /** Applies `default`s in place (and drops nulls of non-nullable fields without a default). */
  applyDefaults(obj: unknown): void;
  /** Drops unknown fields in place; returns their paths (`spec.foo`), sorted. */
  prune(obj: unknown): string[];
}

const cache = new WeakMap<JSONSchemaProps, CompiledSchema>();

/**
 * The compiled form of a CRD version's openAPIV3Schema. Throws only for a schema that
 * validateStructuralSchema rejects (one ajv cannot compile).
 */
export function compileSchema(schema: JSONSchemaProps): CompiledSchema {
  const hit = cache.get(schema);
  if (hit) return hit;
  const validator = newValueValidator(schema, true);
  const compiled: CompiledSchema = {
    validate: (obj) => [...validator.validate(obj), ...validateListSetsAndMaps(schema, obj), ...validateEmbeddedResources(schema, obj)],
    applyDefaults: (obj) => {
      applyDefaults(obj, schema);
      pruneNonNullableNulls(obj, schema);
    },
    prune: (obj) => pruneUnknown(obj, schema, true),
  };
  cache.set(schema, compiled);
  return compiled;
}
