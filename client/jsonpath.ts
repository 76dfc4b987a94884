// kubectl's JSONPath templates (client-go util/jsonpath), the subset people use:
// `{.a.b}`, `{.items[*].metadata.name}`, `[0]`, `[-1:]`, `[1:3]`, `['k']`, `[?(@.type=="Ready")]`,
// `..name`, `*`, `\.` in keys, `{range …}…{end}`, `{"\n"}` literals, and `{@}`/`{$}`.
// Hand-written because it is kubectl's own dialect: the `{…}` template syntax, `range`/`end`,
// and Go's value printing have no npm equivalent (JSONPath libraries implement Goessner's syntax).
import { goJson } from '../api/go-format.js';

/** A template that does not parse (kubectl prints it as `error: …`). */
export class JsonPathError extends Error {}

type Segment =
  | { kind: 'field'; names: string[] }
  | { kind: 'wildcard' }
  | { kind: 'recursive'; then: Segment }
  | { kind: 'index'; indexes: number[] }
  | { kind: 'slice'; start?: number; end?: number; step?: number }
  | { kind: 'filter'; left: Operand; op?: string; right?: Operand };

type Operand = { path: Path } | { literal: unknown };

interface Path {
  fromRoot: boolean;
  segments: Segment[];
}

type Node = { kind: 'text'; text: string } | { kind: 'path'; paths: Path[] } | { kind: 'range'; path: Path; body: Node[] };

export interface JsonPath {
  /** Renders the template against `data`; missing keys render nothing (kubectl's allowMissingKeys). */
  execute(data: unknown): string;
  /** The values each `{…}` found, for custom-columns, sort-by and wait. */
  findResults(data: unknown): unknown[][];
}

/** kubectl's RelaxedJSONPathExpression: `.a.b` or `a.b` becomes `{.a.b}`. */
export function relaxedJsonPath(expr: string): string {
  const s = expr.trim();
  if (s.startsWith('{') && s.endsWith('}')) return s;
  if (s.startsWith('.')) return `{${s}}`;
  return `{.${s}}`;
}

function fail(template: string, why: string): never {
  throw new JsonPathError(`error parsing jsonpath ${template}, ${why}`);
}

/** Splits a template into literal text and `{…}` actions (quotes may contain braces). */
function lex(template: string): ({ text: string } | { action: string })[] {
  const out: ({ text: string } | { action: string })[] = [];
  let i = 0;
  let text = '';
  while (i < template.length) {
    const c = template[i]!;
    if (c !== '{') {
      text += c;
      i++;
      continue;
    }
    if (text) out.push({ text });
    text = '';
    let j = i + 1;
    let quote = '';
    let depth = 0;
    for (; j < template.length; j++) {
      const d = template[j]!;
      if (quote) {
        if (d === '\\') j++;
        else if (d === quote) quote = '';
      } else if (d === '"' || d === "'") quote = d;
      else if (d === '[' || d === '(') depth++;
      else if (d === ']' || d === ')') depth--;
      else if (d === '}' && depth <= 0) break;
    }
    if (j >= template.length) fail(template, 'unclosed action');
    out.push({ action: template.slice(i + 1, j).trim() });
    i = j + 1;
  }
  if (text) out.push({ text });
  return out;
}

function unquote(s: string, template: string): string {
  const q = s[0];
  if ((q !== '"' && q !== "'") || s[s.length - 1] !== q) fail(template, `bad string ${s}`);
  const body = s.slice(1, -1);
  return body.replace(/\\(.)/g, (_m, c: string) => ({ n: '\n', t: '\t', r: '\r' })[c] ?? c);
}

function parseLiteral(s: string, template: string): unknown {
  const t = s.trim();
  if (t.startsWith('"') || t.startsWith("'")) return unquote(t, template);
  if (t === 'true' || t === 'false') return t === 'true';
  if (t !== '' && !Number.isNaN(Number(t))) return Number(t);
  fail(template, `unrecognized literal ${t}`);
}

