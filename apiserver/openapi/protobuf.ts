// /openapi/v2 as protobuf: gnostic's `openapi.v2.Document` (OpenAPIv2.proto, vendored from
// github.com/google/gnostic), which is all that kubectl before OpenAPI v3 (e.g. 1.20) asks for
// and decodes for `apply`, `diff` and `explain`. Built from the same swagger document as the
// JSON answer, the way kube-openapi's handler converts its spec with gnostic.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { stringify } from 'yaml';

const PROTO_FILE = 'OpenAPIv2.proto';

type Json = Record<string, unknown>;
type Msg = Record<string, unknown>;

/** The .proto next to the compiled module (images copy it there), else in the source tree. */
function protoPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  for (let dir = here; ; dir = dirname(dir)) {
    for (const p of [join(dir, PROTO_FILE), join(dir, 'apiserver', 'openapi', PROTO_FILE)]) if (existsSync(p)) return p;
    if (dirname(dir) === dir) throw new Error(`${PROTO_FILE} not found above ${here}`);
  }
}

let root: protobuf.Root | undefined;

/** The parsed schema; keepCase so field names are the .proto's (`vendor_extension`, `_ref`). */
export function openapiV2ProtoRoot(): protobuf.Root {
  if (!root) {
    const r = new protobuf.Root();
    // The file imports google/protobuf/any.proto, which protobufjs ships as a common type.
    const any = protobuf.common.get('google/protobuf/any.proto') as protobuf.INamespace;
    r.addJSON(any.nested ?? {});
    protobuf.parse(readFileSync(protoPath(), 'utf8'), r, { keepCase: true });
    r.resolveAll();
    root = r;
  }
  return root;
}

/** gnostic keeps free-form values (extensions, defaults, enums) as their YAML text. */
function anyOf(v: unknown): Msg {
  return { yaml: stringify(v) };
}

function named<T>(obj: Record<string, T>, f: (v: T) => Msg): Msg[] {
  return Object.entries(obj).map(([name, v]) => ({ name, value: f(v) }));
}

function extensions(o: Json): Msg[] {
  return Object.entries(o)
    .filter(([k]) => k.startsWith('x-'))
    .map(([name, v]) => ({ name, value: anyOf(v) }));
}

function schema(s: Json): Msg {
  const m: Msg = {};
  if (typeof s.$ref === 'string') m._ref = s.$ref;
  for (const k of ['format', 'title', 'description', 'pattern', 'discriminator'] as const) if (typeof s[k] === 'string') m[k] = s[k];
  if (typeof s.type === 'string') m.type = { value: [s.type] };
  if (Array.isArray(s.required)) m.required = s.required;
  if (Array.isArray(s.enum)) m.enum = s.enum.map(anyOf);
  if (s.default !== undefined) m.default = anyOf(s.default);
  if (s.example !== undefined) m.example = anyOf(s.example);
  if (s.items && typeof s.items === 'object') m.items = { schema: [schema(s.items as Json)] };
  if (s.properties) m.properties = { additional_properties: named(s.properties as Record<string, Json>, schema) };
  if (typeof s.additionalProperties === 'boolean') m.additional_properties = { boolean: s.additionalProperties };
  else if (s.additionalProperties) m.additional_properties = { schema: schema(s.additionalProperties as Json) };
  if (Array.isArray(s.allOf)) m.all_of = (s.allOf as Json[]).map(schema);
  if (s.readOnly === true) m.read_only = true;
  const ext = extensions(s);
  if (ext.length) m.vendor_extension = ext;
  return m;
}

function parameter(p: Json): Msg {
  if (p.in === 'body') {
    return { parameter: { body_parameter: { name: p.name, in: p.in, required: p.required === true, description: p.description, schema: schema(p.schema as Json) } } };
  }
  const sub: Msg = { name: p.name, in: p.in, required: p.required === true, description: p.description, type: p.type, unique_items: p.uniqueItems === true };
  const which = { query: 'query_parameter_sub_schema', path: 'path_parameter_sub_schema', header: 'header_parameter_sub_schema', formData: 'form_data_parameter_sub_schema' }[p.in as string];
  if (!which) throw new Error(`openapi v2 parameter ${String(p.name)}: unknown "in" ${String(p.in)}`);
  return { parameter: { non_body_parameter: { [which]: sub } } };
}

function response(r: Json): Msg {
  const out: Msg = { description: r.description ?? '' };
  if (r.schema) out.schema = { schema: schema(r.schema as Json) };
  return { response: out };
}

function operation(op: Json): Msg {
  return {
    tags: op.tags,
    description: op.description,
    operation_id: op.operationId,
    produces: op.produces,
    consumes: op.consumes,
    schemes: op.schemes,
    parameters: ((op.parameters as Json[] | undefined) ?? []).map(parameter),
    responses: { response_code: named(op.responses as Record<string, Json>, response) },
    vendor_extension: extensions(op),
  };
}

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;

function pathItem(item: Json): Msg {
  const m: Msg = { parameters: ((item.parameters as Json[] | undefined) ?? []).map(parameter) };
  for (const method of METHODS) if (item[method]) m[method] = operation(item[method] as Json);
  return m;
}

/** The swagger 2.0 JSON document as a gnostic `openapi.v2.Document` message object. */
export function toGnosticDocument(doc: Json): Msg {
  const info = doc.info as Json;
  return {
    swagger: doc.swagger,
    info: { title: info.title, version: info.version },
    paths: { path: named(doc.paths as Record<string, Json>, pathItem) },
    definitions: { additional_properties: named(doc.definitions as Record<string, Json>, schema) },
  };
}

/** The protobuf encoding of `doc` (a swagger 2.0 JSON document). */
export function encodeOpenapiV2(doc: object): Buffer {
  const type = openapiV2ProtoRoot().lookupType('openapi.v2.Document');
  const msg = toGnosticDocument(doc as Json);
  const err = type.verify(msg);
  if (err) throw new Error(`openapi v2 protobuf: ${err}`);
  return Buffer.from(type.encode(type.fromObject(msg)).finish());
}
