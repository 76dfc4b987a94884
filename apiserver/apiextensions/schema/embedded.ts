// x-kubernetes-embedded-resource values inside a custom resource are objects in their own right
// (objectmeta.Validate in apiextensions-apiserver): they need an apiVersion and a kind, and
// their metadata is checked as ObjectMeta on create (a missing name is allowed). The resource's
// own apiVersion, kind and metadata are the apiserver's to check, so the root is skipped here.
import { Path, type ErrorList } from '../../../api/validation/field.js';
import { validateObjectMeta } from '../../../api/validation/meta.js';
import { isDNS1035Label, nameIsPathSegment } from '../../../api/validation/names.js';
import { ferr } from './fielderrors.js';
import { additionalSchema, isEmbedded, isJsonObject, itemsSchema, propertySchema, type JSONSchemaProps } from './types.js';

const child = (path: string, k: string): string => (path === '' ? k : `${path}.${k}`);

function apiVersionErrors(path: string, v: unknown): ErrorList {
  const p = child(path, 'apiVersion');
  if (typeof v !== 'string') return [ferr.invalid(p, v, 'must be a string')];
  if (v === '') return [ferr.invalid(p, v, 'must not be empty')];
  if (v.split('/').length > 2) return [ferr.invalid(p, v, `unexpected GroupVersion string: ${v}`)];
  return [];
}

function kindErrors(path: string, v: unknown): ErrorList {
  const p = child(path, 'kind');
  if (typeof v !== 'string') return [ferr.invalid(p, v, 'must be a string')];
  if (v === '') return [ferr.invalid(p, v, 'must not be empty')];
  const bad = isDNS1035Label(v.toLowerCase());
  return bad.length > 0 ? [ferr.invalid(p, v, `may have mixed case, but should otherwise match: ${bad.join(',')}`)] : [];
}

function embeddedResource(path: string, x: Record<string, unknown>): ErrorList {
  const errs: ErrorList = [];
  if (!Object.hasOwn(x, 'apiVersion')) errs.push(ferr.required(child(path, 'apiVersion')));
  else errs.push(...apiVersionErrors(path, x['apiVersion']));
  if (!Object.hasOwn(x, 'kind')) errs.push(ferr.required(child(path, 'kind')));
  else errs.push(...kindErrors(path, x['kind']));
  const meta = x['metadata'];
  if (meta !== undefined) {
    if (!isJsonObject(meta)) return [...errs, ferr.invalid(child(path, 'metadata'), meta, 'must be an object')];
    const named = typeof meta['name'] === 'string' && meta['name'] !== '' ? meta : { ...meta, name: 'fakename' };
    const namespaced = typeof meta['namespace'] === 'string' && meta['namespace'] !== '';
    errs.push(...validateObjectMeta(named, namespaced, nameIsPathSegment, Path.root(child(path, 'metadata'))));
  }
  return errs;
}

function walk(path: string, x: unknown, s: JSONSchemaProps | undefined, root: boolean): ErrorList {
  if (s === undefined) return [];
  const errs: ErrorList = [];
  if (Array.isArray(x)) {
    const items = itemsSchema(s);
    x.forEach((v, i) => errs.push(...walk(`${path}[${i}]`, v, items, false)));
  } else if (isJsonObject(x)) {
    if (!root && isEmbedded(s)) errs.push(...embeddedResource(path, x));
    const ap = additionalSchema(s);
    for (const [k, v] of Object.entries(x)) {
      const prop = propertySchema(s, k);
      if (prop !== undefined) errs.push(...walk(child(path, k), v, prop, false));
      else if (ap !== undefined) errs.push(...walk(`${path}[${k}]`, v, ap, false));
    }
  }
  return errs;
}

/** The errors of every embedded resource within the custom resource `obj`. */
export function validateEmbeddedResources(s: JSONSchemaProps, obj: unknown): ErrorList {
  return walk('', obj, s, true);
}
