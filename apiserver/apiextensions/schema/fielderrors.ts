// Field errors as apimachinery's field package renders them in Kubernetes 1.32 (the version
// tskube reports). api/validation/field.ts keeps an older TooLong text (`must have at most N
// bytes`); CRD causes follow 1.32: `Too long: may not be more than N bytes`, scalars plain,
// strings quoted, and anything else in Go's %#v syntax, as 1.32 prints decoded JSON values.
import type { ErrorType, FieldError, Path } from '../../../api/validation/field.js';

/** A field path as text; Go prints a nil *field.Path as `<nil>` (CR validation starts from nil). */
export type FieldRef = Path | string;

/** Go's %#v of a value decoded from JSON into interface{} (map[string]interface {}, []interface {}). */
function goSyntax(v: unknown): string {
  if (v === null || v === undefined) return 'interface {}(nil)';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v)) {
    if (v.length > 0 && v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return `[]interface {}{${v.map(goSyntax).join(', ')}}`;
  }
  const entries = Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `map[string]interface {}{${entries.map(([k, x]) => `${JSON.stringify(k)}:${goSyntax(x)}`).join(', ')}}`;
}

/** The value part of a Go field.Error body (`ErrorBody` in apimachinery 1.32). */
export function renderValue(v: unknown): string {
  if (v === null || v === undefined) return '"null"';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return goSyntax(v);
}

function make(reason: ErrorType, path: FieldRef, message: string): FieldError {
  return { reason, field: path.toString(), message };
}

const withDetail = (head: string, detail: string): string => (detail ? `${head}: ${detail}` : head);

export const ferr = {
  required: (p: FieldRef, detail = ''): FieldError => make('FieldValueRequired', p, withDetail('Required value', detail)),
  forbidden: (p: FieldRef, detail: string): FieldError => make('FieldValueForbidden', p, withDetail('Forbidden', detail)),
  invalid: (p: FieldRef, value: unknown, detail: string): FieldError =>
    make('FieldValueInvalid', p, withDetail(`Invalid value: ${renderValue(value)}`, detail)),
  typeInvalid: (p: FieldRef, value: unknown, detail: string): FieldError =>
    make('FieldValueTypeInvalid', p, withDetail(`Invalid value: ${renderValue(value)}`, detail)),
  notSupported: (p: FieldRef, value: unknown, valid: readonly string[]): FieldError =>
    make(
      'FieldValueNotSupported',
      p,
      withDetail(`Unsupported value: ${renderValue(value)}`, valid.length ? `supported values: ${valid.map((x) => JSON.stringify(x)).join(', ')}` : ''),
    ),
  tooLong: (p: FieldRef, max: number): FieldError =>
    make('FieldValueTooLong', p, `Too long: ${max >= 0 ? `may not be more than ${max} bytes` : 'value is too long'}`),
  tooMany: (p: FieldRef, actual: number, max: number): FieldError =>
    make('FieldValueTooMany', p, `Too many: ${actual}: ${max >= 0 ? `must have at most ${max} items` : 'has too many items'}`),
};

/** Upstream sorts structural-schema errors by their Error() text so the order is stable. */
export function sortErrors(errs: FieldError[]): FieldError[] {
  const key = (e: FieldError): string => `${e.field}: ${e.message}`;
  return errs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
