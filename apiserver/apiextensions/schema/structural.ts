// Structural-schema invariants (apiextensions-apiserver pkg/apiserver/schema: validation.go and
// complete.go, ValidateStructural): every specified node has a type (or int-or-string /
// preserve-unknown-fields), arrays have items, logic junctors (allOf/anyOf/oneOf/not) only
// validate values and never declare types, defaults or extensions, every field a junctor
// mentions is also specified outside it, and root metadata restricts only name and generateName.
import type { ErrorList, Path } from '../../../api/validation/field.js';
import { ferr, sortErrors } from './fielderrors.js';
import { re2Error } from './regexp.js';
import { additionalSchema, isEmbedded, isIntOrString, itemsSchema, preservesUnknown, type JSONSchemaProps } from './types.js';

type Level = 'root' | 'item' | 'field';

/** Keys with a value other than Go's zero value (undefined, false, "", empty list or map). */
export function nonZeroKeys(s: object): string[] {
  return Object.entries(s)
    .filter(([, v]) => !(v === undefined || v === false || v === '' || (Array.isArray(v) && v.length === 0) || (typeof v === 'object' && v !== null && !Array.isArray(v) && Object.keys(v).length === 0)))
    .map(([k]) => k);
}

const isTypeOnly = (s: JSONSchemaProps, type: string): boolean => s.type === type && nonZeroKeys(s).length === 1;

/** anyOf: [{type: integer}, {type: string}], the int-or-string form that may declare types. */
export function isIntOrStringAnyOf(s: JSONSchemaProps | undefined): boolean {
  const a = s?.anyOf;
  return a !== undefined && a.length === 2 && isTypeOnly(a[0]!, 'integer') && isTypeOnly(a[1]!, 'string');
}

/** allOf: [{anyOf: [{type: integer}, {type: string}]}, …], the other allowed int-or-string form. */
export function isIntOrStringAllOf(s: JSONSchemaProps | undefined): boolean {
  const first = s?.allOf?.[0];
  return first !== undefined && isIntOrStringAnyOf(first);
}

function valueValidation(v: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, p: Path): ErrorList {
  const errs: ErrorList = [];
  if (!skipAnyOf) v.anyOf?.forEach((x, i) => errs.push(...nested(x, false, lvl, p.child('anyOf').index(i))));
  v.allOf?.forEach((x, i) => errs.push(...nested(x, skipFirstAllOfAnyOf && i === 0, lvl, p.child('allOf').index(i))));
  v.oneOf?.forEach((x, i) => errs.push(...nested(x, false, lvl, p.child('oneOf').index(i))));
  if (v.not !== undefined) errs.push(...nested(v.not, false, lvl, p.child('not')));
  if (v.pattern !== undefined && v.pattern !== '') {
    const why = re2Error(v.pattern);
    if (why !== undefined) errs.push(ferr.invalid(p.child('pattern'), v.pattern, `must be a valid regular expression, but isn't: ${why}`));
  }
  return errs;
}

const NESTED_FORBIDDEN: [keyof JSONSchemaProps, string][] = [
  ['title', 'must be empty to be structural'],
  ['description', 'must be empty to be structural'],
  ['nullable', 'must be false to be structural'],
  ['externalDocs', 'must be undefined to be structural'],
  ['x-kubernetes-preserve-unknown-fields', 'must be false to be structural'],
  ['x-kubernetes-embedded-resource', 'must be false to be structural'],
  ['x-kubernetes-int-or-string', 'must be false to be structural'],
  ['x-kubernetes-list-map-keys', 'must be empty to be structural'],
  ['x-kubernetes-validations', 'must be empty to be structural'],
];

/** A schema under allOf/anyOf/oneOf/not: value validation only. */
function nested(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, p: Path): ErrorList {
  const errs = valueValidation(v, skipAnyOf, false, lvl, p);
  const items = itemsSchema(v);
  if (items !== undefined) errs.push(...nested(items, false, lvl, p.child('items')));
  for (const [k, x] of Object.entries(v.properties ?? {})) errs.push(...nested(x, false, 'field', p.child('properties').key(k)));
  if (v.type !== undefined && v.type !== '') errs.push(ferr.forbidden(p.child('type'), 'must be empty to be structural'));
  if (v.additionalProperties !== undefined && v.additionalProperties !== false) {
    errs.push(ferr.forbidden(p.child('additionalProperties'), 'must be undefined to be structural'));
  }
  if (v.default !== undefined && v.default !== null) errs.push(ferr.forbidden(p.child('default'), 'must be undefined to be structural'));
  for (const [k, why] of NESTED_FORBIDDEN) if (nonZeroKeys({ [k]: v[k] }).length > 0) errs.push(ferr.forbidden(p.child(k), why));
  if (v['x-kubernetes-list-type'] !== undefined) errs.push(ferr.forbidden(p.child('x-kubernetes-list-type'), 'must be undefined to be structural'));
  if (v['x-kubernetes-map-type'] !== undefined) errs.push(ferr.forbidden(p.child('x-kubernetes-map-type'), 'must be undefined to be structural'));
  if (v.properties?.['metadata'] !== undefined) {
    errs.push(ferr.forbidden(p.child('properties').key('metadata'), 'must not be specified in a nested context'));
  }
  return errs;
}

