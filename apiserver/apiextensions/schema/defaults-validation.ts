// Defaults must be valid (structuraldefaulting.ValidateDefaults): every `default` in the
// structural part of the schema (properties and items; additionalProperties cannot carry one in
// metadata, and is not followed upstream) must already be pruned and must pass its own node's
// validation. Errors are placed under the node's `default`, named as kube-openapi names them from
// that value (so a scalar default's message starts with an empty name, as upstream's does).
import { isDeepStrictEqual } from 'node:util';
import type { ErrorList, Path } from '../../../api/validation/field.js';
import { ferr } from './fielderrors.js';
import { pruneUnknown } from './pruning.js';
import { cloneJson, isEmbedded, itemsSchema, type JSONSchemaProps } from './types.js';
import { newValueValidator } from './validator.js';

const META_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function checkDefault(s: JSONSchemaProps, p: Path): ErrorList {
  const dp = p.child('default');
  const pruned = cloneJson(s.default);
  pruneUnknown(pruned, s, isEmbedded(s));
  if (!isDeepStrictEqual(pruned, s.default)) return [ferr.invalid(dp, s.default, 'must not have unknown fields')];
  try {
    return newValueValidator(s, false).validate(s.default, dp.toString());
  } catch {
    // A node ajv cannot compile is reported by the schema rules (e.g. its pattern), not here.
    return [];
  }
}

function walk(s: JSONSchemaProps, p: Path, insideMeta: boolean, isResourceRoot: boolean): ErrorList {
  const errs: ErrorList = [];
  // Defaults inside apiVersion/kind/metadata of embedded resources would need ObjectMeta
  // validation of the surrounding object; top-level ones are forbidden outright elsewhere.
  if (s.default !== undefined && s.default !== null && !insideMeta) errs.push(...checkDefault(s, p));
  const items = itemsSchema(s);
  if (items !== undefined) errs.push(...walk(items, p.child('items'), insideMeta, false));
  const embedded = isResourceRoot || isEmbedded(s);
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    errs.push(...walk(v, p.child('properties').key(k), insideMeta || (embedded && META_FIELDS.has(k)), false));
  }
  return errs;
}

/** The errors of every default in `s`, a whole openAPIV3Schema at `p`. */
export function validateDefaults(s: JSONSchemaProps, p: Path): ErrorList {
  return walk(s, p, false, true);
}
