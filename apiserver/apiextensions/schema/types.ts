// The CRD schema type. kubernetes-types' JSONSchemaProps lacks the `x-kubernetes-*` vendor
// extensions, so this mirrors it with them added; kubernetes-types' values are assignable to it.
import type { ExternalDocumentation } from 'kubernetes-types/apiextensions/v1';

export interface ValidationRule {
  rule: string;
  message?: string;
  messageExpression?: string;
  reason?: string;
  fieldPath?: string;
  optionalOldSelf?: boolean;
}

export interface JSONSchemaProps {
  $ref?: string;
  $schema?: string;
  id?: string;
  type?: string;
  format?: string;
  title?: string;
  description?: string;
  default?: unknown;
  example?: unknown;
  externalDocs?: ExternalDocumentation;
  nullable?: boolean;
  enum?: unknown[];
  maximum?: number;
  exclusiveMaximum?: boolean;
  minimum?: number;
  exclusiveMinimum?: boolean;
  multipleOf?: number;
  maxLength?: number;
  minLength?: number;
  pattern?: string;
  maxItems?: number;
  minItems?: number;
  uniqueItems?: boolean;
  maxProperties?: number;
  minProperties?: number;
  required?: string[];
  items?: JSONSchemaProps | JSONSchemaProps[];
  additionalItems?: JSONSchemaProps | boolean;
  properties?: Record<string, JSONSchemaProps>;
  additionalProperties?: JSONSchemaProps | boolean;
  patternProperties?: Record<string, JSONSchemaProps>;
  definitions?: Record<string, JSONSchemaProps>;
  dependencies?: Record<string, JSONSchemaProps | string[]>;
  allOf?: JSONSchemaProps[];
  anyOf?: JSONSchemaProps[];
  oneOf?: JSONSchemaProps[];
  not?: JSONSchemaProps;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  'x-kubernetes-embedded-resource'?: boolean;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-list-type'?: string;
  'x-kubernetes-list-map-keys'?: string[];
  'x-kubernetes-map-type'?: string;
  'x-kubernetes-validations'?: ValidationRule[];
}

/** The single schema of `items` (structural schemas forbid the tuple form). */
export function itemsSchema(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return s.items !== undefined && !Array.isArray(s.items) ? s.items : undefined;
}

/** The schema of `additionalProperties`, or undefined when absent or a boolean. */
export function additionalSchema(s: JSONSchemaProps): JSONSchemaProps | undefined {
  return typeof s.additionalProperties === 'object' ? s.additionalProperties : undefined;
}

export const preservesUnknown = (s: JSONSchemaProps | undefined): boolean => s?.['x-kubernetes-preserve-unknown-fields'] === true;
export const isEmbedded = (s: JSONSchemaProps | undefined): boolean => s?.['x-kubernetes-embedded-resource'] === true;
export const isIntOrString = (s: JSONSchemaProps | undefined): boolean => s?.['x-kubernetes-int-or-string'] === true;

export type JsonObject = Record<string, unknown>;
export function isJsonObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A deep copy of a JSON value (defaults are copied into every object they apply to). */
export function cloneJson<T>(v: T): T {
  return v === undefined ? v : (structuredClone(v) as T);
}

/** The schema of property `k` (own properties only: data keys like `constructor` are not schemas). */
export function propertySchema(s: JSONSchemaProps | undefined, k: string): JSONSchemaProps | undefined {
  return s?.properties !== undefined && Object.hasOwn(s.properties, k) ? s.properties[k] : undefined;
}
