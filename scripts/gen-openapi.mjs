#!/usr/bin/env node
// Generates the OpenAPI definitions of every Kubernetes kind from the `kubernetes-types`
// declaration files, so the schemas (and their descriptions, which are the doc comments) are
// never written by hand. Output: one JSON file `{ definitions: { "io.k8s.api.core.v1.Pod": … } }`
// named and shaped like the `definitions` of Kubernetes' own swagger.json.
//
//   node scripts/gen-openapi.mjs [output-path]      (default: dist/api/openapi-schemas.json)
import { readdirSync, statSync, mkdirSync, writeFileSync, renameSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import ts from 'typescript';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));
const typesDir = dirname(require.resolve('kubernetes-types/package.json'));
const outPath = resolve(process.argv[2] ?? join(root, 'dist', 'api', 'openapi-schemas.json'));
// Types kubernetes-types does not ship, declared in its shape (the aggregator's apiregistration).
const extraTypesDir = join(root, 'api', 'kube-aggregator');

const REF = '#/definitions/';
const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';

/** `core/v1` → `io.k8s.api.core.v1`: the Go package each declaration file mirrors. */
function packageOf(moduleKey) {
  switch (moduleKey) {
    case 'meta/v1':
      return 'io.k8s.apimachinery.pkg.apis.meta.v1';
    case 'api/resource':
      return 'io.k8s.apimachinery.pkg.api.resource';
    case 'runtime':
      return 'io.k8s.apimachinery.pkg.runtime';
    case 'version':
      return 'io.k8s.apimachinery.pkg.version';
    case 'apiextensions/v1':
      return 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1';
    case 'apiregistration/v1':
      return 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1';
    default:
      return `io.k8s.api.${moduleKey.replaceAll('/', '.')}`;
  }
}

function walk(dir, out = []) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

function moduleKeyOf(file, dir) {
  return relative(dir, file).replace(/\.d\.ts$/, '').split(sep).join('/');
}

function docOf(node) {
  const docs = ts.getJSDocCommentsAndTags(node).filter(ts.isJSDoc);
  const text = docs.map((d) => ts.getTextOfJSDocComment(d.comment) ?? '').join('\n').trim();
  return text || undefined;
}

function literalOf(typeNode) {
  if (typeNode && ts.isLiteralTypeNode(typeNode) && ts.isStringLiteral(typeNode.literal)) return typeNode.literal.text;
  return undefined;
}

