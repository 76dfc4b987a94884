// Compiles CRD schemas with ajv (a maintained JSON Schema validator) and reports violations as
// Kubernetes field errors. One ajv instance holds the Kubernetes formats and the RE2-pattern
// engine; compiled functions are dropped from ajv's own cache at once so CRD churn cannot grow it.
import { Ajv, type ValidateFunction } from 'ajv';
import type { FieldError } from '../../../api/validation/field.js';
import { toFieldErrors } from './errormap.js';
import { K8S_STRING_FORMATS } from './formats.js';
import { toJSONSchema, type AjvSchema } from './jsonschema.js';
import { compileRE2 } from './regexp.js';
import type { JSONSchemaProps } from './types.js';

const regExp = Object.assign((pattern: string) => compileRE2(pattern), { code: 'compileRE2' });

let shared: Ajv | undefined;
function ajv(): Ajv {
  if (!shared) {
    shared = new Ajv({ allErrors: true, verbose: true, strict: false, validateSchema: false, code: { regExp } });
    for (const [name, check] of Object.entries(K8S_STRING_FORMATS)) shared.addFormat(name, { type: 'string', validate: check });
  }
  return shared;
}

export interface ValueValidator {
  /** Field errors for `value`; `base` is its field path, undefined for a whole resource. */
  validate(value: unknown, base?: string): FieldError[];
}

/** A validator for `schema`; `resourceRoot` when it is a whole resource's openAPIV3Schema. */
export function newValueValidator(schema: JSONSchemaProps, resourceRoot: boolean): ValueValidator {
  const jsonSchema: AjvSchema = toJSONSchema(schema, resourceRoot);
  const a = ajv();
  const fn: ValidateFunction = a.compile(jsonSchema);
  a.removeSchema(jsonSchema);
  return {
    validate(value: unknown, base?: string): FieldError[] {
      if (fn(value)) return [];
      return toFieldErrors(fn.errors ?? [], value, jsonSchema, base);
    },
  };
}