function parseBracket(body: string, template: string): Segment {
  const b = body.trim();
  if (b === '*') return { kind: 'wildcard' };
  if (b.startsWith('?(') && b.endsWith(')')) {
    const expr = b.slice(2, -1).trim();
    const m = /^(.+?)\s*(==|!=|<=|>=|<|>)\s*(.+)$/.exec(expr);
    const operand = (s: string): Operand => (s.startsWith('@') || s.startsWith('$') ? { path: parsePath(s, template) } : { literal: parseLiteral(s, template) });
    if (!m) return { kind: 'filter', left: operand(expr) };
    return { kind: 'filter', left: operand(m[1]!.trim()), op: m[2]!, right: operand(m[3]!.trim()) };
  }
  if (b.startsWith("'") || b.startsWith('"')) {
    return { kind: 'field', names: b.split(/\s*,\s*/).map((n) => unquote(n, template)) };
  }
  if (b.includes(':')) {
    const parts = b.split(':').map((p) => (p.trim() === '' ? undefined : Number(p)));
    if (parts.some((p) => p !== undefined && Number.isNaN(p))) fail(template, `bad slice [${b}]`);
    return { kind: 'slice', start: parts[0], end: parts[1], step: parts[2] };
  }
  const idx = b.split(',').map((p) => Number(p.trim()));
  if (idx.some((n) => !Number.isInteger(n))) fail(template, `bad index [${b}]`);
  return { kind: 'index', indexes: idx };
}

function parsePath(src: string, template: string): Path {
  let s = src.trim();
  let fromRoot = false;
  if (s.startsWith('$')) {
    fromRoot = true;
    s = s.slice(1);
  } else if (s.startsWith('@')) {
    s = s.slice(1);
  }
  const segments: Segment[] = [];
  let i = 0;
  const readName = (): string => {
    let name = '';
    while (i < s.length && s[i] !== '.' && s[i] !== '[') {
      if (s[i] === '\\' && i + 1 < s.length) {
        name += s[i + 1];
        i += 2;
      } else {
        name += s[i++];
      }
    }
    return name;
  };
  const readBracket = (): Segment => {
    let depth = 0;
    let quote = '';
    const start = i + 1;
    for (; i < s.length; i++) {
      const c = s[i]!;
      if (quote) {
        if (c === '\\') i++;
        else if (c === quote) quote = '';
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']' && --depth === 0) break;
    }
    if (i >= s.length) fail(template, 'unterminated array');
    const seg = parseBracket(s.slice(start, i), template);
    i++;
    return seg;
  };
  while (i < s.length) {
    const c = s[i]!;
    if (s.startsWith('..', i)) {
      i += 2;
      const then: Segment = s[i] === '[' ? readBracket() : ((n) => (n === '*' ? { kind: 'wildcard' as const } : { kind: 'field' as const, names: [n] }))(readName());
      segments.push({ kind: 'recursive', then });
    } else if (c === '.') {
      i++;
      if (i >= s.length) break;
      if (s[i] === '[') continue;
      const n = readName();
      segments.push(n === '*' ? { kind: 'wildcard' } : { kind: 'field', names: [n] });
    } else if (c === '[') {
      segments.push(readBracket());
    } else {
      // A bare leading name (`metadata.name`).
      const n = readName();
      if (!n) fail(template, `unrecognized character in action: ${c}`);
      segments.push(n === '*' ? { kind: 'wildcard' } : { kind: 'field', names: [n] });
    }
  }
  return { fromRoot, segments };
}

function parseNodes(template: string): Node[] {
  const root: Node[] = [];
  const stack: Node[][] = [root];
  const ranges: Extract<Node, { kind: 'range' }>[] = [];
  for (const tok of lex(template)) {
    const cur = stack[stack.length - 1]!;
    if ('text' in tok) {
      cur.push({ kind: 'text', text: tok.text });
      continue;
    }
    const a = tok.action;
    if (a === 'end') {
      if (stack.length === 1) fail(template, 'not in range, nothing to end');
      stack.pop();
      ranges.pop();
    } else if (a.startsWith('range ') || a.startsWith('range\t')) {
      const node: Extract<Node, { kind: 'range' }> = { kind: 'range', path: parsePath(a.slice(6), template), body: [] };
      cur.push(node);
      stack.push(node.body);
      ranges.push(node);
    } else if (a.startsWith('"') || a.startsWith("'")) {
      cur.push({ kind: 'text', text: unquote(a, template) });
    } else if (a === '') {
      fail(template, 'empty action');
    } else {
      cur.push({ kind: 'path', paths: splitUnion(a).map((p) => parsePath(p, template)) });
    }
  }
  if (stack.length > 1) fail(template, 'unclosed range');
  return root;
}

