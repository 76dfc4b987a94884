// Field selectors (k8s.io/apimachinery/pkg/fields): `a=b,c!=d,e==f` with `\`-escapes, and
// the per-kind "selectable fields" the apiserver matches them against.
import type { ResourceInfo } from './resources.js';
import type { KObject } from './types.js';
import { isObject } from './types.js';
import { errors } from './status.js';

export interface FieldRequirement {
  field: string;
  op: '=' | '!=';
  value: string;
}

export interface FieldSelector {
  readonly empty: boolean;
  readonly requirements: FieldRequirement[];
  /** A missing field reads as "" (so `spec.nodeName=` selects unscheduled pods). */
  matches(fields: Record<string, string>): boolean;
  toString(): string;
}

/** fields.EscapeValue: makes a literal safe to use as a selector value. */
export function escapeFieldValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

function unescapeValue(s: string): string {
  let out = '';
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c !== '\\' && c !== ',' && c !== '=') throw errors.badRequest(`invalid field selector: invalid escape sequence: \\${c}`);
      out += c;
      inSlash = false;
    } else if (c === '\\') {
      inSlash = true;
    } else if (c === ',' || c === '=') {
      throw errors.badRequest(`invalid field selector: unescaped character in value: ${c}`);
    } else {
      out += c;
    }
  }
  if (inSlash) throw errors.badRequest('invalid field selector: invalid escape sequence: \\');
  return out;
}

/** Splits on commas that are not escaped. */
function splitTerms(s: string): string[] {
  if (s === '') return [];
  const terms: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '\\') i++;
    else if (s[i] === ',') {
      terms.push(s.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(s.slice(start));
  return terms;
}

/** Finds the first unescaped operator; `!=` and `==` win over `=` at the same position. */
function splitTerm(term: string): [string, '!=' | '==' | '=', string] | undefined {
  for (let i = 0; i < term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    for (const op of ['!=', '==', '='] as const) {
      if (term.startsWith(op, i)) return [term.slice(0, i), op, term.slice(i + op.length)];
    }
  }
  return undefined;
}

function selectorOf(requirements: FieldRequirement[]): FieldSelector {
  return {
    empty: requirements.length === 0,
    requirements,
    matches: (fields) =>
      requirements.every((r) => {
        const have = fields[r.field] ?? '';
        return r.op === '=' ? have === r.value : have !== r.value;
      }),
    toString: () => requirements.map((r) => `${r.field}${r.op}${escapeFieldValue(r.value)}`).join(','),
  };
}

/** Parses a fieldSelector query value; the empty string selects everything. 400 on bad syntax. */
export function parseFieldSelector(s: string): FieldSelector {
  // k8s sorts the raw terms so equivalent selectors compare and print the same.
  const terms = splitTerms(s).sort();
  const reqs: FieldRequirement[] = [];
  for (const term of terms) {
    if (term === '') continue;
    const split = splitTerm(term);
    if (!split) throw errors.badRequest(`invalid selector: '${s}'; can't understand '${term}'`);
    const [field, op, raw] = split;
    reqs.push({ field, op: op === '!=' ? '!=' : '=', value: unescapeValue(raw) });
  }
  return selectorOf(reqs);
}

/** A selector for exactly these field values (fields.SelectorFromSet). */
export function fieldSelectorFromSet(set: Record<string, string>): FieldSelector {
  return selectorOf(
    Object.keys(set)
      .sort()
      .map((field) => ({ field, op: '=' as const, value: set[field] })),
  );
}

/** The selector with some field labels renamed (a served version's labels → the stored version's). */
export function renameFieldLabels(sel: FieldSelector, names: Readonly<Record<string, string>>): FieldSelector {
  return selectorOf(sel.requirements.map((r) => ({ ...r, field: names[r.field] ?? r.field })));
}

const META_FIELDS = ['metadata.name', 'metadata.namespace'];

/** 400 `field label not supported: <f>` for a field the resource does not index. */
export function checkFieldSelector(info: ResourceInfo, sel: FieldSelector): void {
  for (const r of sel.requirements) {
    if (!META_FIELDS.includes(r.field) && !info.fieldSelectors.includes(r.field)) {
      throw errors.badRequest(`field label not supported: ${r.field}`);
    }
  }
}

function valueAt(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isObject(cur)) return undefined;
    cur = cur[part];
  }
  return cur;
}

function render(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

// Fields whose Go type is bool or int: k8s renders their zero value ("false", "0") when unset,
// so `spec.unschedulable=false` also selects nodes that never set the field.
const bool = (path: string) => (o: KObject): string => String(valueAt(o, path) === true);
const int = (path: string) => (o: KObject): string => String(valueAt(o, path) ?? 0);

/** Per-kind renderings that differ from "the value at that path". */
const SPECIAL: Record<string, Record<string, (o: KObject) => string>> = {
  Pod: {
    'spec.hostNetwork': bool('spec.hostNetwork'),
    // The selectable podIP is the first of status.podIPs (the primary IP).
    'status.podIP': (o) => {
      const ips = valueAt(o, 'status.podIPs');
      const first: unknown = Array.isArray(ips) ? ips[0] : undefined;
      return render(isObject(first) ? first.ip : valueAt(o, 'status.podIP'));
    },
  },
  Node: { 'spec.unschedulable': bool('spec.unschedulable') },
  ReplicationController: { 'status.replicas': int('status.replicas') },
  Event: {
    // core/v1 names for the events.k8s.io fields; source falls back to the reporting controller.
    source: (o) => render(valueAt(o, 'source.component')) || render(o.reportingComponent),
    reportingComponent: (o) => render(o.reportingComponent),
  },
};

/** The field set a field selector matches against for one object of this resource. */
export function objectFields(info: ResourceInfo, obj: KObject): Record<string, string> {
  const fields: Record<string, string> = { 'metadata.name': obj.metadata?.name ?? '' };
  if (info.namespaced) fields['metadata.namespace'] = obj.metadata?.namespace ?? '';
  const special = SPECIAL[info.kind] ?? {};
  for (const path of info.fieldSelectors) {
    const fn = special[path];
    fields[path] = fn ? fn(obj) : render(valueAt(obj, path));
  }
  return fields;
}
