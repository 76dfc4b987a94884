// The OpenAPI form of a CRD schema, as apiextensions' openapi builder publishes it
// (pkg/controller/openapi/builder buildKubeNative): the structural schema with int-or-string
// unfolded into its anyOf, plus apiVersion, kind and metadata (a reference to ObjectMeta) at the
// root and in every x-kubernetes-embedded-resource. OpenAPI v2 cannot express nullable or the
// junctors, so v2 drops them as ToStructuralOpenAPIV2 does, and a root that preserves unknown
// fields is published as a bare object (kubectl would otherwise reject the unknown fields);
// v2 carries no defaults, to merge with the built-in definitions, which have none.
// x-kubernetes-group-version-kind is the caller's to add.
import { additionalSchema, cloneJson, isIntOrString, itemsSchema, preservesUnknown, type JSONSchemaProps } from './types.js';
import { isIntOrStringAllOf, isIntOrStringAnyOf, nonZeroKeys } from './structural.js';

type Json = Record<string, unknown>;

const OBJECT_META = 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta';
const METADATA_DESCRIPTION = "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";
const API_VERSION_DESCRIPTION =
  'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DESCRIPTION =
  'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';
const EMBEDDED_API_VERSION_DESCRIPTION =
  'apiVersion defines the versioned schema of this representation of an object. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const EMBEDDED_KIND_DESCRIPTION =
  'kind is a string value representing the type of this object. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** Visits the structural nodes (not the junctors' schemas), parents before children. */
function visit(s: JSONSchemaProps, f: (s: JSONSchemaProps) => void): void {
  f(s);
  for (const p of Object.values(s.properties ?? {})) visit(p, f);
  const items = itemsSchema(s);
  if (items !== undefined) visit(items, f);
  const ap = additionalSchema(s);
  if (ap !== undefined) visit(ap, f);
}

/** Unfold: x-kubernetes-int-or-string gets its anyOf [integer, string] spelled out. */
function unfold(s: JSONSchemaProps): void {
  if (!isIntOrString(s) || isIntOrStringAnyOf(s) || isIntOrStringAllOf(s)) return;
  const anyOf: JSONSchemaProps[] = [{ type: 'integer' }, { type: 'string' }];
  if (s.anyOf === undefined || s.anyOf.length === 0) s.anyOf = anyOf;
  else s.allOf = [{ anyOf }, ...(s.allOf ?? [])];
}

/** ToStructuralOpenAPIV2 for one node; defaults go too (the v2 controller's PruneDefaults). */
function toV2(s: JSONSchemaProps): void {
  delete s.default;
  delete s.allOf;
  delete s.anyOf;
  delete s.oneOf;
  delete s.not;
  const props = s.properties ?? {};
  const nullableProps = Object.keys(props).filter((k) => props[k]!.nullable === true);
  if (s.nullable === true) {
    delete s.type;
    delete s.nullable;
    delete s.items;
    delete s.properties;
  }
  if (preservesUnknown(s)) {
    delete s.items;
    delete s.properties;
  }
  if (s.type === 'array' && s.items === undefined) delete s.type;
  if (preservesUnknown(s) && s.type === 'object') delete s.type;
  if (s.required !== undefined && s.properties !== undefined) s.required = s.required.filter((r) => !nullableProps.includes(r));
  if (additionalSchema(s)?.nullable === true) delete s.required;
  if (s.required !== undefined && s.required.length === 0) delete s.required;
}

/** kube-openapi omits zero values when it serializes a schema. */
function serialize(s: JSONSchemaProps): Json {
  const out: Json = {};
  for (const k of nonZeroKeys(s) as (keyof JSONSchemaProps)[]) {
    const v = s[k];
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, JSONSchemaProps>).map(([n, p]) => [n, serialize(p)]));
    else if (k === 'items' && !Array.isArray(v)) out[k] = serialize(v as JSONSchemaProps);
    else if (k === 'additionalProperties' && typeof v === 'object') out[k] = serialize(v as JSONSchemaProps);
    else if (k === 'not') out[k] = serialize(v as JSONSchemaProps);
    else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') out[k] = (v as JSONSchemaProps[]).map(serialize);
    else out[k] = v;
  }
  // `default: null`, `enum: []`-like values are zero too, but a `default` of false/0/"" is not.
  if (s.default !== undefined && s.default !== null) out['default'] = s.default;
  return out;
}

function metadataRef(v2: boolean): Json {
  return { $ref: `${v2 ? '#/definitions/' : '#/components/schemas/'}${OBJECT_META}`, description: METADATA_DESCRIPTION };
}

function addEmbedded(s: Json, v2: boolean): void {
  for (const p of Object.values((s['properties'] as Record<string, Json> | undefined) ?? {})) addEmbedded(p, v2);
  if (typeof s['items'] === 'object' && s['items'] !== null) addEmbedded(s['items'] as Json, v2);
  if (typeof s['additionalProperties'] === 'object' && s['additionalProperties'] !== null) addEmbedded(s['additionalProperties'] as Json, v2);
  if (v2 && s['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (s['x-kubernetes-embedded-resource'] !== true) return;
  const props = (s['properties'] as Record<string, Json> | undefined) ?? {};
  props['apiVersion'] = { type: 'string', description: EMBEDDED_API_VERSION_DESCRIPTION };
  props['kind'] = { type: 'string', description: EMBEDDED_KIND_DESCRIPTION };
  props['metadata'] = metadataRef(v2);
  s['properties'] = props;
  const required = (s['required'] as string[] | undefined) ?? [];
  for (const k of ['kind', 'apiVersion']) if (!required.includes(k)) required.push(k);
  s['required'] = required;
}

function build(schema: JSONSchemaProps, v2: boolean): Json {
  if (v2 && preservesUnknown(schema)) return { type: 'object' };
  const s = cloneJson(schema);
  visit(s, unfold);
  if (v2) visit(s, toV2);
  const out = serialize(s);
  const props = (out['properties'] as Record<string, Json> | undefined) ?? {};
  props['metadata'] = metadataRef(v2);
  props['apiVersion'] = { type: 'string', description: API_VERSION_DESCRIPTION };
  props['kind'] = { type: 'string', description: KIND_DESCRIPTION };
  out['properties'] = props;
  addEmbedded(out, v2);
  return out;
}

/** The schema of a custom resource kind as /openapi/v3 serves it (refs under #/components/schemas). */
export function toOpenAPIV3(schema: JSONSchemaProps): object {
  return build(schema, false);
}

/** The schema of a custom resource kind as /openapi/v2 serves it (refs under #/definitions). */
export function toOpenAPIV2(schema: JSONSchemaProps): object {
  return build(schema, true);
}
