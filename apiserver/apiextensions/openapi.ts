// The OpenAPI definitions of served custom resources (k8s apiextensions-apiserver
// pkg/controller/openapi/builder): each version's schema as the kind's definition, with
// apiVersion, kind and a metadata reference to ObjectMeta added, and its List kind — named like
// Kubernetes names them (`com.example.stable.v1.CronTab`), so `kubectl explain` finds them by
// their x-kubernetes-group-version-kind.
import type { ResourceInfo } from '../../api/resources.js';
import type { JSONSchema } from '../../api/schema.js';
import { toOpenAPIV2, toOpenAPIV3 } from './schema/index.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const API_VERSION_DOC = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

/** `stable.example.com`, `v1`, `CronTab` → `com.example.stable.v1.CronTab` (the reversed group, as k8s). */
export function customDefinitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

type Json = Record<string, unknown>;

/** `$ref`s under #/components/schemas/ → #/definitions/: openapi.ts renders both documents from that form. */
function asDefinitionRefs(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(asDefinitionRefs);
  if (typeof v !== 'object' || v === null) return v;
  return Object.fromEntries(
    Object.entries(v).map(([k, x]) => [k, k === '$ref' && typeof x === 'string' ? x.replace('#/components/schemas/', '#/definitions/') : asDefinitionRefs(x)]),
  );
}

/** The version's schema as published (apiVersion, kind and metadata added by the schema module). */
function kindDefinition(info: ResourceInfo, flavor: 'v2' | 'v3'): Json {
  const schema = info.custom?.schema;
  const body = schema ? (asDefinitionRefs(flavor === 'v2' ? toOpenAPIV2(schema) : toOpenAPIV3(schema)) as Json) : { type: 'object' };
  return { ...body, 'x-kubernetes-group-version-kind': [{ group: info.group, version: info.version, kind: info.kind }] };
}

function listDefinition(info: ResourceInfo, kindDef: string, listKind: string): Json {
  return {
    description: `${listKind} is a list of ${info.kind}`,
    type: 'object',
    required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DOC },
      items: { type: 'array', description: `List of ${info.resource}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: `#/definitions/${kindDef}` } },
      kind: { type: 'string', description: KIND_DOC },
      metadata: { $ref: `#/definitions/${META}.ListMeta` },
    },
    'x-kubernetes-group-version-kind': [{ group: info.group, version: info.version, kind: listKind }],
  };
}

/**
 * The definitions of every custom resource among `resources`, in swagger 2.0 form (`$ref`s
 * under `#/definitions/`); `v3` keeps what OpenAPI v3 can say and v2 cannot.
 */
export function customResourceDefinitions(resources: readonly ResourceInfo[], flavor: 'v2' | 'v3'): Record<string, JSONSchema> {
  const out: Record<string, JSONSchema> = {};
  for (const info of resources) {
    if (!info.custom) continue;
    const kindDef = customDefinitionName(info.group, info.version, info.kind);
    out[kindDef] = kindDefinition(info, flavor) as JSONSchema;
    const listKind = info.custom.listKind;
    out[customDefinitionName(info.group, info.version, listKind)] = listDefinition(info, kindDef, listKind) as JSONSchema;
  }
  return out;
}
