// Small helpers for defaulting untyped JSON in place.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Returns obj[key] as an object, creating `{}` there when absent. */
export function ensureObj(obj: Obj, key: string): Obj {
  const cur = obj[key];
  if (isObj(cur)) return cur;
  const fresh: Obj = {};
  obj[key] = fresh;
  return fresh;
}

/** Sets obj[key] = value when the field is absent or null (Go's nil pointer / zero value). */
export function setDefault(obj: Obj, key: string, value: unknown): void {
  if (obj[key] === undefined || obj[key] === null) obj[key] = value;
}

/** Like setDefault, but an empty string also counts as unset (Go string fields). */
export function setDefaultString(obj: Obj, key: string, value: string): void {
  if (obj[key] === undefined || obj[key] === null || obj[key] === '') obj[key] = value;
}

export function objects(v: unknown): Obj[] {
  return Array.isArray(v) ? v.filter(isObj) : [];
}
