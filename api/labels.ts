// Label selectors with k8s.io/apimachinery/pkg/labels semantics: the string syntax the
// `labelSelector` query parameter uses, and metav1.LabelSelector objects (matchLabels +
// matchExpressions) as Deployments, ReplicaSets and Services carry them.
import type { LabelSelector as LabelSelectorObject, LabelSelectorRequirement } from 'kubernetes-types/meta/v1';
import type { StatusCause } from 'kubernetes-types/meta/v1';
import { cause, errors } from './status.js';
import { isDNS1123Subdomain, isQualifiedName, isValidLabelValue } from './validation/names.js';

export type { LabelSelectorObject };

export type Operator = '=' | '==' | '!=' | 'in' | 'notin' | 'exists' | '!' | 'gt' | 'lt';

export interface Requirement {
  readonly key: string;
  readonly operator: Operator;
  /** Sorted and de-duplicated, as the parser's string set yields them. */
  readonly values: readonly string[];
}

export interface LabelSelector {
  /** True when the selector does not restrict anything (matches every label set). */
  readonly empty: boolean;
  readonly requirements: readonly Requirement[];
  matches(labels: Record<string, string> | undefined): boolean;
  toString(): string;
}

// Name and value validation lives with the other format checks in api/validation/names.ts
// (k8s.io/apimachinery/pkg/util/validation); re-exported for selector users.
export { isDNS1123Subdomain, isQualifiedName, isValidLabelValue };

// field.Error rendering: `<path>: Invalid value: "<v>": <detail>`.
const invalidBody = (value: unknown, detail: string): string => `Invalid value: ${JSON.stringify(value)}: ${detail}`;

// ---- requirements ----

function requirementErrors(key: string, op: Operator, values: readonly string[]): string[] {
  const errs: string[] = [];
  const keyErrs = isQualifiedName(key);
  if (keyErrs.length) errs.push(`key: ${invalidBody(key, keyErrs.join('; '))}`);
  if ((op === 'in' || op === 'notin') && values.length === 0) {
    errs.push(`values: ${invalidBody(values, "for 'in', 'notin' operators, values set can't be empty")}`);
  }
  if ((op === '=' || op === '==' || op === '!=') && values.length !== 1) {
    errs.push(`values: ${invalidBody(values, 'exact-match compatibility requires one single value')}`);
  }
  if ((op === 'exists' || op === '!') && values.length !== 0) {
    errs.push(`values: ${invalidBody(values, 'values set must be empty for exists and does not exist')}`);
  }
  if (op === 'gt' || op === 'lt') {
    if (values.length !== 1) errs.push(`values: ${invalidBody(values, "for 'Gt', 'Lt' operators, exactly one value is required")}`);
    values.forEach((v, i) => {
      if (!/^[-+]?\d+$/.test(v)) errs.push(`values[${i}]: ${invalidBody(v, "for 'Gt', 'Lt' operators, the value must be an integer")}`);
    });
  }
  values.forEach((v, i) => {
    const vErrs = isValidLabelValue(v);
    if (vErrs.length) errs.push(`values[${i}][${key}]: ${invalidBody(v, vErrs.join('; '))}`);
  });
  return errs;
}

/** Builds a requirement or returns the aggregated error text k8s's NewRequirement produces. */
function newRequirement(key: string, op: Operator, values: string[]): Requirement | string {
  const errs = requirementErrors(key, op, values);
  if (errs.length === 1) return errs[0];
  if (errs.length > 1) return `[${errs.join(', ')}]`;
  return { key, operator: op, values };
}

function requirementMatches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, r.key);
  switch (r.operator) {
    case '=':
    case '==':
    case 'in':
      return has && r.values.includes(labels[r.key]);
    case '!=':
    case 'notin':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case '!':
      return !has;
    case 'gt':
    case 'lt': {
      if (!has || !/^[-+]?\d+$/.test(labels[r.key])) return false;
      const have = BigInt(labels[r.key]);
      const want = BigInt(r.values[0]);
      return r.operator === 'gt' ? have > want : have < want;
    }
  }
}

