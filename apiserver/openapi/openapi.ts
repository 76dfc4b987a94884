// The OpenAPI documents: /openapi/v3 (an index plus one document per group-version) and
// /openapi/v2 (one swagger 2.0 document). kubectl reads v3 to learn that PATCH accepts
// `fieldValidation` (then it validates server-side) and for `kubectl explain`.
import { createHash } from 'node:crypto';
import { groupVersions, RESOURCES, type ResourceInfo } from '../../api/resources.js';
import { definitions, DEFINITION_REF_PREFIX, type JSONSchema } from '../../api/schema.js';
import {
  pathsFor,
  groupVersionPrefix,
  PATCH_DEFINITION,
  STATUS_DEFINITION,
  type Operation,
  type Parameter,
  type PathItem,
} from './operations.js';
import { versionInfo } from '../discovery/discovery.js';
import { encodeOpenapiV2 } from './protobuf.js';
import { customResourceDefinitions } from '../apiextensions/openapi.js';

const V3_REF_PREFIX = '#/components/schemas/';
const PATCH_CONTENT_TYPES = [
  'application/apply-patch+yaml',
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
];
const NON_STRATEGIC_PATCH_CONTENT_TYPES = PATCH_CONTENT_TYPES.filter((t) => t !== 'application/strategic-merge-patch+json');
const patchContentTypes = (op: Operation): string[] => (op.noStrategicMerge ? NON_STRATEGIC_PATCH_CONTENT_TYPES : PATCH_CONTENT_TYPES);
const RESPONSE_CONTENT_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

type Json = Record<string, unknown>;

function info(): Json {
  return { title: 'Kubernetes', version: (versionInfo() as { gitVersion: string }).gitVersion };
}

type Definitions = Readonly<Record<string, JSONSchema>>;

/**
 * The definitions a document draws from: the built-in kinds', plus those of the custom
 * resources among `resources` (computed once per resource set: it changes with the CRDs).
 */
const defsCache = new WeakMap<readonly ResourceInfo[], { v2: Definitions; v3: Definitions }>();
function definitionsFor(resources: readonly ResourceInfo[], flavor: 'v2' | 'v3'): Definitions {
  let d = defsCache.get(resources);
  if (!d) {
    const custom = resources.some((r) => r.custom);
    d = custom
      ? { v2: { ...definitions(), ...customResourceDefinitions(resources, 'v2') }, v3: { ...definitions(), ...customResourceDefinitions(resources, 'v3') } }
      : { v2: definitions(), v3: definitions() };
    defsCache.set(resources, d);
  }
  return d[flavor];
}

/** Names of all definitions reachable from `roots`. */
function closure(roots: Iterable<string>, defs: Definitions): string[] {
  const seen = new Set<string>();
  const visit = (s: JSONSchema | undefined): void => {
    if (!s) return;
    if (s.$ref !== undefined) {
      const name = s.$ref.slice(DEFINITION_REF_PREFIX.length);
      if (!seen.has(name) && defs[name]) {
        seen.add(name);
        visit(defs[name]);
      }
    }
    for (const p of Object.values(s.properties ?? {})) visit(p);
    visit(s.items);
    if (typeof s.additionalProperties === 'object') visit(s.additionalProperties);
  };
  for (const r of roots) visit({ $ref: DEFINITION_REF_PREFIX + r });
  return [...seen].sort();
}

/** A schema rewritten for OpenAPI v3: refs under components, `$ref` with siblings as allOf. */
function toV3(s: JSONSchema): Json {
  const out: Json = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'properties') out[k] = Object.fromEntries(Object.entries(v as Record<string, JSONSchema>).map(([p, ps]) => [p, toV3(ps)]));
    else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) out[k] = toV3(v as JSONSchema);
    else out[k] = v;
  }
  if (s.$ref === undefined) return out;
  const ref = { $ref: V3_REF_PREFIX + s.$ref.slice(DEFINITION_REF_PREFIX.length) };
  return Object.keys(out).length === 0 ? ref : { allOf: [ref], ...out };
}

function refV3(def: string): Json {
  return { $ref: V3_REF_PREFIX + def };
}

function paramV3(p: Parameter): Json {
  return {
    name: p.name,
    in: p.in,
    description: p.description,
    ...(p.required ? { required: true } : {}),
    schema: { type: p.type, uniqueItems: true },
  };
}

