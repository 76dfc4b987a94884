// JSON with sorted keys, as Go's encoding/json writes maps: kubectl's output and the
// controllers' template hashes both depend on key order being stable.

/** Go's string order: by bytes (for the UTF-16 code units JS compares, the same order). */
export function byBytes(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** A deep copy with object keys sorted at every level. */
export function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v).sort(byBytes)) out[k] = sortKeys((v as Record<string, unknown>)[k]);
    return out;
  }
  return v;
}

/** JSON with object keys sorted at every level, so equal objects always serialise alike. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(sortKeys(v)) ?? 'null';
}