function requirementString(r: Requirement): string {
  const values = [...r.values].sort().join(',');
  switch (r.operator) {
    case 'exists':
      return r.key;
    case '!':
      return `!${r.key}`;
    case 'in':
      return `${r.key} in (${values})`;
    case 'notin':
      return `${r.key} notin (${values})`;
    case 'gt':
      return `${r.key}>${values}`;
    case 'lt':
      return `${r.key}<${values}`;
    default:
      return `${r.key}${r.operator}${values}`;
  }
}

function selectorOf(reqs: Requirement[]): LabelSelector {
  // Stable sort by key: k8s sorts requirements so equal selectors print identically.
  const sorted = [...reqs].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return {
    empty: sorted.length === 0,
    requirements: sorted,
    matches: (labels) => sorted.every((r) => requirementMatches(r, labels ?? {})),
    toString: () => sorted.map(requirementString).join(','),
  };
}

const NOTHING: LabelSelector = {
  empty: false,
  requirements: [],
  matches: () => false,
  toString: () => '',
};

export const everything = (): LabelSelector => selectorOf([]);
export const nothing = (): LabelSelector => NOTHING;

/** A selector requiring every given label (labels.SelectorFromSet). */
export function selectorFromSet(set: Record<string, string> | undefined): LabelSelector {
  return selectorOf(Object.entries(set ?? {}).map(([key, v]) => ({ key, operator: '=' as const, values: [v] })));
}

// ---- the string syntax ----

type Tok = 'id' | 'eos' | ')' | '(' | ',' | '!' | '==' | '=' | '!=' | '>' | '<' | 'in' | 'notin' | 'error';
interface Item {
  tok: Tok;
  lit: string;
}

const SYMBOLS = new Set(['=', '!', '(', ')', ',', '>', '<']);
const SYMBOL_TOKENS: Record<string, Tok> = { ')': ')', ',': ',', '!': '!', '==': '==', '=': '=', '>': '>', '<': '<', '!=': '!=', '(': '(' };
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r' || c === '\n';

function lex(s: string): Item[] {
  const items: Item[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isSpace(s[pos])) pos++;
    if (pos >= s.length) {
      items.push({ tok: 'eos', lit: '' });
      return items;
    }
    if (SYMBOLS.has(s[pos])) {
      // Longest run of symbol characters that still forms a known operator (`!=` over `!`).
      let buf = '';
      let last: Item | undefined;
      while (pos < s.length && SYMBOLS.has(s[pos])) {
        buf += s[pos];
        const tok = SYMBOL_TOKENS[buf];
        if (tok) last = { tok, lit: buf };
        else if (last) break;
        pos++;
      }
      items.push(last ?? { tok: 'error', lit: `error expected: keyword found '${buf}'` });
    } else {
      let buf = '';
      while (pos < s.length && !SYMBOLS.has(s[pos]) && !isSpace(s[pos])) buf += s[pos++];
      items.push({ tok: buf === 'in' ? 'in' : buf === 'notin' ? 'notin' : 'id', lit: buf });
    }
  }
}

class SyntaxError_ extends Error {}

class Parser {
  private pos = 0;
  constructor(private readonly items: Item[]) {}

  // In value position the keywords `in`/`notin` are ordinary identifiers (`x in (in)`).
  private peek(values: boolean): Item {
    const it = this.items[this.pos];
    return values && (it.tok === 'in' || it.tok === 'notin') ? { tok: 'id', lit: it.lit } : it;
  }
  private next(values: boolean): Item {
    const it = this.peek(values);
    this.pos++;
    return it;
  }