/** `{.a,.b}` lists several paths; commas inside brackets or quotes do not split. */
function splitUnion(a: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quote = '';
  let cur = '';
  for (let i = 0; i < a.length; i++) {
    const c = a[i]!;
    if (quote) {
      if (c === '\\') cur += a[i++] ?? '';
      else if (c === quote) quote = '';
    } else if (c === '"' || c === "'") quote = c;
    else if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === ',' && depth === 0) {
      out.push(cur);
      cur = '';
      continue;
    }
    cur += c;
  }
  out.push(cur);
  return out.map((p) => p.trim()).filter(Boolean);
}

const isMap = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

function descendants(v: unknown, out: unknown[] = []): unknown[] {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) descendants(x, out);
  else if (isMap(v)) for (const k of Object.keys(v).sort()) descendants(v[k], out);
  return out;
}

function compare(a: unknown, op: string, b: unknown): boolean {
  switch (op) {
    case '==':
      return a === b || (typeof a === 'number' && typeof b === 'string' && String(a) === b) || (typeof b === 'number' && typeof a === 'string' && String(b) === a);
    case '!=':
      return !compare(a, '==', b);
    case '<':
      return (a as number) < (b as number);
    case '>':
      return (a as number) > (b as number);
    case '<=':
      return (a as number) <= (b as number);
    case '>=':
      return (a as number) >= (b as number);
    default:
      return false;
  }
}

function applySegment(values: unknown[], seg: Segment, root: unknown): unknown[] {
  const out: unknown[] = [];
  for (const v of values) {
    switch (seg.kind) {
      case 'field':
        if (isMap(v)) for (const n of seg.names) if (Object.hasOwn(v, n)) out.push(v[n]);
        break;
      case 'wildcard':
        if (Array.isArray(v)) out.push(...v);
        else if (isMap(v)) for (const k of Object.keys(v).sort()) out.push(v[k]);
        break;
      case 'recursive':
        out.push(...applySegment(descendants(v), seg.then, root));
        break;
      case 'index':
        if (Array.isArray(v)) {
          for (const i of seg.indexes) {
            const at = i < 0 ? v.length + i : i;
            if (at >= 0 && at < v.length) out.push(v[at]);
          }
        }
        break;
      case 'slice':
        if (Array.isArray(v)) {
          const len = v.length;
          const norm = (n: number | undefined, dflt: number): number => (n === undefined ? dflt : n < 0 ? Math.max(0, len + n) : Math.min(n, len));
          const step = seg.step ?? 1;
          for (let i = norm(seg.start, 0); i < norm(seg.end, len); i += step > 0 ? step : 1) out.push(v[i]);
        }
        break;
      case 'filter': {
        const items = Array.isArray(v) ? v : [v];
        for (const item of items) {
          const val = (o: Operand): unknown[] => ('literal' in o ? [o.literal] : evalPath(o.path, item, root));
          const left = val(seg.left);
          if (!seg.op || !seg.right) {
            if (left.length > 0 && left[0] !== undefined) out.push(item);
            continue;
          }
          const right = val(seg.right);
          if (left.length > 0 && right.length > 0 && compare(left[0], seg.op, right[0])) out.push(item);
        }
        break;
      }
    }
  }
  return out;
}

function evalPath(path: Path, current: unknown, root: unknown): unknown[] {
  let values = [path.fromRoot ? root : current];
  for (const seg of path.segments) values = applySegment(values, seg, root);
  return values;
}

/** One value as jsonpath prints it: strings raw, maps/lists as JSON. */
export function jsonPathText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (typeof v === 'object') return goJson(v);
  return String(v);
}

export function parseJsonPath(template: string): JsonPath {
  const nodes = parseNodes(template);
  const render = (ns: Node[], current: unknown, root: unknown): string => {
    let out = '';
    for (const n of ns) {
      if (n.kind === 'text') out += n.text;
      else if (n.kind === 'path') out += n.paths.flatMap((p) => evalPath(p, current, root)).map(jsonPathText).join(' ');
      else for (const item of evalPath(n.path, current, root)) out += render(n.body, item, root);
    }
    return out;
  };
  const find = (ns: Node[], current: unknown, root: unknown, out: unknown[][]): void => {
    for (const n of ns) {
      if (n.kind === 'path') out.push(n.paths.flatMap((p) => evalPath(p, current, root)));
      else if (n.kind === 'range') for (const item of evalPath(n.path, current, root)) find(n.body, item, root, out);
    }
  };
  return {
    execute: (data) => render(nodes, data, data),
    findResults: (data) => {
      const out: unknown[][] = [];
      find(nodes, data, data, out);
      return out;
    },
  };
}
