// Go's ways of turning values into text, as kubectl output shows them: json.Marshal (sorted
// keys, HTML-safe escapes), fmt's %v, and labels.FormatLabels.
import { byBytes, sortKeys } from './json.js';

function htmlSafe(s: string): string {
  return s.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** json.Marshal: compact, sorted keys, `<>&` escaped. */
export function goJson(v: unknown): string {
  return htmlSafe(JSON.stringify(sortKeys(v)) ?? 'null');
}

/** json.MarshalIndent(v, "", "    "): what `-o json` prints. */
export function goJsonIndent(v: unknown): string {
  return htmlSafe(JSON.stringify(sortKeys(v), null, 4) ?? 'null');
}

/** fmt's %v of a decoded JSON value: maps as `map[k:v]`, slices as `[a b]`. */
export function goValue(v: unknown): string {
  if (v === null || v === undefined) return '<nil>';
  if (Array.isArray(v)) return `[${v.map(goValue).join(' ')}]`;
  if (typeof v === 'object') {
    const entries = Object.keys(v)
      .sort(byBytes)
      .map((k) => `${k}:${goValue((v as Record<string, unknown>)[k])}`);
    return `map[${entries.join(' ')}]`;
  }
  return String(v);
}

/** labels.FormatLabels: `a=b,c=d` sorted by key, `<none>` when empty. */
export function formatLabels(labels: Record<string, string> | undefined | null): string {
  const keys = Object.keys(labels ?? {}).sort(byBytes);
  if (keys.length === 0) return '<none>';
  return keys.map((k) => `${k}=${labels![k]}`).join(',');
}
