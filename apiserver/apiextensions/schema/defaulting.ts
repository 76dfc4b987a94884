// Structural defaulting (apiextensions-apiserver pkg/apiserver/schema/defaulting): `default`
// values are applied top-down while the object is walked, so a defaulted object gets its own
// nested defaults too; a default applies only where its parent exists, in objects (properties),
// array items and map values (additionalProperties). A null in a field that is not nullable
// counts as absent: it gets the default, or is dropped when there is none
// (PruneNonNullableNullsWithoutDefaults), as Kubernetes does for custom resources.
import { additionalSchema, cloneJson, isJsonObject, itemsSchema, propertySchema, type JSONSchemaProps } from './types.js';

const isNonNullableNull = (x: unknown, s: JSONSchemaProps | undefined): boolean => x === null && s !== undefined && s.nullable !== true;

/** Applies the defaults of `s` to `x` in place. */
export function applyDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (s === undefined) return;
  if (isJsonObject(x)) {
    for (const [k, prop] of Object.entries(s.properties ?? {})) {
      if (prop.default === undefined) continue;
      if (!Object.hasOwn(x, k) || isNonNullableNull(x[k], prop)) x[k] = cloneJson(prop.default);
    }
    const ap = additionalSchema(s);
    for (const k of Object.keys(x)) {
      const prop = propertySchema(s, k);
      if (prop !== undefined) {
        applyDefaults(x[k], prop);
      } else if (ap !== undefined) {
        if (isNonNullableNull(x[k], ap) && ap.default !== undefined) x[k] = cloneJson(ap.default);
        applyDefaults(x[k], ap);
      }
    }
  } else if (Array.isArray(x)) {
    const items = itemsSchema(s);
    for (let i = 0; i < x.length; i++) {
      if (isNonNullableNull(x[i], items) && items?.default !== undefined) x[i] = cloneJson(items.default);
      applyDefaults(x[i], items);
    }
  }
}

function schemaForField(k: string, s: JSONSchemaProps | undefined): JSONSchemaProps | undefined {
  return propertySchema(s, k) ?? (s !== undefined ? additionalSchema(s) : undefined);
}

/** Drops null values of fields that are neither nullable nor defaulted. */
export function pruneNonNullableNulls(x: unknown, s: JSONSchemaProps | undefined): void {
  if (isJsonObject(x)) {
    for (const k of Object.keys(x)) {
      const fs = schemaForField(k, s);
      if (x[k] === null && fs !== undefined && fs.nullable !== true && fs.default === undefined) delete x[k];
      else pruneNonNullableNulls(x[k], fs);
    }
  } else if (Array.isArray(x)) {
    const items = s !== undefined ? itemsSchema(s) : undefined;
    for (const v of x) pruneNonNullableNulls(v, items);
  }
}
