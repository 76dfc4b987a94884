// Semantic equality for immutability checks, close to apiequality.Semantic.DeepEqual on JSON:
// an absent field, null and an empty list are the same (Go's omitempty drops empty slices).

function isEmptyish(v: unknown): boolean {
  return v === undefined || v === null || (Array.isArray(v) && v.length === 0);
}

export function semanticEqual(a: unknown, b: unknown): boolean {
  if (isEmptyish(a) && isEmptyish(b)) return true;
  if (typeof a !== typeof b || a === null || b === null) return a === b;
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((x, i) => semanticEqual(x, b[i]));
  }
  if (typeof a === 'object') {
    const ra = a as Record<string, unknown>;
    const rb = b as Record<string, unknown>;
    const keys = new Set([...Object.keys(ra), ...Object.keys(rb)]);
    for (const k of keys) if (!semanticEqual(ra[k], rb[k])) return false;
    return true;
  }
  return a === b;
}

/**
 * A short `- path: old` / `+ path: new` listing of what differs, standing in for the cmp.Diff
 * that k8s appends to "pod updates may not change fields other than …".
 */
export function describeDiff(oldV: unknown, newV: unknown, path = '', out: string[] = [], limit = 20): string[] {
  if (out.length >= limit || semanticEqual(oldV, newV)) return out;
  const bothObjects =
    typeof oldV === 'object' && oldV !== null && typeof newV === 'object' && newV !== null && Array.isArray(oldV) === Array.isArray(newV);
  if (bothObjects) {
    if (Array.isArray(oldV) && Array.isArray(newV)) {
      for (let i = 0; i < Math.max(oldV.length, newV.length); i++) describeDiff(oldV[i], newV[i], `${path}[${i}]`, out, limit);
    } else {
      const ro = oldV as Record<string, unknown>;
      const rn = newV as Record<string, unknown>;
      for (const k of [...new Set([...Object.keys(ro), ...Object.keys(rn)])].sort())
        describeDiff(ro[k], rn[k], path ? `${path}.${k}` : k, out, limit);
    }
    return out;
  }
  if (oldV !== undefined) out.push(`- ${path}: ${JSON.stringify(oldV)}`);
  if (newV !== undefined) out.push(`+ ${path}: ${JSON.stringify(newV)}`);
  return out;
}

/**
 * Equality as Go sees JSON after decoding (apiequality.Semantic on structs): missing, null, an
 * empty list and an object whose fields are all empty (a zero struct, which JSON may omit) are
 * the same; key order does not matter. For controllers comparing what they want with what is.
 */
export function zeroValueEqual(a: unknown, b: unknown): boolean {
  const empty = (v: unknown): boolean =>
    v === undefined ||
    v === null ||
    (Array.isArray(v) && v.length === 0) ||
    (typeof v === 'object' && !Array.isArray(v) && Object.values(v as object).every(empty));
  if (empty(a) && empty(b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return a === b;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => zeroValueEqual(x, bb[i]));
  }
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(ao), ...Object.keys(bo)]);
  for (const k of keys) if (!zeroValueEqual(ao[k], bo[k])) return false;
  return true;
}