function metadataInvariants(m: JSONSchemaProps, checkMetadata: boolean, lvl: Level, p: Path): ErrorList {
  const errs: ErrorList = [];
  if (checkMetadata && m.type !== 'object') errs.push(ferr.invalid(p.child('type'), m.type ?? '', 'must be object'));
  if (lvl === 'root') {
    const props = Object.keys(m.properties ?? {});
    const onlyNames = props.length > 0 && props.every((k) => k === 'name' || k === 'generateName');
    const rest: JSONSchemaProps = { ...m, type: undefined, default: undefined };
    if (onlyNames) delete rest.properties;
    if (nonZeroKeys(rest).length > 0) {
      errs.push(ferr.forbidden(p, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
    }
  }
  return errs;
}

function typeInvariants(s: JSONSchemaProps, lvl: Level, p: Path): ErrorList {
  const errs: ErrorList = [];
  const type = s.type ?? '';
  if (isEmbedded(s) && type !== 'object') {
    const why = 'must be object if x-kubernetes-embedded-resource is true';
    errs.push(type === '' ? ferr.required(p.child('type'), why) : ferr.invalid(p.child('type'), type, why));
  } else if (type === '' && !isIntOrString(s) && !preservesUnknown(s)) {
    const where = { root: 'at the root', item: 'for specified array items', field: 'for specified object fields' }[lvl];
    errs.push(ferr.required(p.child('type'), `must not be empty ${where}`));
  }
  if (isEmbedded(s) && s.additionalProperties !== undefined) {
    errs.push(ferr.forbidden(p.child('additionalProperties'), 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && type !== '' && type !== 'object') errs.push(ferr.invalid(p.child('type'), type, 'must be object at the root'));
  return errs;
}

function resourceMetaInvariants(s: JSONSchemaProps, lvl: Level, p: Path): ErrorList {
  const errs: ErrorList = [];
  const checkMetadata = lvl === 'root' || isEmbedded(s);
  for (const k of ['kind', 'apiVersion']) {
    const x = s.properties?.[k];
    if (x !== undefined && checkMetadata && x.type !== 'string') {
      errs.push(ferr.invalid(p.child('properties').key(k).child('type'), x.type ?? '', 'must be string'));
    }
  }
  const metadata = s.properties?.['metadata'];
  if (metadata !== undefined) errs.push(...metadataInvariants(metadata, checkMetadata, lvl, p.child('properties').key('metadata')));
  if (isEmbedded(s) && !preservesUnknown(s) && Object.keys(s.properties ?? {}).length === 0) {
    errs.push(ferr.required(p.child('properties'), 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

function invariants(s: JSONSchemaProps, lvl: Level, p: Path): ErrorList {
  const errs: ErrorList = [];
  const items = itemsSchema(s);
  if (s.type === 'array' && items === undefined) errs.push(ferr.required(p.child('items'), 'must be specified'));
  if (items !== undefined) errs.push(...invariants(items, 'item', p.child('items')));
  for (const [k, v] of Object.entries(s.properties ?? {})) errs.push(...invariants(v, 'field', p.child('properties').key(k)));
  if (s.additionalProperties !== undefined) {
    if (lvl === 'root') errs.push(ferr.forbidden(p.child('additionalProperties'), 'must not be used at the root'));
    const ap = additionalSchema(s);
    if (ap !== undefined) errs.push(...invariants(ap, 'field', p.child('additionalProperties')));
  }
  if (isIntOrString(s) && preservesUnknown(s)) {
    errs.push(ferr.invalid(p.child('x-kubernetes-preserve-unknown-fields'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  if (isIntOrString(s) && isEmbedded(s)) {
    errs.push(ferr.invalid(p.child('x-kubernetes-embedded-resource'), true, 'must be false if x-kubernetes-int-or-string is true'));
  }
  errs.push(...valueValidation(s, isIntOrStringAnyOf(s), isIntOrStringAllOf(s), lvl, p));
  errs.push(...typeInvariants(s, lvl, p));
  errs.push(...resourceMetaInvariants(s, lvl, p));
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: Path, vPath: Path): ErrorList {
  if (s === undefined) return [ferr.required(sPath, `because it is defined in ${vPath.toString()}`)];
  const errs = valueValidationCompleteness(v, s, sPath, vPath);
  const vItems = itemsSchema(v);
  if (vItems !== undefined) errs.push(...nestedCompleteness(vItems, itemsSchema(s), sPath.child('items'), vPath.child('items')));
  for (const [k, vf] of Object.entries(v.properties ?? {})) {
    const sf = s.properties?.[k];
    const vp = vPath.child('properties').key(k);
    if (sf === undefined) errs.push(ferr.required(sPath.child('properties').key(k), `because it is defined in ${vp.toString()}`));
    else errs.push(...nestedCompleteness(vf, sf, sPath.child('properties').key(k), vp));
  }
  return errs;
}

function valueValidationCompleteness(v: JSONSchemaProps, s: JSONSchemaProps, sPath: Path, vPath: Path): ErrorList {
  const errs: ErrorList = [];
  if (v.not !== undefined) errs.push(...nestedCompleteness(v.not, s, sPath, vPath.child('not')));
  for (const k of ['allOf', 'anyOf', 'oneOf'] as const) {
    v[k]?.forEach((x, i) => errs.push(...nestedCompleteness(x, s, sPath, vPath.child(k).index(i))));
  }
  return errs;
}

/**
 * ValidateStructural: the structural invariants of `s` (a whole openAPIV3Schema at `p`), sorted
 * by their text as upstream sorts them.
 */
export function validateStructural(s: JSONSchemaProps, p: Path): ErrorList {
  // Upstream checks completeness from the root's own junctors (validateStructuralCompleteness).
  return sortErrors([...invariants(s, 'root', p), ...valueValidationCompleteness(s, s, p, p)]);
}
