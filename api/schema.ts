// The OpenAPI schemas of every kind, generated at build time from `kubernetes-types` by
// scripts/gen-openapi.mjs. Used to serve /openapi/v2 and /openapi/v3 and to find unknown
// fields for `fieldValidation=Strict|Warn`, the way the apiserver's strict decoder does.
import { readFileSync, existsSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isObject } from './types.js';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** The subset of OpenAPI (swagger 2.0 style) schema the generator produces. */
export interface JSONSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;
  description?: string;
  properties?: Record<string, JSONSchema>;
  required?: string[];
  items?: JSONSchema;
  additionalProperties?: JSONSchema | boolean;
  enum?: unknown[];
  /** `#/definitions/<name>`. */
  $ref?: string;
  'x-kubernetes-group-version-kind'?: GroupVersionKind[];
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
}

export const DEFINITION_REF_PREFIX = '#/definitions/';
const FILE_NAME = 'openapi-schemas.json';

let loaded: Record<string, JSONSchema> | undefined;
let byGVK: Map<string, string> | undefined;

function schemaFile(): string {
  // Next to this module's compiled file: dist/api/openapi-schemas.json after `npm run build`.
  const here = dirname(fileURLToPath(import.meta.url));
  const file = join(here, FILE_NAME);
  if (existsSync(file)) return file;
  // A build that skipped the generator (e.g. a bare `tsc` into another outDir): generate it
  // now, once, from the repository's script.
  let dir = here;
  for (;;) {
    const script = join(dir, 'scripts', 'gen-openapi.mjs');
    if (existsSync(script)) {
      execFileSync(process.execPath, [script, file], { stdio: 'ignore' });
      return file;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${FILE_NAME} not found next to ${here}; run npm run build`);
    dir = parent;
  }
}

/** Every definition, keyed like Kubernetes' swagger: `io.k8s.api.core.v1.Pod`. */
export function definitions(): Readonly<Record<string, JSONSchema>> {
  if (!loaded) {
    const doc = JSON.parse(readFileSync(schemaFile(), 'utf8')) as { definitions: Record<string, JSONSchema> };
    loaded = doc.definitions;
  }
  return loaded;
}

function gvkKey(apiVersion: string, kind: string): string {
  return `${apiVersion}/${kind}`;
}

/** The definition name of a kind (`io.k8s.api.apps.v1.Deployment`), by its apiVersion and kind. */
export function definitionNameFor(apiVersion: string, kind: string): string | undefined {
  if (!byGVK) {
    byGVK = new Map();
    for (const [name, schema] of Object.entries(definitions())) {
      for (const gvk of schema['x-kubernetes-group-version-kind'] ?? []) {
        const av = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        byGVK.set(gvkKey(av, gvk.kind), name);
      }
    }
  }
  return byGVK.get(gvkKey(apiVersion, kind));
}

export function schemaFor(apiVersion: string, kind: string): JSONSchema | undefined {
  const name = definitionNameFor(apiVersion, kind);
  return name === undefined ? undefined : definitions()[name];
}

/** Follows `$ref`s to the schema that describes the value. */
export function resolveSchema(schema: JSONSchema): JSONSchema {
  let s = schema;
  for (let i = 0; s.$ref !== undefined && i < 32; i++) {
    const target = definitions()[s.$ref.slice(DEFINITION_REF_PREFIX.length)];
    if (!target) break;
    s = target;
  }
  return s;
}

function join2(path: string, field: string): string {
  return path ? `${path}.${field}` : field;
}

function collectUnknown(schema: JSONSchema, value: unknown, path: string, out: string[]): void {
  const s = resolveSchema(schema);
  if (s['x-kubernetes-preserve-unknown-fields'] || s['x-kubernetes-int-or-string']) return;
  if (Array.isArray(value)) {
    if (s.items) value.forEach((item, i) => collectUnknown(s.items as JSONSchema, item, `${path}[${i}]`, out));
    return;
  }
  if (!isObject(value)) return;
  if (s.properties) {
    for (const [field, v] of Object.entries(value)) {
      const prop = s.properties[field];
      if (prop) collectUnknown(prop, v, join2(path, field), out);
      else out.push(join2(path, field));
    }
    return;
  }
  // A map (labels, resources.limits, data…): any key is allowed, values follow the schema.
  if (isObject(s.additionalProperties)) {
    const valueSchema = s.additionalProperties as JSONSchema;
    for (const [key, v] of Object.entries(value)) collectUnknown(valueSchema, v, join2(path, key), out);
  }
}

/**
 * Field paths in `obj` that the kind's schema does not declare, in document order:
 * `spec.foo`, `spec.containers[0].imagee`. Empty when the kind is unknown.
 */
export function unknownFields(apiVersion: string, kind: string, obj: unknown): string[] {
  const schema = schemaFor(apiVersion, kind);
  if (!schema) return [];
  const out: string[] = [];
  collectUnknown(schema, obj, '', out);
  return out;
}

/**
 * Keys that appear twice in the same JSON object of a request body (`metadata.name`), which
 * the strict decoder reports as `duplicate field`. JSON.parse silently keeps the last one.
 */
export function duplicateFields(json: string): string[] {
  const out: string[] = [];
  let i = 0;
  const ws = (): void => {
    while (i < json.length && /\s/.test(json[i] as string)) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(json.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    ws();
    const c = json[i];
    if (c === '{') {
      i++;
      const seen = new Set<string>();
      ws();
      if (json[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        const p = join2(path, key);
        if (seen.has(key)) out.push(p);
        seen.add(key);
        ws();
        i++; // colon
        value(p);
        ws();
        if (json[i++] !== ',') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (json[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(`${path}[${n}]`);
        ws();
        if (json[i++] !== ',') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < json.length && !/[,}\]\s]/.test(json[i] as string)) i++;
    }
  };
  try {
    value('');
  } catch {
    return []; // not JSON: the body parser reports that, not this check
  }
  return out;
}