  parse(): Requirement[] {
    const reqs: Requirement[] = [];
    for (;;) {
      const { tok, lit } = this.peek(true);
      if (tok === 'eos') return reqs;
      if (tok !== 'id' && tok !== '!') throw new SyntaxError_(`found '${lit}', expected: !, identifier, or 'end of string'`);
      try {
        reqs.push(this.requirement());
      } catch (e) {
        if (e instanceof SyntaxError_) throw new SyntaxError_(`unable to parse requirement: ${e.message}`);
        throw e;
      }
      const after = this.next(true);
      if (after.tok === 'eos') return reqs;
      if (after.tok !== ',') throw new SyntaxError_(`found '${after.lit}', expected: ',' or 'end of string'`);
      const t2 = this.peek(true);
      if (t2.tok !== 'id' && t2.tok !== '!') throw new SyntaxError_(`found '${t2.lit}', expected: identifier after ','`);
    }
  }

  private requirement(): Requirement {
    let op: Operator | undefined;
    let it = this.next(true);
    if (it.tok === '!') {
      op = '!';
      it = this.next(true);
    }
    if (it.tok !== 'id') throw new SyntaxError_(`found '${it.lit}', expected: identifier`);
    const key = it.lit;
    const keyErrs = isQualifiedName(key);
    if (keyErrs.length) throw new SyntaxError_(`: ${invalidBody(key, keyErrs.join('; '))}`);
    const la = this.peek(true).tok;
    if (la === 'eos' || la === ',') op ??= 'exists';
    if (op === 'exists' || op === '!') return this.build(key, op, []);

    const opItem = this.next(false);
    const ops: Partial<Record<Tok, Operator>> = { in: 'in', notin: 'notin', '=': '=', '==': '==', '!=': '!=', '>': 'gt', '<': 'lt' };
    const binary = ops[opItem.tok];
    if (!binary) throw new SyntaxError_(`found '${opItem.lit}', expected: in, notin, =, ==, !=, gt, lt`);
    const values = binary === 'in' || binary === 'notin' ? this.setValues() : this.exactValue();
    return this.build(key, binary, [...new Set(values)].sort());
  }

  private build(key: string, op: Operator, values: string[]): Requirement {
    const r = newRequirement(key, op, values);
    if (typeof r === 'string') throw new SyntaxError_(r);
    return r;
  }

  private setValues(): string[] {
    const open = this.next(true);
    if (open.tok !== '(') throw new SyntaxError_(`found '${open.lit}' expected: '('`);
    const first = this.peek(true);
    if (first.tok === ')') {
      this.pos++;
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',') throw new SyntaxError_(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const it = this.next(true);
      if (it.tok === 'id') {
        values.push(it.lit);
        const la = this.peek(true);
        if (la.tok === ',') continue;
        if (la.tok === ')') break;
        throw new SyntaxError_(`found '${la.lit}', expected: ',' or ')'`);
      } else if (it.tok === ',') {
        // Empty members: `(,a)`, `(a,,b)` and `(a,)` all include the empty value.
        if (values.length === 0) values.push('');
        const la = this.peek(true);
        if (la.tok === ')') {
          values.push('');
          break;
        }
        if (la.tok === ',') {
          this.pos++;
          values.push('');
        }
      } else {
        throw new SyntaxError_(`found '${it.lit}', expected: ',', or identifier`);
      }
    }
    const close = this.next(true);
    if (close.tok !== ')') throw new SyntaxError_(`found '${first.lit}', expected: ')'`);
    return values;
  }

  private exactValue(): string[] {
    const la = this.peek(true);
    if (la.tok === 'eos' || la.tok === ',') return [''];
    const it = this.next(true);
    if (it.tok === 'id') return [it.lit];
    throw new SyntaxError_(`found '${it.lit}', expected: identifier`);
  }
}

/**
 * Parses `a=b,c!=d,e in (x,y),f notin (z),g,!h`. The empty string selects everything.
 * Syntax errors are 400 BadRequest with the parser's message, as the apiserver reports them.
 */
