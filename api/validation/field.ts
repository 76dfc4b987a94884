// Field errors shaped exactly like Kubernetes' field.Error (apimachinery/pkg/util/validation/field):
// a cause's `message` is what k8s prints after `field: `, e.g. `Invalid value: "Foo_": a lowercase …`.
import type { StatusCause } from 'kubernetes-types/meta/v1';

export type ErrorType =
  | 'FieldValueRequired'
  | 'FieldValueInvalid'
  | 'FieldValueNotSupported'
  | 'FieldValueDuplicate'
  | 'FieldValueForbidden'
  | 'FieldValueTooLong'
  | 'FieldValueTooMany'
  | 'FieldValueNotFound'
  | 'FieldValueTypeInvalid';

export interface FieldError extends StatusCause {
  reason: ErrorType;
  field: string;
  message: string;
}

export type ErrorList = FieldError[];

/** A field path that renders like k8s: `spec.containers[0].resources.limits[cpu]`. */
export class Path {
  private constructor(private readonly s: string) {}
  static root(...names: string[]): Path {
    return new Path(names.join('.'));
  }
  child(...names: string[]): Path {
    return new Path([this.s, ...names].filter((n) => n !== '').join('.'));
  }
  index(i: number): Path {
    return new Path(`${this.s}[${i}]`);
  }
  key(k: string): Path {
    return new Path(`${this.s}[${k}]`);
  }
  toString(): string {
    return this.s;
  }
}

/** Text printed verbatim where Go would call a value's String() method (e.g. IntOrString `25%`). */
export class GoText {
  constructor(readonly text: string) {}
}

/** Renders a bad value the way Go's field.Error does: %q for strings, %v for numbers, %#v for maps. */
export function goValue(v: unknown): string {
  if (v instanceof GoText) return v.text;
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return `[]string{${v.map((x) => JSON.stringify(x)).join(', ')}}`;
    return JSON.stringify(v);
  }
  if (typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    if (entries.every(([, x]) => typeof x === 'string')) {
      // Go prints map keys sorted.
      const body = entries
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => `${JSON.stringify(k)}:${JSON.stringify(x)}`)
        .join(', ');
      return `map[string]string{${body}}`;
    }
    return JSON.stringify(v);
  }
  return String(v);
}

function make(reason: ErrorType, path: Path, message: string): FieldError {
  return { reason, field: path.toString(), message };
}

function withDetail(head: string, detail: string): string {
  return detail ? `${head}: ${detail}` : head;
}

export const field = {
  required(path: Path, detail = ''): FieldError {
    return make('FieldValueRequired', path, withDetail('Required value', detail));
  },
  invalid(path: Path, value: unknown, detail = ''): FieldError {
    return make('FieldValueInvalid', path, withDetail(`Invalid value: ${goValue(value)}`, detail));
  },
  notSupported(path: Path, value: unknown, valid: readonly string[]): FieldError {
    const detail = valid.length ? `supported values: ${valid.map((x) => JSON.stringify(x)).join(', ')}` : '';
    return make('FieldValueNotSupported', path, withDetail(`Unsupported value: ${goValue(value)}`, detail));
  },
  duplicate(path: Path, value: unknown): FieldError {
    return make('FieldValueDuplicate', path, `Duplicate value: ${goValue(value)}`);
  },
  forbidden(path: Path, detail: string): FieldError {
    return make('FieldValueForbidden', path, withDetail('Forbidden', detail));
  },
  tooLong(path: Path, maxLength: number): FieldError {
    return make('FieldValueTooLong', path, `Too long: must have at most ${maxLength} bytes`);
  },
  notFound(path: Path, value: unknown): FieldError {
    return make('FieldValueNotFound', path, `Not found: ${goValue(value)}`);
  },
  typeInvalid(path: Path, value: unknown, detail: string): FieldError {
    return make('FieldValueTypeInvalid', path, withDetail(`Invalid value: ${goValue(value)}`, detail));
  },
};

/** `field is immutable`, the text k8s uses for every immutable field. */
export const FIELD_IMMUTABLE = 'field is immutable';
export const IS_NEGATIVE = 'must be greater than or equal to 0';

export function validateNonnegative(value: unknown, path: Path): ErrorList {
  return typeof value === 'number' && value < 0 ? [field.invalid(path, value, IS_NEGATIVE)] : [];
}

// Untrusted JSON accessors: validation sees bodies before any schema check, so never assume shapes.
export function asRecord(v: unknown): Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
}
export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function asString(v: unknown): string {
  return typeof v === 'string' ? v : '';
}
export function asStringMap(v: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(asRecord(v))) out[k] = typeof x === 'string' ? x : String(x);
  return out;
}
