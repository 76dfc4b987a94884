// Field errors as apimachinery's field package renders them today. api/validation/field.ts
// prints values the way older Go did (`[]string{…}`) and says `must have at most N bytes` for
// TooLong; CRD causes follow current apimachinery: scalars plain, strings quoted, anything else
// as JSON, and `Too long: may not be more than N bytes`.
import type { ErrorType, FieldError, Path } from '../../../api/validation/field.js';

/** A field path as text; Go prints a nil *field.Path as `<nil>` (CR validation starts from nil). */
export type FieldRef = Path | string;

/** The value part of a Go field.Error body (`ErrorBody` in apimachinery). */
export function renderValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined) return 'null';
  return JSON.stringify(v);
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
    make('FieldValueTooLong', p, `Too long: ${max >= 0 ? `may not be more than ${max} ${max === 1 ? 'byte' : 'bytes'}` : 'value is too long'}`),
  tooMany: (p: FieldRef, actual: number, max: number): FieldError =>
    make('FieldValueTooMany', p, `Too many: ${actual}: ${max >= 0 ? `must have at most ${max} ${max === 1 ? 'item' : 'items'}` : 'has too many items'}`),
};

/** Upstream sorts structural-schema errors by their Error() text so the order is stable. */
export function sortErrors(errs: FieldError[]): FieldError[] {
  const key = (e: FieldError): string => `${e.field}: ${e.message}`;
  return errs.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
