// The OpenAPI-schema rules apiextensions applies to every node of a CRD schema
// (ValidateCustomResourceDefinitionOpenAPISchema and specStandardValidatorV3 in
// pkg/apis/apiextensions/validation): unsupported keywords ($ref, id, definitions, …),
// uniqueItems, properties beside additionalProperties, defaults in top-level metadata, and the
// x-kubernetes-list-type / map-type / list-map-keys extensions. CEL rules
// (x-kubernetes-validations) are checked only for their shape: no CEL engine ships here.
import type { ErrorList, Path } from '../../../api/validation/field.js';
import { ferr } from './fielderrors.js';
import { isEmbedded, itemsSchema, type JSONSchemaProps } from './types.js';

interface Ctx {
  allowDefaults: boolean;
  disallowDefaultsReason: string;
  insideResourceMeta: boolean;
}

const OPENAPI_V3_TYPES = ['array', 'boolean', 'integer', 'number', 'object', 'string'];
const META_FIELDS = new Set(['metadata', 'kind', 'apiVersion']);

const forbidDefaults = (c: Ctx, reason: string): Ctx => ({ ...c, allowDefaults: false, disallowDefaultsReason: reason });

/** specStandardValidatorV3.validate: keywords a CRD schema may not use at any node. */
function standard(s: JSONSchemaProps, p: Path, c: Ctx): ErrorList {
  const errs: ErrorList = [];
  if (s.type !== undefined && s.type !== '' && !OPENAPI_V3_TYPES.includes(s.type)) errs.push(ferr.notSupported(p.child('type'), s.type, OPENAPI_V3_TYPES));
  if (s.default !== undefined && s.default !== null && !c.allowDefaults) {
    errs.push(ferr.forbidden(p.child('default'), c.disallowDefaultsReason ? `must not be set ${c.disallowDefaultsReason}` : 'must not be set'));
  }
  if (s.id) errs.push(ferr.forbidden(p.child('id'), 'id is not supported'));
  if (s.additionalItems !== undefined) errs.push(ferr.forbidden(p.child('additionalItems'), 'additionalItems is not supported'));
  if (Object.keys(s.patternProperties ?? {}).length > 0) errs.push(ferr.forbidden(p.child('patternProperties'), 'patternProperties is not supported'));
  if (Object.keys(s.definitions ?? {}).length > 0) errs.push(ferr.forbidden(p.child('definitions'), 'definitions is not supported'));
  if (s.dependencies !== undefined) errs.push(ferr.forbidden(p.child('dependencies'), 'dependencies is not supported'));
  if (s.$ref !== undefined) errs.push(ferr.forbidden(p.child('$ref'), '$ref is not supported'));
  if (s.type === 'null') errs.push(ferr.forbidden(p.child('type'), 'type cannot be set to null, use nullable as an alternative'));
  if (Array.isArray(s.items) && s.items.length > 0) errs.push(ferr.forbidden(p.child('items'), 'items must be a schema object and not an array'));
  if (c.insideResourceMeta && isEmbedded(s)) errs.push(ferr.forbidden(p.child('x-kubernetes-embedded-resource'), 'must not be used inside of resource meta'));
  return errs;
}

function mapTypeRules(s: JSONSchemaProps, p: Path): ErrorList {
  const errs: ErrorList = [];
  const mapType = s['x-kubernetes-map-type'];
  if (mapType !== undefined && s.type !== 'object') {
    const why = 'must be object if x-kubernetes-map-type is specified';
    errs.push(!s.type ? ferr.required(p.child('type'), why) : ferr.invalid(p.child('type'), s.type, why));
  }
  if (mapType !== undefined && mapType !== 'atomic' && mapType !== 'granular') errs.push(ferr.notSupported(p.child('x-kubernetes-map-type'), mapType, ['atomic', 'granular']));
  return errs;
}

