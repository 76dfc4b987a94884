// ValidateLimitRange (pkg/apis/core/validation): known item types, one item per type, qualified
// resource names, non-negative quantities, and min ≤ defaultRequest ≤ default ≤ max per resource.
import { compareQuantities, formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR, type Quantity } from '../quantity.js';
import { type ErrorList, Path, asArray, asRecord, asString, field } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';
import { validateResourceName as validateContainerResourceName } from './container.js';

const STANDARD_LIMIT_TYPES = new Set(['Pod', 'Container', 'PersistentVolumeClaim']);
const FIELDS = ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio'] as const;
type Field = (typeof FIELDS)[number];

function validateTypeName(value: string, path: Path): ErrorList {
  const errs = isQualifiedName(value).map((m) => field.invalid(path, value, m));
  if (!errs.length && !value.includes('/') && !STANDARD_LIMIT_TYPES.has(value))
    errs.push(field.invalid(path, value, 'must be a standard limit type or fully qualified'));
  return errs;
}

/** Parses one ResourceList field of an item, reporting bad names and quantities. */
function parseList(type: string, raw: unknown, path: Path, errs: ErrorList): Map<string, Quantity> {
  const out = new Map<string, Quantity>();
  for (const [name, v] of Object.entries(asRecord(raw))) {
    const p = path.key(name);
    errs.push(...(type === 'Container' || type === 'Pod' ? validateContainerResourceName(name, p) : isQualifiedName(name).map((m) => field.invalid(p, name, m))));
    const text = typeof v === 'number' ? String(v) : asString(v);
    try {
      const q = parseQuantity(text);
      if (q.nanos < 0n) errs.push(field.invalid(p, formatQuantity(q), 'must be greater than or equal to 0'));
      out.set(name, q);
    } catch {
      errs.push(field.invalid(p, text, QUANTITY_FORMAT_ERROR));
    }
  }
  return out;
}

const s = formatQuantity;

/** The ordering rules between one resource's min, max, default, defaultRequest and ratio. */
function validateOrdering(name: string, q: Record<Field, Map<string, Quantity>>, path: Path): ErrorList {
  const errs: ErrorList = [];
  const min = q.min.get(name);
  const max = q.max.get(name);
  const dflt = q.default.get(name);
  const req = q.defaultRequest.get(name);
  const ratio = q.maxLimitRequestRatio.get(name);
  const gt = (a: Quantity | undefined, b: Quantity | undefined): boolean => !!a && !!b && compareQuantities(a, b) > 0;
  if (min && max && gt(min, max)) errs.push(field.invalid(path.child('min').key(name), s(min), `min value ${s(min)} is greater than max value ${s(max)}`));
  if (min && req && gt(min, req)) errs.push(field.invalid(path.child('defaultRequest').key(name), s(req), `min value ${s(min)} is greater than default request value ${s(req)}`));
  if (req && max && gt(req, max)) errs.push(field.invalid(path.child('defaultRequest').key(name), s(req), `default request value ${s(req)} is greater than max value ${s(max)}`));
  if (req && dflt && gt(req, dflt)) errs.push(field.invalid(path.child('defaultRequest').key(name), s(req), `default request value ${s(req)} is greater than default limit value ${s(dflt)}`));
  if (min && dflt && gt(min, dflt)) errs.push(field.invalid(path.child('default').key(name), s(min), `min value ${s(min)} is greater than default value ${s(dflt)}`));
  if (dflt && max && gt(dflt, max)) errs.push(field.invalid(path.child('default').key(name), s(max), `default value ${s(dflt)} is greater than max value ${s(max)}`));
  if (ratio && ratio.nanos < 1_000_000_000n) errs.push(field.invalid(path.child('maxLimitRequestRatio').key(name), s(ratio), `ratio ${s(ratio)} is less than 1`));
  if (ratio && min && max && min.nanos > 0n) {
    const limit = Number(max.nanos) / Number(min.nanos);
    if (Number(ratio.nanos) / 1e9 > limit)
      errs.push(field.invalid(path.child('maxLimitRequestRatio').key(name), s(ratio), `ratio ${s(ratio)} is greater than max/min = ${limit.toFixed(6)}`));
  }
  return errs;
}

function validateItem(raw: unknown, path: Path, seen: Set<string>): ErrorList {
  const item = asRecord(raw);
  const type = asString(item['type']);
  const errs = validateTypeName(type, path.child('type'));
  if (seen.has(type)) errs.push(field.duplicate(path.child('type'), type));
  seen.add(type);
  const q = Object.fromEntries(FIELDS.map((f) => [f, new Map<string, Quantity>()])) as Record<Field, Map<string, Quantity>>;
  for (const f of FIELDS) {
    if (type === 'Pod' && (f === 'default' || f === 'defaultRequest')) {
      if (Object.keys(asRecord(item[f])).length) errs.push(field.forbidden(path.child(f), "may not be specified when `type` is 'Pod'"));
      continue;
    }
    q[f] = parseList(type, item[f], path.child(f), errs);
  }
  if (type === 'PersistentVolumeClaim' && !('storage' in asRecord(item['min'])) && !('storage' in asRecord(item['max'])))
    errs.push(field.required(path.child('limits'), 'either minimum or maximum storage value is required, but neither was provided'));
  // The ordering rules apply to every resource the item names.
  const keys = new Set(FIELDS.flatMap((f) => [...q[f].keys()]));
  for (const name of keys) errs.push(...validateOrdering(name, q, path));
  return errs;
}

export function validateLimitRange(obj: Record<string, unknown>): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const seen = new Set<string>();
  const path = Path.root('spec', 'limits');
  asArray(asRecord(obj['spec'])['limits']).forEach((item, i) => errs.push(...validateItem(item, path.index(i), seen)));
  return errs;
}