export function parseLabelSelector(s: string): LabelSelector {
  try {
    return selectorOf(new Parser(lex(s)).parse());
  } catch (e) {
    if (e instanceof SyntaxError_) throw errors.badRequest(e.message);
    throw e;
  }
}

// ---- metav1.LabelSelector objects ----

const EXPRESSION_OPS: Record<string, Operator> = { In: 'in', NotIn: 'notin', Exists: 'exists', DoesNotExist: '!' };

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, `{}` everything. An invalid
 * selector is a 400 BadRequest (objects are validated on write, so this means a bad query).
 */
export function labelSelectorFromObject(sel: LabelSelectorObject | null | undefined): LabelSelector {
  if (sel === null || sel === undefined) return NOTHING;
  const reqs: Requirement[] = [];
  for (const key of Object.keys(sel.matchLabels ?? {}).sort()) {
    const r = newRequirement(key, '=', [sel.matchLabels![key]]);
    if (typeof r === 'string') throw errors.badRequest(r);
    reqs.push(r);
  }
  for (const expr of sel.matchExpressions ?? []) {
    const op = EXPRESSION_OPS[expr.operator];
    if (!op) throw errors.badRequest(`${JSON.stringify(expr.operator)} is not a valid label selector operator`);
    const r = newRequirement(expr.key, op, [...(expr.values ?? [])]);
    if (typeof r === 'string') throw errors.badRequest(r);
    reqs.push(r);
  }
  return selectorOf(reqs);
}

/** metav1.FormatLabelSelector: the selector string, `<none>` when empty, `<error>` when invalid. */
export function formatLabelSelector(sel: LabelSelectorObject | null | undefined): string {
  try {
    const s = labelSelectorFromObject(sel).toString();
    return s === '' ? '<none>' : s;
  } catch {
    return '<error>';
  }
}

function validateRequirement(expr: LabelSelectorRequirement, path: string): StatusCause[] {
  const causes: StatusCause[] = [];
  const values = expr.values ?? [];
  switch (expr.operator) {
    case 'In':
    case 'NotIn':
      if (values.length === 0) {
        causes.push(cause(`${path}.values`, "Required value: must be specified when `operator` is 'In' or 'NotIn'", 'FieldValueRequired'));
      }
      break;
    case 'Exists':
    case 'DoesNotExist':
      if (values.length > 0) {
        causes.push(cause(`${path}.values`, "Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'", 'FieldValueForbidden'));
      }
      break;
    default:
      causes.push(cause(`${path}.operator`, invalidBody(expr.operator, 'not a valid selector operator')));
  }
  for (const msg of isQualifiedName(expr.key ?? '')) causes.push(cause(`${path}.key`, invalidBody(expr.key ?? '', msg)));
  values.forEach((v, i) => {
    for (const msg of isValidLabelValue(v)) causes.push(cause(`${path}.values[${i}]`, invalidBody(v, msg)));
  });
  return causes;
}

/** metav1 validation.ValidateLabelSelector: field causes for a selector at `fieldPath`. */
export function validateLabelSelectorObject(sel: LabelSelectorObject | null | undefined, fieldPath: string): StatusCause[] {
  if (sel === null || sel === undefined) return [];
  const causes: StatusCause[] = [];
  causes.push(...validateLabels(sel.matchLabels, `${fieldPath}.matchLabels`));
  (sel.matchExpressions ?? []).forEach((expr, i) => causes.push(...validateRequirement(expr, `${fieldPath}.matchExpressions[${i}]`)));
  return causes;
}

/** metav1 validation.ValidateLabels: keys must be qualified names, values valid label values. */
export function validateLabels(labels: Record<string, string> | null | undefined, fieldPath: string): StatusCause[] {
  const causes: StatusCause[] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    for (const msg of isQualifiedName(k)) causes.push(cause(fieldPath, invalidBody(k, msg)));
    for (const msg of isValidLabelValue(String(v))) causes.push(cause(fieldPath, invalidBody(v, msg)));
  }
  return causes;
}