/** Converts one declaration file into definitions. */
function convertFile(file, definitions, dir = typesDir) {
  const text = ts.sys.readFile(file);
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const key = moduleKeyOf(file, dir);
  const pkg = packageOf(key);
  // Which definition name each identifier used in this file stands for.
  const names = new Map();
  for (const stmt of sf.statements) {
    if (ts.isImportDeclaration(stmt) && stmt.importClause?.namedBindings && ts.isNamedImports(stmt.importClause.namedBindings)) {
      const spec = stmt.moduleSpecifier.text;
      const target = spec.startsWith('kubernetes-types/') ? spec.slice('kubernetes-types/'.length) : join(dirname(key), spec).split(sep).join('/');
      for (const el of stmt.importClause.namedBindings.elements) {
        names.set(el.name.text, `${packageOf(target)}.${(el.propertyName ?? el.name).text}`);
      }
    } else if ((ts.isInterfaceDeclaration(stmt) || ts.isTypeAliasDeclaration(stmt)) && stmt.name) {
      names.set(stmt.name.text, `${pkg}.${stmt.name.text}`);
    }
  }

  const ref = (name) => ({ $ref: REF + name });

  function schemaOf(typeNode) {
    switch (typeNode.kind) {
      case ts.SyntaxKind.StringKeyword:
        return { type: 'string' };
      case ts.SyntaxKind.NumberKeyword:
        return { type: 'integer' };
      case ts.SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
      case ts.SyntaxKind.AnyKeyword:
      case ts.SyntaxKind.UnknownKeyword:
      case ts.SyntaxKind.ObjectKeyword:
        return { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (ts.isParenthesizedTypeNode(typeNode)) return schemaOf(typeNode.type);
    if (ts.isLiteralTypeNode(typeNode)) {
      if (ts.isStringLiteral(typeNode.literal)) return { type: 'string' };
      if (ts.isNumericLiteral(typeNode.literal)) return { type: 'integer' };
      return { type: 'boolean' };
    }
    if (ts.isArrayTypeNode(typeNode)) return { type: 'array', items: schemaOf(typeNode.elementType) };
    if (ts.isUnionTypeNode(typeNode)) {
      const kinds = new Set(typeNode.types.map((t) => t.kind));
      // `number | string` is how kubernetes-types spells IntOrString.
      if (kinds.size === 2 && kinds.has(ts.SyntaxKind.NumberKeyword) && kinds.has(ts.SyntaxKind.StringKeyword)) {
        return ref(INT_OR_STRING);
      }
      if (typeNode.types.every((t) => literalOf(t) !== undefined)) {
        return { type: 'string', enum: typeNode.types.map(literalOf) };
      }
      // Anything else (JSONSchemaPropsOrBool, …) is free-form in Kubernetes' schema as well.
      return { 'x-kubernetes-preserve-unknown-fields': true };
    }
    if (ts.isTypeLiteralNode(typeNode)) {
      const index = typeNode.members.find(ts.isIndexSignatureDeclaration);
      if (index) return { type: 'object', additionalProperties: schemaOf(index.type) };
      return objectSchema(typeNode.members);
    }
    if (ts.isTypeReferenceNode(typeNode)) {
      const name = typeNode.typeName.getText(sf);
      if (name === 'Array' && typeNode.typeArguments?.length === 1) {
        return { type: 'array', items: schemaOf(typeNode.typeArguments[0]) };
      }
      if (name === 'Record' && typeNode.typeArguments?.length === 2) {
        return { type: 'object', additionalProperties: schemaOf(typeNode.typeArguments[1]) };
      }
      const def = names.get(name);
      if (def) return ref(def);
    }
    throw new Error(`${key}: unsupported type ${ts.SyntaxKind[typeNode.kind]} ${typeNode.getText(sf)}`);
  }

  function objectSchema(members) {
    const properties = {};
    const required = [];
    for (const m of members) {
      if (!ts.isPropertySignature(m) || !m.type) continue;
      const name = m.name.getText(sf).replace(/^["']|["']$/g, '');
      const schema = { ...schemaOf(m.type) };
      const description = docOf(m);
      if (description) schema.description = description;
      properties[name] = schema;
      if (!m.questionToken) required.push(name);
    }
    return { type: 'object', ...(required.length ? { required: required.sort() } : {}), properties };
  }

  for (const stmt of sf.statements) {
    if (ts.isInterfaceDeclaration(stmt)) {
      const name = `${pkg}.${stmt.name.text}`;
      const description = docOf(stmt);
      let schema;
      if (stmt.members.length === 0) {
        // Empty Go structs in the types (RawExtension, FieldsV1, JSON) hold arbitrary JSON.
        schema = { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
      } else {
        schema = objectSchema(stmt.members);
      }
      const props = Object.fromEntries(
        stmt.members.filter(ts.isPropertySignature).map((m) => [m.name.getText(sf), m.type]),
      );
      const apiVersion = literalOf(props.apiVersion);
      const kind = literalOf(props.kind);
      if (apiVersion && kind) {
        const slash = apiVersion.indexOf('/');
        const group = slash < 0 ? '' : apiVersion.slice(0, slash);
        const version = slash < 0 ? apiVersion : apiVersion.slice(slash + 1);
        schema['x-kubernetes-group-version-kind'] = [{ group, kind, version }];
      }
      definitions[name] = { ...(description ? { description } : {}), ...schema };
    } else if (ts.isTypeAliasDeclaration(stmt)) {
      const name = `${pkg}.${stmt.name.text}`;
      const description = docOf(stmt);
      let schema = schemaOf(stmt.type);
      // Time and MicroTime are RFC 3339 strings on the wire.
      if (name.endsWith('meta.v1.Time') || name.endsWith('meta.v1.MicroTime')) schema = { type: 'string', format: 'date-time' };
      definitions[name] = { ...(description ? { description } : {}), ...schema };
    }
  }
}

const definitions = {};
for (const file of walk(typesDir).sort()) convertFile(file, definitions);
for (const file of walk(extraTypesDir).sort()) convertFile(file, definitions, extraTypesDir);
definitions[INT_OR_STRING] = {
  description: 'IntOrString holds either an int32 or a string; the JSON value is a number or a string.',
  type: 'string',
  format: 'int-or-string',
  'x-kubernetes-int-or-string': true,
};

// Strategic-merge metadata (x-kubernetes-patch-strategy / -merge-key), which kubectl apply
// reads from /openapi/v3 to merge lists such as containers by name. kubernetes-types has no
// struct tags, so it comes from the one table the server's own SMP uses (api/patch/schema).
const { PatchSchema } = await import(new URL('../dist/api/patch/schema.js', import.meta.url).href);
function annotate(defName, patchSchema, seen) {
  const def = definitions[defName];
  if (!def?.properties || seen.has(defName)) return;
  seen.add(defName);
  for (const [field, prop] of Object.entries(def.properties)) {
    const { meta, schema } = patchSchema.lookup(field);
    const strategy = [meta.strategy === 'merge' ? 'merge' : undefined, meta.retainKeys ? 'retainKeys' : undefined].filter(Boolean).join(',');
    if (strategy) prop['x-kubernetes-patch-strategy'] = strategy;
    if (meta.mergeKey) prop['x-kubernetes-patch-merge-key'] = meta.mergeKey;
    const ref = prop.$ref ?? prop.items?.$ref;
    if (ref && meta.type) annotate(ref.slice(REF.length), schema, seen);
  }
}
for (const [name, def] of Object.entries(definitions)) {
  const gvk = def['x-kubernetes-group-version-kind']?.[0];
  if (!gvk) continue;
  const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
  annotate(name, PatchSchema.forKind(apiVersion, gvk.kind), new Set());
}

// JSONSchemaProps' vendor extensions: Go's struct has them, kubernetes-types' declarations do
// not (dashed names), so a CRD's schema would read as unknown fields under fieldValidation=Strict.
const JSON_SCHEMA_PROPS = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps';
if (definitions[JSON_SCHEMA_PROPS]) {
  const bool = (description) => ({ type: 'boolean', description });
  const str = (description) => ({ type: 'string', description });
  Object.assign(definitions[JSON_SCHEMA_PROPS].properties, {
    'x-kubernetes-embedded-resource': bool('x-kubernetes-embedded-resource defines that the value is an embedded Kubernetes runtime.Object, with TypeMeta and ObjectMeta.'),
    'x-kubernetes-int-or-string': bool('x-kubernetes-int-or-string specifies that this value is either an integer or a string.'),
    'x-kubernetes-list-map-keys': { type: 'array', items: { type: 'string' }, description: 'x-kubernetes-list-map-keys annotates an array with the x-kubernetes-list-type `map` by specifying the keys used as the index of the map.' },
    'x-kubernetes-list-type': str('x-kubernetes-list-type annotates an array to further describe its topology: atomic, set or map.'),
    'x-kubernetes-map-type': str('x-kubernetes-map-type annotates an object to further describe its topology: granular or atomic.'),
    'x-kubernetes-preserve-unknown-fields': bool('x-kubernetes-preserve-unknown-fields stops the API server decoding step from pruning fields which are not specified in the validation schema.'),
    'x-kubernetes-validations': { type: 'array', items: { $ref: `${REF}io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.ValidationRule` }, description: 'x-kubernetes-validations describes a list of validation rules written in the CEL expression language.' },
  });
}

// Every reference must resolve: a dangling $ref would make `kubectl explain` fail later.
const dangling = new Set();
JSON.stringify(definitions, (k, v) => {
  if (k === '$ref' && typeof v === 'string' && !definitions[v.slice(REF.length)]) dangling.add(v);
  return v;
});
if (dangling.size) throw new Error(`unresolved references: ${[...dangling].join(', ')}`);

const sorted = Object.fromEntries(Object.entries(definitions).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
mkdirSync(dirname(outPath), { recursive: true });
// Write-then-rename: test processes may generate and read the file concurrently.
const tmp = `${outPath}.${process.pid}.tmp`;
writeFileSync(tmp, JSON.stringify({ definitions: sorted }));
renameSync(tmp, outPath);
console.log(`gen-openapi: ${Object.keys(sorted).length} definitions → ${relative(process.cwd(), outPath) || outPath}`);
