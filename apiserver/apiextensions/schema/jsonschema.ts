// Translates a CRD's OpenAPI v3 schema into the JSON Schema ajv validates with, the way
// apiextensions' ConvertJSONSchemaProps feeds kube-openapi's validator:
// - `nullable: true` adds "null" to the type; x-kubernetes-int-or-string makes it integer|string;
// - OpenAPI v3's boolean exclusiveMaximum/exclusiveMinimum become JSON Schema's numeric ones;
// - formats Kubernetes does not support are dropped (StripUnsupportedFormatsPostProcessor);
// - allOf/anyOf/oneOf/not apply to non-null values only, as in kube-openapi;
// - annotations (description, default, example, x-kubernetes-*) carry no validation and are left out;
// - at a resource root, `metadata` is validated only for what a structural schema may restrict
//   there (name and generateName); the rest of ObjectMeta is the apiserver's business.
import { supportedStringFormat } from './formats.js';
import { additionalSchema, isIntOrString, itemsSchema, type JSONSchemaProps } from './types.js';

export type AjvSchema = Record<string, unknown>;

/** The original `format` text, kept beside ajv's normalized name for messages. */
export const FORMAT_KEY = 'x-k8s-format';

const JSON_TYPES = new Set(['array', 'boolean', 'integer', 'number', 'object', 'string']);

function typesOf(s: JSONSchemaProps): string[] {
  // Types outside OpenAPI's are rejected when a CRD is validated; here they constrain nothing.
  const types = isIntOrString(s) ? ['integer', 'string'] : s.type && JSON_TYPES.has(s.type) ? [s.type] : [];
  if (types.length > 0 && s.nullable === true) types.push('null');
  return types;
}

function copyValueValidation(s: JSONSchemaProps, out: AjvSchema): void {
  if (s.format !== undefined && (!s.type || s.type === 'string')) {
    const key = supportedStringFormat(s.format);
    if (key !== undefined) {
      out['format'] = key;
      out[FORMAT_KEY] = s.format;
    }
  }
  // An empty enum constrains nothing in kube-openapi (Go sees a nil list).
  if (s.enum !== undefined && s.enum.length > 0) out['enum'] = s.enum;
  if (s.maximum !== undefined) out[s.exclusiveMaximum === true ? 'exclusiveMaximum' : 'maximum'] = s.maximum;
  if (s.minimum !== undefined) out[s.exclusiveMinimum === true ? 'exclusiveMinimum' : 'minimum'] = s.minimum;
  for (const k of ['multipleOf', 'maxLength', 'minLength', 'pattern', 'maxItems', 'minItems', 'maxProperties', 'minProperties'] as const) {
    if (s[k] !== undefined) out[k] = s[k];
  }
  if (s.uniqueItems === true) out['uniqueItems'] = true;
  if (s.required !== undefined && s.required.length > 0) out['required'] = s.required;
}

function translate(s: JSONSchemaProps, resourceRoot: boolean): AjvSchema {
  const out: AjvSchema = {};
  const types = typesOf(s);
  if (types.length === 1) out['type'] = types[0];
  else if (types.length > 1) out['type'] = types;
  copyValueValidation(s, out);
  const items = itemsSchema(s);
  if (items !== undefined) out['items'] = translate(items, false);
  if (s.properties !== undefined) {
    const props: Record<string, AjvSchema> = {};
    for (const [k, v] of Object.entries(s.properties)) {
      props[k] = resourceRoot && k === 'metadata' ? rootMetadata(v) : translate(v, false);
    }
    out['properties'] = props;
  }
  if (s.additionalProperties === false) out['additionalProperties'] = false;
  const ap = additionalSchema(s);
  if (ap !== undefined) out['additionalProperties'] = translate(ap, false);
  const junctors: AjvSchema = {};
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    const list = s[k];
    if (list !== undefined && list.length > 0) junctors[k] = list.map((x) => translate(x, false));
  }
  if (s.not !== undefined) junctors['not'] = translate(s.not, false);
  // kube-openapi checks a null value against the type and enum only, never the junctors.
  if (Object.keys(junctors).length > 0) Object.assign(out, { if: { type: 'null' }, else: junctors });
  return out;
}

/** metadata at a resource root: only name and generateName constraints apply. */
function rootMetadata(m: JSONSchemaProps): AjvSchema {
  const props: Record<string, AjvSchema> = {};
  for (const k of ['name', 'generateName']) {
    const p = m.properties?.[k];
    if (p !== undefined) props[k] = translate(p, false);
  }
  return Object.keys(props).length > 0 ? { properties: props } : {};
}

/**
 * The JSON Schema for `s`. `resourceRoot` is true for the schema of a whole custom resource
 * (openAPIV3Schema) and false for a sub-schema (a default value's own node).
 */
export function toJSONSchema(s: JSONSchemaProps, resourceRoot: boolean): AjvSchema {
  return translate(s, resourceRoot);
}
