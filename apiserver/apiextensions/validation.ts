// Validation of CustomResourceDefinitions (k8s apiextensions-apiserver pkg/apis/apiextensions/
// validation/validation.go): the name is <plural>.<group>, a group with a dot, a scope, names
// that are DNS-1035 labels, exactly one storage version, a structural schema per version
// (required in v1), well-formed scale paths and printer columns. Every problem is a field cause.
import type { JSONSchemaProps } from 'kubernetes-types/apiextensions/v1';
import { asArray, asRecord, asString, field, FIELD_IMMUTABLE, Path, type ErrorList } from '../../api/validation/field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/meta.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain } from '../../api/validation/names.js';
import { parseJsonPath, relaxedJsonPath } from '../../client/jsonpath.js';
import { validateStructuralSchema } from './schema/index.js';

type Obj = Record<string, unknown>;

const SCOPES = ['Cluster', 'Namespaced'];
const CONVERSION_STRATEGIES = ['None', 'Webhook'];
const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];
const COLUMN_FORMATS = ['byte', 'date', 'date-time', 'double', 'float', 'int32', 'int64', 'password'];

export function validateCustomResourceDefinition(crd: Obj): ErrorList {
  const meta = asRecord(crd['metadata']);
  const spec = asRecord(crd['spec']);
  const names = asRecord(spec['names']);
  const errs = validateObjectMeta(meta, false, nameIsDNSSubdomain, Path.root('metadata'));
  const want = `${asString(names['plural'])}.${asString(spec['group'])}`;
  if (asString(meta['name']) && asString(meta['name']) !== want) {
    errs.push(field.invalid(Path.root('metadata', 'name'), asString(meta['name']), 'must be spec.names.plural+"."+spec.group'));
  }
  errs.push(...validateSpec(spec, Path.root('spec')));
  errs.push(...validateStoredVersions(crd));
  return errs;
}

export function validateCustomResourceDefinitionUpdate(crd: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(crd['metadata'], old['metadata'], Path.root('metadata'));
  const spec = asRecord(crd['spec']);
  const oldSpec = asRecord(old['spec']);
  errs.push(...validateSpec(spec, Path.root('spec')));
  const immutable = (a: unknown, b: unknown, path: Path): void => {
    if (a !== b) errs.push(field.invalid(path, a ?? '', FIELD_IMMUTABLE));
  };
  if (isEstablished(old)) {
    // Both decide the storage layout and the kind of stored objects.
    immutable(spec['scope'], oldSpec['scope'], Path.root('spec', 'scope'));
    immutable(asRecord(spec['names'])['kind'], asRecord(oldSpec['names'])['kind'], Path.root('spec', 'names', 'kind'));
  }
  // Both are part of the object's name.
  immutable(spec['group'], oldSpec['group'], Path.root('spec', 'group'));
  immutable(asRecord(spec['names'])['plural'], asRecord(oldSpec['names'])['plural'], Path.root('spec', 'names', 'plural'));
  errs.push(...validateStoredVersions(crd));
  return errs;
}

export function validateCustomResourceDefinitionStatusUpdate(crd: Obj, old: Obj): ErrorList {
  return [
    ...validateObjectMetaUpdate(crd['metadata'], old['metadata'], Path.root('metadata')),
    ...validateNames(asRecord(asRecord(crd['status'])['acceptedNames']), Path.root('status', 'acceptedNames')),
  ];
}

export function isEstablished(crd: Obj): boolean {
  return asArray(asRecord(crd['status'])['conditions']).some((c) => asRecord(c)['type'] === 'Established' && asRecord(c)['status'] === 'True');
}

function validateSpec(spec: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const group = asString(spec['group']);
  if (!group) errs.push(field.required(path.child('group')));
  else {
    const bad = isDNS1123Subdomain(group);
    if (bad.length) errs.push(field.invalid(path.child('group'), group, bad.join(',')));
    else if (!group.includes('.')) errs.push(field.invalid(path.child('group'), group, 'should be a domain with at least one dot'));
  }
  errs.push(...enumString(spec['scope'], SCOPES, path.child('scope')));
  errs.push(...validateVersions(asArray(spec['versions']), path.child('versions')));
  const names = asRecord(spec['names']);
  for (const n of ['plural', 'singular', 'kind', 'listKind']) if (!asString(names[n])) errs.push(field.required(path.child('names', n)));
  errs.push(...validateNames(names, path.child('names')));
  const conversion = spec['conversion'];
  if (conversion !== undefined) errs.push(...enumString(asRecord(conversion)['strategy'], CONVERSION_STRATEGIES, path.child('conversion', 'strategy')));
  if (asRecord(conversion)['strategy'] === 'Webhook') {
    // tskube has no conversion webhook client: say so instead of storing what it cannot serve.
    errs.push(field.notSupported(path.child('conversion', 'strategy'), 'Webhook', ['None']));
  }
  return errs;
}

function enumString(v: unknown, accepted: string[], path: Path): ErrorList {
  const s = asString(v);
  if (!s) return [field.required(path)];
  return accepted.includes(s) ? [] : [field.notSupported(path, s, accepted)];
}

