// Turns ajv's errors into the field errors Kubernetes returns for a custom resource
// (kubeOpenAPIResultToFieldErrors in apiextensions-apiserver over kube-openapi's messages):
// `spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"`.
// Names are kube-openapi's: dotted fields, `[i]` for array items, and `.key` for map entries.
// Composite keywords follow kube-openapi too: a failed anyOf/oneOf reports itself plus the errors
// of its closest branch (ajv reports every branch), and a failed allOf adds its own line.
import type { ErrorObject } from 'ajv';
import type { FieldError } from '../../../api/validation/field.js';
import { ferr } from './fielderrors.js';
import { FORMAT_KEY, type AjvSchema } from './jsonschema.js';
import { isJsonObject } from './types.js';

interface Frame {
  kind: 'allOf' | 'anyOf' | 'oneOf';
  key: string;
  schemaPrefix: string[];
  branch: number;
  instDepth: number;
}

interface Parsed {
  err: ErrorObject;
  inst: string[];
  frames: Frame[];
  /** For anyOf/oneOf errors: the key of the composite this error reports. */
  compositeKey?: string;
}

const unescape = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~');

function instSegments(p: string): string[] {
  return p === '' ? [] : p.slice(1).split('/').map(unescape);
}

function parse(err: ErrorObject): Parsed {
  const inst = instSegments(err.instancePath);
  const segs = err.schemaPath.replace(/^#\/?/, '').split('/').filter((s) => s !== '').map((s) => unescape(decodeURIComponent(s)));
  const frames: Frame[] = [];
  let depth = 0;
  let i = 0;
  const keyOf = (n: number, d: number): string => `${segs.slice(0, n).join('/')}|${inst.slice(0, d).join('/')}`;
  while (i < segs.length) {
    const seg = segs[i]!;
    const last = i === segs.length - 1;
    if (seg === 'properties' && !last) {
      depth++;
      i += 2;
    } else if ((seg === 'items' || seg === 'additionalProperties') && !last) {
      depth++;
      i += 1;
    } else if ((seg === 'allOf' || seg === 'anyOf' || seg === 'oneOf') && !last && /^\d+$/.test(segs[i + 1]!)) {
      frames.push({ kind: seg, key: keyOf(i + 1, depth), schemaPrefix: segs.slice(0, i + 1), branch: Number(segs[i + 1]), instDepth: depth });
      i += 2;
    } else if ((seg === 'not' || seg === 'else') && !last) {
      i += 1;
    } else {
      break;
    }
  }
  const compositeKey = err.keyword === 'anyOf' || err.keyword === 'oneOf' ? keyOf(i + 1, inst.length) : undefined;
  return { err, inst, frames, ...(compositeKey !== undefined ? { compositeKey } : {}) };
}

/** kube-openapi's name for the value at `segs` of `data`. */
function nameAt(data: unknown, segs: string[]): string {
  let name = '';
  let cur = data;
  for (const s of segs) {
    if (Array.isArray(cur)) {
      name += `[${s}]`;
      cur = cur[Number(s)];
    } else {
      name = name === '' ? s : `${name}.${s}`;
      cur = isJsonObject(cur) ? cur[s] : undefined;
    }
  }
  return name;
}

/** The JSON type kube-openapi names for a decoded value (integral numbers are int64 in Go). */
function jsonType(v: unknown): string {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v === 'object' ? 'object' : typeof v;
}

function resolve(root: AjvSchema, segs: string[]): unknown {
  let cur: unknown = root;
  for (const s of segs) cur = Array.isArray(cur) ? cur[Number(s)] : isJsonObject(cur) ? cur[s] : undefined;
  return cur;
}

type Place = (name: string) => string;

function keywordError(e: ErrorObject, name: string, at: Place, root: Place): FieldError {
  const p = e.params as Record<string, unknown>;
  const data: unknown = e.data;
  const parent = (e.parentSchema ?? {}) as AjvSchema;
  const limit = p['limit'];
  const inBody = `${name} in body`;
  switch (e.keyword) {
    case 'type': {
      const types = ([] as string[]).concat(parent['type'] as string | string[]).filter((t) => t !== 'null');
      return ferr.typeInvalid(at(name), jsonType(data), `${inBody} must be of type ${types.join(',')}: "${jsonType(data)}"`);
    }
    case 'format':
      return ferr.typeInvalid(at(name), data, `${inBody} must be of type ${String(parent[FORMAT_KEY] ?? p['format'])}: ${JSON.stringify(data)}`);
    case 'required': {
      const missing = String(p['missingProperty']);
      return ferr.required(at(name === '' ? missing : `${name}.${missing}`));
    }
    case 'enum': {
      const allowed = (p['allowedValues'] as unknown[]) ?? [];
      return ferr.notSupported(at(name), data, allowed.map((v) => (typeof v === 'string' ? v : JSON.stringify(v))));
    }
    case 'maximum':
      return ferr.invalid(at(name), data, `${inBody} should be less than or equal to ${String(limit)}`);
    case 'exclusiveMaximum':
      return ferr.invalid(at(name), data, `${inBody} should be less than ${String(limit)}`);
    case 'minimum':
      return ferr.invalid(at(name), data, `${inBody} should be greater than or equal to ${String(limit)}`);
    case 'exclusiveMinimum':
      return ferr.invalid(at(name), data, `${inBody} should be greater than ${String(limit)}`);
    case 'multipleOf':
      return ferr.invalid(at(name), data, `${inBody} should be a multiple of ${String(p['multipleOf'])}`);
    case 'maxLength':
      return ferr.tooLong(at(name), Number(limit));
    case 'minLength':
      return ferr.invalid(at(name), data, `${inBody} should be at least ${String(limit)} chars long`);
    case 'pattern':
      return ferr.invalid(at(name), data, `${inBody} should match '${String(p['pattern'])}'`);
    case 'maxItems':
      return ferr.tooMany(at(name), Array.isArray(data) ? data.length : -1, Number(limit));
    case 'minItems':
      return ferr.invalid(at(name), Array.isArray(data) ? data.length : '', `${inBody} should have at least ${String(limit)} items`);
    case 'maxProperties':
      return ferr.tooMany(at(name), isJsonObject(data) ? Object.keys(data).length : -1, Number(limit));
    case 'minProperties':
      return ferr.invalid(at(name), isJsonObject(data) ? Object.keys(data).length : '', `${inBody} should have at least ${String(limit)} properties`);
    case 'uniqueItems':
      return ferr.invalid(at(name), '', `${inBody} shouldn't contain duplicates`);
    case 'additionalProperties':
      return ferr.invalid(at(name), p['additionalProperty'], `${name}.${String(p['additionalProperty'])} in body is a forbidden property`);
    case 'anyOf':
      return ferr.invalid(root(''), '', `${JSON.stringify(name)} must validate at least one schema (anyOf)`);
    case 'oneOf': {
      const passing = p['passingSchemas'];
      const found = Array.isArray(passing) ? `Found ${passing.length} valid alternatives` : 'Found none valid';
      return ferr.invalid(root(''), '', `${JSON.stringify(name)} must validate one and only one schema (oneOf). ${found}`);
    }
    case 'not':
      return ferr.invalid(root(''), '', `${JSON.stringify(name)} must not validate the schema (not)`);
    default:
      return ferr.invalid(at(name), data ?? '', `${inBody} ${e.message ?? 'is invalid'}`);
  }
}

/** The branch of each failed anyOf/oneOf whose errors are reported (the one with fewest errors). */
function chooseBranches(parsed: Parsed[]): Map<string, number> {
  const failed = new Map<string, ErrorObject>();
  for (const x of parsed) if (x.compositeKey !== undefined) failed.set(x.compositeKey, x.err);
  const counts = new Map<string, Map<number, number>>();
  for (const x of parsed) {
    for (const f of x.frames) {
      if (!failed.has(f.key)) continue;
      const m = counts.get(f.key) ?? new Map<number, number>();
      m.set(f.branch, (m.get(f.branch) ?? 0) + 1);
      counts.set(f.key, m);
    }
  }
  const chosen = new Map<string, number>();
  for (const [key, err] of failed) {
    // A oneOf that matched several branches reports only itself.
    if (err.keyword === 'oneOf' && Array.isArray((err.params as Record<string, unknown>)['passingSchemas'])) {
      chosen.set(key, -1);
      continue;
    }
    const m = counts.get(key);
    let best = -1;
    for (const [b, n] of [...(m ?? new Map<number, number>())].sort((a, c) => a[0] - c[0])) {
      if (best === -1 || n < m!.get(best)!) best = b;
    }
    chosen.set(key, best);
  }
  return chosen;
}

/**
 * Field errors for ajv's `errors` on `data`. `base` is the field path of the validated value
 * (e.g. `…properties[spec].default`), or undefined for a whole resource (Go's nil path).
 */
export function toFieldErrors(errors: readonly ErrorObject[], data: unknown, schema: AjvSchema, base?: string): FieldError[] {
  const at: Place = (name) => (base === undefined ? name || '<nil>' : name ? `${base}.${name}` : base);
  const root: Place = () => base ?? '<nil>';
  const parsed = errors.map(parse);
  const chosen = chooseBranches(parsed);
  const kept = (x: Parsed): boolean => x.frames.every((f) => !chosen.has(f.key) || chosen.get(f.key) === f.branch);
  const out: FieldError[] = [];
  const allOf = new Map<string, { name: string; failed: Set<number>; total: number }>();
  for (const x of parsed) {
    // `if` (null or not) only wraps the junctors; its own error repeats theirs.
    if (x.err.keyword === 'if' || !kept(x)) continue;
    out.push(keywordError(x.err, nameAt(data, x.inst), at, root));
    for (const f of x.frames) {
      if (f.kind !== 'allOf') continue;
      const entry = allOf.get(f.key) ?? { name: nameAt(data, x.inst.slice(0, f.instDepth)), failed: new Set<number>(), total: 0 };
      const list = resolve(schema, f.schemaPrefix);
      entry.total = Array.isArray(list) ? list.length : 0;
      entry.failed.add(f.branch);
      allOf.set(f.key, entry);
    }
  }
  for (const { name, failed, total } of allOf.values()) {
    const none = failed.size === total ? '. None validated' : '';
    out.push(ferr.invalid(root(''), '', `${JSON.stringify(name)} must validate all the schemas (allOf)${none}`));
  }
  return out;
}