function responsesV3(op: Operation): Json {
  const content = (): Json | undefined => {
    if (op.textResponse) return { '*/*': { schema: { type: 'string' } } };
    if (!op.response) return undefined;
    return Object.fromEntries(RESPONSE_CONTENT_TYPES.map((t) => [t, { schema: refV3(op.response as string) }]));
  };
  const r = (description: string): Json => {
    const c = content();
    return { description, ...(c ? { content: c } : {}) };
  };
  return {
    '200': r('OK'),
    ...(op.alsoCreated ? { '201': r('Created') } : {}),
    ...(op.alsoAccepted ? { '202': r('Accepted') } : {}),
    '401': { description: 'Unauthorized' },
  };
}

function operationV3(op: Operation): Json {
  let requestBody: Json | undefined;
  if (op.body === 'patch') {
    requestBody = { content: Object.fromEntries(patchContentTypes(op).map((t) => [t, { schema: refV3(PATCH_DEFINITION) }])), required: true };
  } else if (op.body) {
    requestBody = { content: { '*/*': { schema: refV3(op.body) } }, ...(op.method === 'delete' ? {} : { required: true }) };
  }
  return {
    tags: [op.tag],
    description: op.description,
    operationId: op.operationId,
    ...(op.parameters.length ? { parameters: op.parameters.map(paramV3) } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses: responsesV3(op),
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

function referencedDefinitions(items: PathItem[], defs: Definitions): string[] {
  const roots = new Set<string>([STATUS_DEFINITION, PATCH_DEFINITION]);
  for (const item of items) {
    for (const op of item.operations) {
      if (op.response) roots.add(op.response);
      if (op.body && op.body !== 'patch') roots.add(op.body);
    }
  }
  return closure(roots, defs);
}

function buildV3(group: string, version: string, resources: readonly ResourceInfo[]): Json {
  const items = pathsFor(group, version, resources);
  const paths: Json = {};
  for (const item of items) {
    paths[item.path] = {
      ...Object.fromEntries(item.operations.map((op) => [op.method, operationV3(op)])),
      parameters: item.parameters.map(paramV3),
    };
  }
  const defs = definitionsFor(resources, 'v3');
  const schemas = Object.fromEntries(referencedDefinitions(items, defs).map((name) => [name, toV3(defs[name] as JSONSchema)]));
  return { openapi: '3.0.0', info: info(), paths, components: { schemas } };
}

interface V3Entry {
  doc: Json;
  hash: string;
}

/** Per resource set: the documents change exactly when the served resources do. */
const v3Cache = new WeakMap<readonly ResourceInfo[], Map<string, V3Entry>>();

/** `api/v1`, `apis/apps/v1`: the keys of the v3 index. */
function gvPath(group: string, version: string): string {
  return groupVersionPrefix(group, version).slice(1);
}

function v3Docs(resources: readonly ResourceInfo[]): Map<string, V3Entry> {
  let docs = v3Cache.get(resources);
  if (!docs) {
    docs = new Map();
    for (const { group, version } of groupVersions(resources)) {
      const doc = buildV3(group, version, resources);
      // The hash lets clients cache a document until it changes, as Kubernetes does.
      const hash = createHash('sha512').update(JSON.stringify(doc)).digest('hex').toUpperCase();
      docs.set(gvPath(group, version), { doc, hash });
    }
    v3Cache.set(resources, docs);
  }
  return docs;
}

/** GET /openapi/v3. */
export function openapiV3Index(resources: readonly ResourceInfo[] = RESOURCES): object {
  const paths: Json = {};
  for (const [path, { hash }] of v3Docs(resources)) paths[path] = { serverRelativeURL: `/openapi/v3/${path}?hash=${hash}` };
  return { paths };
}

/** GET /openapi/v3/<gvPath>: `api/v1` or `apis/apps/v1` (a leading slash is accepted). */
export function openapiV3Document(gvPathArg: string, resources: readonly ResourceInfo[] = RESOURCES): object | undefined {
  return v3Docs(resources).get(gvPathArg.replace(/^\/+|\/+$/g, ''))?.doc;
}

function paramV2(p: Parameter): Json {
  return { name: p.name, in: p.in, description: p.description, ...(p.required ? { required: true } : {}), type: p.type, uniqueItems: true };
}

function operationV2(op: Operation): Json {
  const params = op.parameters.map(paramV2);
  if (op.body) {
    const def = op.body === 'patch' ? PATCH_DEFINITION : op.body;
    params.unshift({ name: 'body', in: 'body', ...(op.method === 'delete' ? {} : { required: true }), schema: { $ref: DEFINITION_REF_PREFIX + def } });
  }
  const schema = op.textResponse ? { type: 'string' } : op.response ? { $ref: DEFINITION_REF_PREFIX + op.response } : undefined;
  const r = (description: string): Json => ({ description, ...(schema ? { schema } : {}) });
  return {
    description: op.description,
    consumes: op.body === 'patch' ? patchContentTypes(op) : ['*/*'],
    produces: op.textResponse ? ['*/*'] : RESPONSE_CONTENT_TYPES,
    schemes: ['https'],
    tags: [op.tag],
    operationId: op.operationId,
    ...(params.length ? { parameters: params } : {}),
    responses: {
      '200': r('OK'),
      ...(op.alsoCreated ? { '201': r('Created') } : {}),
      ...(op.alsoAccepted ? { '202': r('Accepted') } : {}),
      '401': { description: 'Unauthorized' },
    },
    'x-kubernetes-action': op.action,
    'x-kubernetes-group-version-kind': op.gvk,
  };
}

const v2Cache = new WeakMap<readonly ResourceInfo[], Json>();

/** GET /openapi/v2: every group-version in one swagger 2.0 document. */
export function openapiV2(resources: readonly ResourceInfo[] = RESOURCES): object {
  let doc = v2Cache.get(resources);
  if (!doc) {
    const items = groupVersions(resources).flatMap(({ group, version }) => pathsFor(group, version, resources));
    const paths: Json = {};
    for (const item of items) {
      paths[item.path] = {
        ...Object.fromEntries(item.operations.map((op) => [op.method, operationV2(op)])),
        parameters: item.parameters.map(paramV2),
      };
    }
    const defs = definitionsFor(resources, 'v2');
    doc = {
      swagger: '2.0',
      info: info(),
      paths,
      definitions: Object.fromEntries(referencedDefinitions(items, defs).map((name) => [name, defs[name]])),
    };
    v2Cache.set(resources, doc);
  }
  return doc;
}

/** What kube-openapi answers for both protobuf media types it accepts (the `@` one is older). */
export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const V2_MEDIA_TYPES: { subtype: string; contentType: string; proto: boolean }[] = [
  { subtype: 'json', contentType: 'application/json', proto: false },
  { subtype: 'com.github.proto-openapi.spec.v2@v1.0+protobuf', contentType: OPENAPI_V2_PROTOBUF, proto: true },
  { subtype: 'com.github.proto-openapi.spec.v2.v1.0+protobuf', contentType: OPENAPI_V2_PROTOBUF, proto: true },
];

export interface EncodedSpec {
  contentType: string;
  data: Buffer;
  /** Unquoted: the upper-case hex SHA-512 of `data`, as kube-openapi computes it. */
  etag: string;
}

const v2Encoded = new WeakMap<readonly ResourceInfo[], Map<boolean, EncodedSpec>>();

function encodedV2(proto: boolean, resources: readonly ResourceInfo[]): EncodedSpec {
  let forSet = v2Encoded.get(resources);
  if (!forSet) v2Encoded.set(resources, (forSet = new Map()));
  let e = forSet.get(proto);
  if (!e) {
    // Encoded once per resource set, like the document itself: the same bytes (and ETag) until a CRD changes.
    const data = proto ? encodeOpenapiV2(openapiV2(resources)) : Buffer.from(JSON.stringify(openapiV2(resources)));
    e = { contentType: proto ? OPENAPI_V2_PROTOBUF : 'application/json', data, etag: createHash('sha512').update(data).digest('hex').toUpperCase() };
    forSet.set(proto, e);
  }
  return e;
}

/**
 * GET /openapi/v2 negotiated on Accept as kube-openapi does: the first acceptable clause (by
 * q, then order) picks JSON or gnostic protobuf. Where Kubernetes answers 406 this answers
 * JSON, as it always did.
 */
export function openapiV2For(accept: string | undefined, resources: readonly ResourceInfo[] = RESOURCES): EncodedSpec {
  const clauses = (accept || '*/*')
    .split(',')
    .map((c, i) => {
      const [range = '', ...params] = c.split(';').map((x) => x.trim());
      const q = params.find((x) => x.startsWith('q='));
      return { range: range.toLowerCase(), q: q ? Number(q.slice(2)) : 1, i };
    })
    .filter((c) => c.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  for (const { range } of clauses) {
    const [type, subtype] = range.split('/');
    for (const m of V2_MEDIA_TYPES) {
      if ((type === 'application' || type === '*') && (subtype === m.subtype || subtype === '*')) return encodedV2(m.proto, resources);
    }
  }
  return encodedV2(false, resources);
}