function validateVersions(versions: unknown[], path: Path): ErrorList {
  const errs: ErrorList = [];
  if (versions.length === 0) return [field.required(path)];
  const seen = new Set<string>();
  let unique = true;
  let storage = 0;
  let served = 0;
  versions.forEach((raw, i) => {
    const v = asRecord(raw);
    const name = asString(v['name']);
    if (v['storage'] === true) storage++;
    if (v['served'] === true) served++;
    if (seen.has(name)) unique = false;
    seen.add(name);
    const bad = isDNS1035Label(name);
    if (bad.length) errs.push(field.invalid(path.index(i).child('name'), name, bad.join(',')));
    errs.push(...validateVersion(v, path.index(i)));
  });
  const shown = versions as never;
  if (!unique) errs.push(field.invalid(path, shown, 'must contain unique version names'));
  if (storage !== 1) errs.push(field.invalid(path, shown, 'must have exactly one version marked as storage version'));
  if (served === 0) errs.push(field.invalid(path, shown, 'must have at least one version marked as served'));
  return errs;
}

function validateVersion(v: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const schema = asRecord(v['schema'])['openAPIV3Schema'];
  const schemaPath = path.child('schema', 'openAPIV3Schema');
  const subresources = asRecord(v['subresources']);
  if (schema === undefined || schema === null) errs.push(field.required(schemaPath, 'schemas are required'));
  else errs.push(...validateStructuralSchema(schema as JSONSchemaProps, schemaPath, { statusSubresource: subresources['status'] !== undefined }));
  if (subresources['scale'] !== undefined) errs.push(...validateScale(asRecord(subresources['scale']), path.child('subresources', 'scale')));
  asArray(v['additionalPrinterColumns']).forEach((c, i) => errs.push(...validateColumn(asRecord(c), path.child('additionalPrinterColumns').index(i))));
  return errs;
}

function validateNames(names: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const label = (key: string, lower: boolean, prefix = ''): void => {
    const value = asString(names[key]);
    if (!value) return;
    const bad = isDNS1035Label(lower ? value.toLowerCase() : value);
    if (bad.length) errs.push(field.invalid(path.child(key), value, prefix + bad.join(',')));
  };
  label('plural', false);
  label('singular', false);
  label('kind', true, 'may have mixed case, but should otherwise match: ');
  label('listKind', true, 'may have mixed case, but should otherwise match: ');
  for (const key of ['shortNames', 'categories']) {
    asArray(names[key]).forEach((s, i) => {
      const bad = isDNS1035Label(asString(s));
      if (bad.length) errs.push(field.invalid(path.child(key).index(i), asString(s), bad.join(',')));
    });
  }
  if (asString(names['kind']) && names['kind'] === names['listKind']) {
    errs.push(field.invalid(path.child('listKind'), asString(names['listKind']), 'kind and listKind may not be the same'));
  }
  return errs;
}

/** k8s' validateSimpleJSONPath plus the prefix a scale path must have. */
function simplePath(v: unknown, path: Path, under: string[]): ErrorList {
  const s = asString(v);
  if (!s) return [field.invalid(path, s, 'must not be empty')];
  if (!s.startsWith('.')) return [field.invalid(path, s, 'must be a simple json path starting with .')];
  if (!under.some((u) => s.startsWith(`.${u}.`))) return [field.invalid(path, s, `should be a json path under .${under.join(' or .')}`)];
  return [];
}

function validateScale(scale: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!scale['specReplicasPath']) errs.push(field.required(path.child('specReplicasPath')));
  else errs.push(...simplePath(scale['specReplicasPath'], path.child('specReplicasPath'), ['spec']));
  if (!scale['statusReplicasPath']) errs.push(field.required(path.child('statusReplicasPath')));
  else errs.push(...simplePath(scale['statusReplicasPath'], path.child('statusReplicasPath'), ['status']));
  if (scale['labelSelectorPath']) errs.push(...simplePath(scale['labelSelectorPath'], path.child('labelSelectorPath'), ['spec', 'status']));
  return errs;
}

function validateColumn(col: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (!asString(col['name'])) errs.push(field.required(path.child('name')));
  const type = asString(col['type']);
  if (!type) errs.push(field.required(path.child('type'), `must be one of ${COLUMN_TYPES.join(',')}`));
  else if (!COLUMN_TYPES.includes(type)) errs.push(field.invalid(path.child('type'), type, `must be one of ${COLUMN_TYPES.join(',')}`));
  const format = asString(col['format']);
  if (format && !COLUMN_FORMATS.includes(format)) errs.push(field.invalid(path.child('format'), format, `must be one of ${COLUMN_FORMATS.join(',')}`));
  const jsonPath = asString(col['jsonPath']);
  if (!jsonPath) errs.push(field.required(path.child('jsonPath')));
  else if (!jsonPath.startsWith('.')) errs.push(field.invalid(path.child('jsonPath'), jsonPath, 'must be a simple json path starting with .'));
  else {
    try {
      parseJsonPath(relaxedJsonPath(jsonPath));
    } catch (e) {
      errs.push(field.invalid(path.child('jsonPath'), jsonPath, e instanceof Error ? e.message : String(e)));
    }
  }
  return errs;
}

/** status.storedVersions holds the storage version and only versions the spec still lists. */
function validateStoredVersions(crd: Obj): ErrorList {
  const path = Path.root('status', 'storedVersions');
  const stored = asArray(asRecord(crd['status'])['storedVersions']).map(asString);
  if (stored.length === 0) return [field.invalid(path, stored, 'must have at least one stored version')];
  const errs: ErrorList = [];
  const versions = asArray(asRecord(crd['spec'])['versions']).map(asRecord);
  for (const v of versions) {
    if (v['storage'] === true && !stored.includes(asString(v['name']))) errs.push(field.invalid(path, stored, `must have the storage version ${asString(v['name'])}`));
  }
  stored.forEach((s, i) => {
    if (!versions.some((v) => v['name'] === s)) errs.push(field.invalid(path.index(i), s, 'must appear in spec.versions'));
  });
  return errs;
}