function listMapRules(s: JSONSchemaProps, keys: string[], p: Path): ErrorList {
  const errs: ErrorList = [];
  if (keys.length === 0) errs.push(ferr.required(p.child('x-kubernetes-list-map-keys'), 'must not be empty if x-kubernetes-list-type is map'));
  const items = itemsSchema(s);
  if (s.items === undefined) return [...errs, ferr.required(p.child('items'), 'must have a schema if x-kubernetes-list-type is map')];
  if (items === undefined) return [...errs, ferr.invalid(p.child('items'), s.items, 'must only have a single schema if x-kubernetes-list-type is map')];
  if (items.type !== 'object') return [...errs, ferr.invalid(p.child('items').child('type'), items.type ?? '', "must be object if parent array's x-kubernetes-list-type is map")];
  for (const k of keys) {
    const kp = items.properties?.[k];
    if (kp === undefined) continue;
    if (kp.type === 'array' || kp.type === 'object') {
      errs.push(ferr.invalid(p.child('items').child('properties').key(k).child('type'), items.type, "must be a scalar type if parent array's x-kubernetes-list-type is map"));
    }
    if (kp.nullable === true) errs.push(ferr.forbidden(p.child('items').child('properties').key(k).child('nullable'), 'this property is in x-kubernetes-list-map-keys, so it cannot be nullable'));
    if (kp.default === undefined && !(items.required ?? []).includes(k)) {
      errs.push(ferr.required(p.child('items').child('properties').key(k).child('default'), 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
    }
  }
  if (keys.some((k) => items.properties?.[k] === undefined)) errs.push(ferr.invalid(p.child('x-kubernetes-list-map-keys'), keys, 'entries must all be names of item properties'));
  if (new Set(keys).size !== keys.length) errs.push(ferr.invalid(p.child('x-kubernetes-list-map-keys'), keys, 'must not contain duplicate entries'));
  return errs;
}

function listTypeRules(s: JSONSchemaProps, p: Path): ErrorList {
  const errs: ErrorList = [];
  const listType = s['x-kubernetes-list-type'];
  const keys = s['x-kubernetes-list-map-keys'] ?? [];
  if (listType !== undefined && s.type !== 'array') {
    const why = 'must be array if x-kubernetes-list-type is specified';
    errs.push(!s.type ? ferr.required(p.child('type'), why) : ferr.invalid(p.child('type'), s.type, why));
  } else if (listType === 'set') {
    const items = itemsSchema(s);
    const it = items?.['x-kubernetes-list-type'];
    if (it !== undefined && it !== 'atomic') errs.push(ferr.invalid(p.child('items').child('x-kubernetes-list-type'), it, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
    const mt = items?.['x-kubernetes-map-type'];
    if (mt !== undefined && mt !== 'atomic') errs.push(ferr.invalid(p.child('items').child('x-kubernetes-map-type'), mt, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
  }
  if (listType !== undefined && !['atomic', 'set', 'map'].includes(listType)) errs.push(ferr.notSupported(p.child('x-kubernetes-list-type'), listType, ['atomic', 'set', 'map']));
  if (keys.length > 0 && listType !== 'map') {
    const why = 'must be map if x-kubernetes-list-map-keys is non-empty';
    errs.push(listType === undefined ? ferr.required(p.child('x-kubernetes-list-type'), why) : ferr.invalid(p.child('x-kubernetes-list-type'), listType, why));
  }
  if (listType === 'map') errs.push(...listMapRules(s, keys, p));
  if ((listType === 'map' || listType === 'set') && itemsSchema(s)?.nullable === true) {
    errs.push(ferr.forbidden(p.child('items').child('nullable'), `cannot be nullable when x-kubernetes-list-type is ${listType}`));
  }
  return errs;
}

function celShape(s: JSONSchemaProps, p: Path): ErrorList {
  const errs: ErrorList = [];
  (s['x-kubernetes-validations'] ?? []).forEach((r, i) => {
    const rp = p.child('x-kubernetes-validations').index(i);
    if (!r.rule) errs.push(ferr.required(rp.child('rule'), 'rule is not specified'));
    if (r.message !== undefined && r.message.trim() === '') errs.push(ferr.invalid(rp.child('message'), r.message, 'must be non-empty if specified'));
    if (r.message !== undefined && /[\r\n]/.test(r.message)) errs.push(ferr.invalid(rp.child('message'), r.message, 'must not contain line breaks'));
  });
  return errs;
}

function children(s: JSONSchemaProps, p: Path, c: Ctx, isRoot: boolean): ErrorList {
  const errs: ErrorList = [];
  if (s.additionalProperties !== undefined) {
    if (Object.keys(s.properties ?? {}).length > 0 && s.additionalProperties !== true) {
      errs.push(ferr.forbidden(p.child('additionalProperties'), 'additionalProperties and properties are mutual exclusive'));
    }
    // Pruning a default without its actual value is ambiguous in metadata maps.
    const sub = c.insideResourceMeta ? forbidDefaults(c, 'inside additionalProperties applying to object metadata') : c;
    if (typeof s.additionalProperties === 'object') errs.push(...node(s.additionalProperties, p.child('additionalProperties'), sub, false));
  }
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    let sub = c;
    if ((isRoot || isEmbedded(s)) && META_FIELDS.has(k)) {
      sub = { ...sub, insideResourceMeta: true };
      if (isRoot) sub = forbidDefaults(sub, `in top-level ${k}`);
    }
    errs.push(...node(v, p.child('properties').key(k), sub, false));
  }
  if (s.not !== undefined) errs.push(...node(s.not, p.child('not'), c, false));
  for (const k of ['allOf', 'oneOf', 'anyOf'] as const) s[k]?.forEach((x, i) => errs.push(...node(x, p.child(k).index(i), c, false)));
  for (const [k, v] of Object.entries(s.definitions ?? {})) errs.push(...node(v, p.child('definitions').key(k), c, false));
  if (Array.isArray(s.items)) s.items.forEach((x, i) => errs.push(...node(x, p.child('items').index(i), c, false)));
  else if (s.items !== undefined) errs.push(...node(s.items, p.child('items'), c, false));
  for (const [k, v] of Object.entries(s.dependencies ?? {})) if (!Array.isArray(v)) errs.push(...node(v, p.child('dependencies').key(k), c, false));
  return errs;
}

function node(s: JSONSchemaProps, p: Path, c: Ctx, isRoot: boolean): ErrorList {
  const errs = standard(s, p, c);
  if (s.uniqueItems === true) errs.push(ferr.forbidden(p.child('uniqueItems'), 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
  errs.push(...children(s, p, c, isRoot));
  if (s['x-kubernetes-preserve-unknown-fields'] === false) {
    errs.push(ferr.invalid(p.child('x-kubernetes-preserve-unknown-fields'), false, 'must be true or undefined'));
  }
  errs.push(...mapTypeRules(s, p), ...listTypeRules(s, p), ...celShape(s, p));
  return errs;
}

/** ValidateCustomResourceDefinitionOpenAPISchema for a whole openAPIV3Schema at `p`. */
export function validateOpenAPISchema(s: JSONSchemaProps, p: Path): ErrorList {
  return node(s, p, { allowDefaults: true, disallowDefaultsReason: '', insideResourceMeta: false }, true);
}
