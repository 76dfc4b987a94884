// ResourceList arithmetic for quota (k8s.io/apiserver/pkg/quota/v1/resources.go): usage and
// limits are maps of resource name → Quantity; admission and the controller add, subtract, mask
// and compare them, and errors print them sorted as `name=value,…`.
import { compareQuantities, formatQuantity, parseQuantity, type Quantity } from '../quantity.js';

export type ResourceList = Record<string, Quantity>;

const ZERO: Quantity = { nanos: 0n, format: 'DecimalSI' };

/** Go's Quantity.Add: a zero receiver takes the other's format, otherwise it keeps its own. */
function addQ(a: Quantity | undefined, b: Quantity): Quantity {
  if (!a) return b;
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** A ResourceList from its JSON form (`{cpu: '500m'}`); unparsable values are dropped (validation rejects them). */
export function parseResourceList(raw: unknown): ResourceList {
  const out: ResourceList = {};
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) return out;
  for (const [k, v] of Object.entries(raw as Record<string, unknown>)) {
    if (typeof v !== 'string' && typeof v !== 'number') continue;
    try {
      out[k] = parseQuantity(String(v));
    } catch {
      // invalid quantities never reach a stored object
    }
  }
  return out;
}

/** The JSON form, as the API serializes quantities. */
export function formatResourceList(list: ResourceList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(list).sort()) out[k] = formatQuantity(list[k]!);
  return out;
}

/** quota.Add: the union, summing shared keys. */
export function add(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = { ...a };
  for (const [k, q] of Object.entries(b)) out[k] = addQ(out[k], q);
  return out;
}

/** quota.SubtractWithNonNegativeResult: a − b per key of a, never below zero. */
export function subtractNonNegative(a: ResourceList, b: ResourceList): ResourceList {
  const out: ResourceList = {};
  for (const [k, q] of Object.entries(a)) {
    const d = q.nanos - (b[k]?.nanos ?? 0n);
    out[k] = { nanos: d < 0n ? 0n : d, format: q.format };
  }
  return out;
}

/** quota.Mask: only the named keys. */
export function mask(list: ResourceList, names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) if (list[n]) out[n] = list[n];
  return out;
}

export function isZero(list: ResourceList): boolean {
  return Object.values(list).every((q) => q.nanos === 0n);
}

/** Names whose quantity is below zero. */
export function negativeNames(list: ResourceList): string[] {
  return Object.keys(list).filter((k) => list[k]!.nanos < 0n).sort();
}

/** quota.Equals: same keys, equal values. */
export function equals(a: ResourceList, b: ResourceList): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && compareQuantities(a[k]!, b[k]!) === 0);
}

/** quota.LessThanOrEqual: [allowed, names of a that exceed b]; a key b lacks is not limited. */
export function lessThanOrEqual(a: ResourceList, b: ResourceList): [boolean, string[]] {
  const exceeded: string[] = [];
  for (const [k, q] of Object.entries(a)) {
    const limit = b[k];
    if (limit && compareQuantities(q, limit) > 0) exceeded.push(k);
  }
  return [exceeded.length === 0, exceeded];
}

/** A zero quantity for each name (CalculateUsageStats starts every matched resource at 0). */
export function zeros(names: Iterable<string>): ResourceList {
  const out: ResourceList = {};
  for (const n of names) out[n] = ZERO;
  return out;
}

/** prettyPrint (plugin/pkg/admission/resourcequota): sorted `name=value` joined by commas. */
export function prettyPrint(list: ResourceList): string {
  return Object.keys(list).sort().map((k) => `${k}=${formatQuantity(list[k]!)}`).join(',');
}

/** prettyPrintResourceNames: sorted and comma-joined. */
export function prettyPrintNames(names: Iterable<string>): string {
  return [...names].sort().join(',');
}
