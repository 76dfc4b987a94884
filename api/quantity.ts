// resource.Quantity (k8s.io/apimachinery/pkg/api/resource): parse "500m", "1Gi", "1.5", "2e3";
// compare and format them. Values are held exactly as bigint nano-units, so "1Ei" of memory and
// "1n" of CPU both fit; anything finer than 1n rounds up, as k8s does.

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /** The value in units of 10^-9 (rounded up). */
  readonly nanos: bigint;
  /** The suffix family it was written in; formatting keeps it, as k8s does. */
  readonly format: QuantityFormat;
}

export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

export class QuantityError extends Error {}

const DECIMAL_SUFFIXES: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const BINARY_SUFFIXES: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const NANO = 1_000_000_000n;

function pow10(e: number): bigint {
  return 10n ** BigInt(e);
}

/** Divides rounding toward +infinity, which is how k8s rounds values it cannot represent. */
function ceilDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a > 0n === b > 0n ? q + 1n : q;
}

export function parseQuantity(input: string): Quantity {
  const m = /^([+-]?)([0-9]*)(?:\.([0-9]*))?([eEinumkKMGTP]*[-+]?[0-9]*)$/.exec(input);
  if (!m || input.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, sign = '', whole = '', frac = '', suffix = ''] = m;
  if (whole.length === 0 && frac.length === 0) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  // value = digits × 10^(exp10 - frac.length) × 2^exp2, computed exactly in nano units.
  const digits = BigInt(`${whole}${frac}` || '0');
  let exp10 = -frac.length;
  let exp2 = 0;
  let format: QuantityFormat;
  if (suffix in BINARY_SUFFIXES) {
    exp2 = BINARY_SUFFIXES[suffix] ?? 0;
    format = 'BinarySI';
  } else if (suffix in DECIMAL_SUFFIXES) {
    exp10 += DECIMAL_SUFFIXES[suffix] ?? 0;
    format = 'DecimalSI';
  } else if (/^[eE][-+]?[0-9]+$/.test(suffix)) {
    exp10 += Number(suffix.slice(1));
    format = 'DecimalExponent';
  } else {
    throw new QuantityError("unable to parse quantity's suffix");
  }
  let num = digits * (1n << BigInt(exp2));
  let den = 1n;
  exp10 += 9;
  if (exp10 >= 0) num *= pow10(exp10);
  else den = pow10(-exp10);
  // Rounding up means away from zero for positives and toward zero for negatives.
  const nanos = sign === '-' ? -(num / den) : ceilDiv(num, den);
  return { nanos, format };
}

export function isValidQuantity(input: string): boolean {
  try {
    parseQuantity(input);
    return true;
  } catch {
    return false;
  }
}

export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  return a.nanos < b.nanos ? -1 : a.nanos > b.nanos ? 1 : 0;
}

/** MilliValue(): the value in thousandths, rounded up. */
export function milliValue(q: Quantity | string): number {
  const nanos = typeof q === 'string' ? parseQuantity(q).nanos : q.nanos;
  return Number(ceilDiv(nanos, 1_000_000n));
}

/** Value(): the value in whole units, rounded up ("1500m" → 2). */
export function quantityValue(q: Quantity | string): number {
  const nanos = typeof q === 'string' ? parseQuantity(q).nanos : q.nanos;
  return Number(ceilDiv(nanos, NANO));
}

/** CPU in millicores: "500m" → 500, "2" → 2000. */
export function parseCpuMilli(s: string): number {
  return milliValue(s);
}

/** Memory/storage in bytes: "1Gi" → 1073741824, "128M" → 128000000. */
export function parseBytes(s: string): number {
  return quantityValue(s);
}

function decimalString(nanos: bigint): string {
  // Largest exponent (multiple of 3) that keeps the mantissa an integer, as k8s's canonical form.
  if (nanos === 0n) return '0';
  const neg = nanos < 0n;
  let n = neg ? -nanos : nanos;
  let exp = -9;
  while (n % 1000n === 0n && exp < 18) {
    n /= 1000n;
    exp += 3;
  }
  const suffix = Object.entries(DECIMAL_SUFFIXES).find(([, e]) => e === exp)?.[0] ?? '';
  return `${neg ? '-' : ''}${n}${suffix}`;
}

/** The canonical string k8s would serialize: "1500m", "2", "1k", "1Gi", "1536Mi". */
export function formatQuantity(q: Quantity): string {
  if (q.nanos === 0n) return '0';
  if (q.format === 'BinarySI' && q.nanos % NANO === 0n) {
    const neg = q.nanos < 0n;
    let units = (neg ? -q.nanos : q.nanos) / NANO;
    let shift = 0;
    while (units % 1024n === 0n && shift < 60) {
      units /= 1024n;
      shift += 10;
    }
    const suffix = Object.entries(BINARY_SUFFIXES).find(([, e]) => e === shift)?.[0] ?? '';
    return `${neg ? '-' : ''}${units}${suffix}`;
  }
  if (q.format === 'DecimalExponent') {
    const s = decimalString(q.nanos);
    const m = /^(-?\d+)([a-zA-Z]?)$/.exec(s);
    if (m && m[2]) return `${m[1]}e${DECIMAL_SUFFIXES[m[2]] ?? 0}`;
    return s;
  }
  return decimalString(q.nanos);
}

/** 500 → "500m", 2000 → "2". */
export function formatCpuMilli(milli: number): string {
  return formatQuantity({ nanos: BigInt(Math.ceil(milli)) * 1_000_000n, format: 'DecimalSI' });
}

/** 1073741824 → "1Gi", 1536 → "1536" (only exact binary multiples get a suffix: "1.5Ki" is "1536"). */
export function formatBytes(bytes: number): string {
  return formatQuantity({ nanos: BigInt(Math.ceil(bytes)) * NANO, format: 'BinarySI' });
}
