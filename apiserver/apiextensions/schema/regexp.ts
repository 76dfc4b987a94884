// CRD `pattern`s are Go RE2 expressions; JSON Schema validators run ECMAScript RegExps. RE2 and
// ECMAScript agree on the common subset; this rewrites the RE2-only spellings that CRDs in the
// wild use (leading inline flags, \A and \z, POSIX classes, \pL, (?P<name>)), then compiles with
// the `u` flag when the pattern allows it (RE2 is Unicode-aware) and without it otherwise (RE2
// accepts escaped punctuation such as `\-` or `\_` that `u` mode rejects).

const POSIX_CLASSES: Record<string, string> = {
  alnum: '0-9A-Za-z',
  alpha: 'A-Za-z',
  ascii: '\\x00-\\x7F',
  blank: '\\t ',
  cntrl: '\\x00-\\x1F\\x7F',
  digit: '0-9',
  graph: '!-~',
  lower: 'a-z',
  print: ' -~',
  punct: '!-\\/:-@\\[-`{-~',
  space: '\\t\\n\\v\\f\\r ',
  upper: 'A-Z',
  word: '0-9A-Za-z_',
  xdigit: '0-9A-Fa-f',
};

/** The ECMAScript source and flags for an RE2 pattern. */
export function translateRE2(pattern: string): { source: string; flags: string } {
  let source = pattern;
  let flags = '';
  const lead = /^\(\?([imsU]+)\)/.exec(source);
  if (lead) {
    source = source.slice(lead[0].length);
    for (const f of lead[1]!) if (f !== 'U' && !flags.includes(f)) flags += f;
  }
  source = source
    .replace(/\(\?P</g, '(?<')
    .replace(/\[:(\^?)([a-z]+):\]/g, (m, neg: string, name: string) => (neg === '' && POSIX_CLASSES[name] !== undefined ? POSIX_CLASSES[name] : m))
    .replace(/(^|[^\\])((?:\\\\)*)\\A/g, '$1$2^')
    .replace(/(^|[^\\])((?:\\\\)*)\\z/g, '$1$2$$')
    .replace(/(^|[^\\])((?:\\\\)*)\\([pP])([A-Z])/g, '$1$2\\$3{$4}');
  return { source, flags };
}

/** Compiles an RE2 pattern as a JS RegExp; throws a SyntaxError when it cannot. */
export function compileRE2(pattern: string): RegExp {
  const { source, flags } = translateRE2(pattern);
  try {
    return new RegExp(source, flags + 'u');
  } catch {
    return new RegExp(source, flags);
  }
}

/** Why an RE2 pattern is not usable, in the words of Go's regexp errors; undefined when it is. */
export function re2Error(pattern: string): string | undefined {
  try {
    compileRE2(pattern);
    return undefined;
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e);
    return `error parsing regexp: ${msg}`;
  }
}
