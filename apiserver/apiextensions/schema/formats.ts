// The string formats a CRD schema can check, with the semantics of kube-openapi's strfmt
// registry (go-openapi's formats as Kubernetes pins them). These are Kubernetes' own set: other
// formats are stripped before validation (StripUnsupportedFormatsPostProcessor), so a schema
// may name any format and only these are enforced. The checks are lenient where Go's parsers
// accept more than a regular expression would.
import { isIPv4, isIPv6 } from 'node:net';
import { tryParseCidr } from '../../../api/net.js';

const re = (r: RegExp) => (s: string): boolean => r.test(s);

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function isbn10(s: string): boolean {
  const t = s.replace(/[\s-]/g, '');
  if (!/^\d{9}[\dX]$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 10; i++) sum += (10 - i) * (t[i] === 'X' ? 10 : Number(t[i]));
  return sum % 11 === 0;
}

function isbn13(s: string): boolean {
  const t = s.replace(/[\s-]/g, '');
  if (!/^\d{13}$/.test(t)) return false;
  let sum = 0;
  for (let i = 0; i < 13; i++) sum += (i % 2 === 0 ? 1 : 3) * Number(t[i]);
  return sum % 10 === 0;
}

function calendarDate(s: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const dt = new Date(Date.UTC(y, mo - 1, d));
  return dt.getUTCFullYear() === y && dt.getUTCMonth() === mo - 1 && dt.getUTCDate() === d;
}

function hostname(s: string): boolean {
  if (s.length === 0 || s.length > 255) return false;
  const labels = s.replace(/\.$/, '').split('.');
  return labels.every((l) => /^[\p{L}\p{N}\p{S}]([\p{L}\p{N}\p{S}-]{0,61}[\p{L}\p{N}\p{S}])?$/u.test(l));
}

const uuidRe = (v: string): RegExp => new RegExp(`^[0-9a-f]{8}-?[0-9a-f]{4}-?${v}[0-9a-f]{3}-?${v === '[0-9a-f]' ? '[0-9a-f]' : '[89ab]'}[0-9a-f]{3}-?[0-9a-f]{12}$`, 'i');
const octet = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** Format name (dashes removed, as go-openapi normalizes) → check. */
export const K8S_STRING_FORMATS: Readonly<Record<string, (s: string) => boolean>> = {
  bsonobjectid: re(/^[0-9a-fA-F]{24}$/),
  uri: (s) => s.startsWith('/') || (() => { try { return new URL(s).protocol !== ''; } catch { return false; } })(),
  email: re(/^(?:[^<>@\s]+@[^<>@\s]+|[^<>]*<[^<>@\s]+@[^<>@\s]+>)$/),
  hostname,
  ipv4: (s) => isIPv4(s) && new RegExp(`^${octet}(\\.${octet}){3}$`).test(s),
  ipv6: (s) => isIPv6(s),
  cidr: (s) => tryParseCidr(s) !== undefined,
  mac: re(/^(?:[0-9a-fA-F]{2}(?:([:-])[0-9a-fA-F]{2})(?:\1[0-9a-fA-F]{2}){4}(?:(?:\1[0-9a-fA-F]{2}){2}|(?:\1[0-9a-fA-F]{2}){14})?|[0-9a-fA-F]{4}(?:\.[0-9a-fA-F]{4}){2}(?:(?:\.[0-9a-fA-F]{4})|(?:\.[0-9a-fA-F]{4}){7})?)$/),
  uuid: re(/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i),
  uuid3: re(uuidRe('3')),
  uuid4: re(uuidRe('4')),
  uuid5: re(uuidRe('5')),
  isbn: (s) => isbn10(s) || isbn13(s),
  isbn10,
  isbn13,
  creditcard: (s) => {
    const d = s.replace(/\D/g, '');
    return /^(?:4\d{12}(?:\d{3})?|5[1-5]\d{14}|6(?:011|5\d\d)\d{12}|3[47]\d{13}|3(?:0[0-5]|[68]\d)\d{11}|(?:2131|1800|35\d{3})\d{11})$/.test(d) && luhn(d);
  },
  ssn: re(/^\d{3}[- ]?\d{2}[- ]?\d{4}$/),
  hexcolor: re(/^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/),
  rgbcolor: re(new RegExp(`^rgb\\(\\s*${octet}\\s*,\\s*${octet}\\s*,\\s*${octet}\\s*\\)$`)),
  byte: re(/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})?$/),
  password: () => true,
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && calendarDate(s),
  // strfmt.ParseDateTime accepts RFC 3339 and a few ISO 8601 variants (no zone, minutes only, a space).
  datetime: (s) => /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?$/.test(s) && calendarDate(s),
  // Go's time.ParseDuration (`1h30m`) or strfmt's `<n> <unit>` form (`3 days`).
  duration: re(/^(?:[-+]?(?:(?:\d+(?:\.\d*)?|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+|0|\d+\s*[a-zA-Z]+)$/),
};

/** The supported format key for a schema's `format` (go-openapi removes dashes), if any. */
export function supportedStringFormat(format: string): string | undefined {
  const key = format.replace(/-/g, '');
  return Object.hasOwn(K8S_STRING_FORMATS, key) ? key : undefined;
}
