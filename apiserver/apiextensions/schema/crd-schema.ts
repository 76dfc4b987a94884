// validateStructuralSchema: the checks a CRD's openAPIV3Schema gets when the CRD is created or
// updated, in upstream's order (validateCustomResourceDefinitionValidation): the root limits
// under a status subresource, nullable at the root, the structural invariants (then, if those
// hold, the defaults), the OpenAPI-schema rules; and, only when nothing else was found, why
// the schema could not even be read as a structural one.
import type { ErrorList, Path } from '../../../api/validation/field.js';
import { validateDefaults } from './defaults-validation.js';
import { ferr } from './fielderrors.js';
import { validateOpenAPISchema } from './openapi-rules.js';
import { nonZeroKeys, validateStructural } from './structural.js';
import type { JSONSchemaProps } from './types.js';
import { newValueValidator } from './validator.js';

export interface StructuralSchemaOptions {
  /** The version has the status subresource: the root may then only use a few keywords. */
  statusSubresource?: boolean;
}

// Go field names of JSONSchemaProps allowed at the root with a status subresource, keyed by JSON name.
const ROOT_WITH_STATUS: Record<string, string> = {
  description: 'Description', type: 'Type', format: 'Format', title: 'Title', maximum: 'Maximum', exclusiveMaximum: 'ExclusiveMaximum',
  minimum: 'Minimum', exclusiveMinimum: 'ExclusiveMinimum', maxLength: 'MaxLength', minLength: 'MinLength', pattern: 'Pattern',
  maxItems: 'MaxItems', minItems: 'MinItems', uniqueItems: 'UniqueItems', multipleOf: 'MultipleOf', required: 'Required',
  items: 'Items', properties: 'Properties', externalDocs: 'ExternalDocs', example: 'Example',
  'x-kubernetes-preserve-unknown-fields': 'XPreserveUnknownFields', 'x-kubernetes-validations': 'XValidations',
};

function statusRootErrors(s: JSONSchemaProps, p: Path): ErrorList {
  for (const k of nonZeroKeys(s)) {
    if (k === 'type') {
      if (s.type !== 'object') return [ferr.invalid(p.child('type'), s.type, 'only "object" is allowed as the type at the root of the schema if the status subresource is enabled')];
      continue;
    }
    if (ROOT_WITH_STATUS[k] === undefined) {
      return [ferr.invalid(p, s, `only [${Object.values(ROOT_WITH_STATUS).join(' ')}] fields are allowed at the root of the schema if the status subresource is enabled`)];
    }
  }
  return [];
}

/** Why NewStructural cannot convert `s` at all, if it cannot (validateUnsupportedFields). */
function unconvertible(s: JSONSchemaProps | undefined): string | undefined {
  if (s === undefined) return undefined;
  const own =
    s.id ? "'id'" : s.$schema ? "'schema'" : s.$ref !== undefined ? "'$ref'" : Object.keys(s.patternProperties ?? {}).length ? "'patternProperties'"
      : s.dependencies !== undefined ? "'dependencies'" : s.additionalItems !== undefined ? "'additionalItems'" : Object.keys(s.definitions ?? {}).length ? "'definitions'" : undefined;
  if (own !== undefined) return `OpenAPIV3Schema ${own} is not supported`;
  if (Array.isArray(s.items)) return "OpenAPIV3Schema 'items' must be a schema, but is an array";
  if (s['x-kubernetes-preserve-unknown-fields'] === false) return "internal error: 'x-kubernetes-preserve-unknown-fields' must be true or undefined";
  const subs = [
    s.items as JSONSchemaProps | undefined, s.not, ...(s.allOf ?? []), ...(s.anyOf ?? []), ...(s.oneOf ?? []),
    ...Object.values(s.properties ?? {}), typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined,
  ];
  for (const x of subs) {
    const why = unconvertible(x);
    if (why !== undefined) return why;
  }
  return undefined;
}

/**
 * Every error of the CRD schema `schema`, found at `path` (e.g.
 * `spec.versions[0].schema.openAPIV3Schema`), as apiextensions reports them.
 */
export function validateStructuralSchema(schema: JSONSchemaProps, path: Path, opts: StructuralSchemaOptions = {}): ErrorList {
  const errs: ErrorList = [];
  if (opts.statusSubresource === true) errs.push(...statusRootErrors(schema, path));
  if (schema.nullable === true) errs.push(ferr.forbidden(path.child('nullable'), 'nullable cannot be true at the root'));
  const why = unconvertible(schema);
  if (why === undefined) {
    const structural = validateStructural(schema, path);
    errs.push(...(structural.length > 0 ? structural : validateDefaults(schema, path)));
  }
  errs.push(...validateOpenAPISchema(schema, path));
  if (errs.length === 0 && why !== undefined) errs.push(ferr.invalid(path, '', why));
  if (errs.length === 0) {
    // As upstream: make sure a validator can actually be built from the schema.
    try {
      newValueValidator(schema, true);
    } catch (e) {
      errs.push(ferr.invalid(path, '', `error building validator: ${e instanceof Error ? e.message : String(e)}`));
    }
  }
  return errs;
}
