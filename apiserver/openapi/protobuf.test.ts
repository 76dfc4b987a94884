import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { openapiV2, openapiV2For, OPENAPI_V2_PROTOBUF } from './openapi.js';
import { openapiV2ProtoRoot } from './protobuf.js';

type Json = Record<string, unknown>;
interface NamedAny {
  name: string;
  value: { yaml: string };
}
interface PbSchema {
  _ref?: string;
  type?: { value: string[] };
  description?: string;
  properties?: { additional_properties: { name: string; value: PbSchema }[] };
  items?: { schema: PbSchema[] };
  vendor_extension?: NamedAny[];
}
interface PbDoc {
  swagger: string;
  info: { title: string; version: string };
  paths: { path: { name: string; value: Json }[] };
  definitions: { additional_properties: { name: string; value: PbSchema }[] };
}

const OLD_KUBECTL_ACCEPT = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';

function decoded(): PbDoc {
  const spec = openapiV2For(OLD_KUBECTL_ACCEPT);
  const type = openapiV2ProtoRoot().lookupType('openapi.v2.Document');
  return type.toObject(type.decode(spec.data), { defaults: false, arrays: true }) as PbDoc;
}

const ext = (s: PbSchema | Json | undefined, name: string): unknown => {
  const e = ((s as PbSchema | undefined)?.vendor_extension ?? []).find((x) => x.name === name);
  return e ? parse(e.value.yaml) : undefined;
};
const prop = (s: PbSchema | undefined, name: string): PbSchema | undefined => s?.properties?.additional_properties.find((p) => p.name === name)?.value;

describe('/openapi/v2 as protobuf (gnostic openapi.v2.Document)', () => {
  const json = openapiV2() as { swagger: string; paths: Json; definitions: Record<string, Json & { properties?: Record<string, Json> }> };

  test('negotiation: both protobuf media types get protobuf, JSON otherwise; bytes and ETag are cached', () => {
    const a = openapiV2For(OLD_KUBECTL_ACCEPT);
    assert.equal(a.contentType, OPENAPI_V2_PROTOBUF);
    assert.equal(openapiV2For('application/com.github.proto-openapi.spec.v2.v1.0+protobuf').data, a.data);
    assert.match(a.etag, /^[0-9A-F]{128}$/);
    assert.equal(openapiV2For(undefined).contentType, 'application/json');
    assert.equal(openapiV2For('application/json, application/com.github.proto-openapi.spec.v2@v1.0+protobuf').contentType, 'application/json');
    assert.equal(openapiV2For('application/json;q=0.5, application/com.github.proto-openapi.spec.v2@v1.0+protobuf').contentType, OPENAPI_V2_PROTOBUF);
    assert.deepEqual(JSON.parse(openapiV2For('*/*').data.toString()), json);
    assert.notEqual(openapiV2For('*/*').etag, a.etag);
  });

  test('the decoded document has the same paths and definitions as the JSON one', () => {
    const doc = decoded();
    assert.equal(doc.swagger, '2.0');
    assert.equal(doc.info.title, 'Kubernetes');
    assert.deepEqual(doc.paths.path.map((p) => p.name), Object.keys(json.paths));
    assert.deepEqual(doc.definitions.additional_properties.map((d) => d.name), Object.keys(json.definitions));
  });

  test('a definition: properties, types, $ref as _ref, items, descriptions', () => {
    const defs = decoded().definitions.additional_properties;
    const pod = defs.find((d) => d.name === 'io.k8s.api.core.v1.Pod')?.value;
    const podJson = json.definitions['io.k8s.api.core.v1.Pod']!;
    assert.deepEqual(pod?.properties?.additional_properties.map((p) => p.name), Object.keys(podJson.properties ?? {}));
    assert.equal(pod?.description, podJson.description);
    assert.equal(prop(pod, 'spec')?._ref, '#/definitions/io.k8s.api.core.v1.PodSpec');
    const spec = defs.find((d) => d.name === 'io.k8s.api.core.v1.PodSpec')?.value;
    const containers = prop(spec, 'containers');
    assert.deepEqual(containers?.type?.value, ['array']);
    assert.equal(containers?.items?.schema[0]?._ref, '#/definitions/io.k8s.api.core.v1.Container');
    const selector = prop(spec, 'nodeSelector') as PbSchema & { additional_properties?: { schema?: PbSchema } };
    assert.deepEqual(selector.additional_properties?.schema?.type?.value, ['string']);
    assert.deepEqual(prop(spec, 'hostNetwork')?.type?.value, ['boolean']);
  });

  test('vendor extensions are NamedAny with YAML values: group-version-kind, patch-merge-key', () => {
    const defs = decoded().definitions.additional_properties;
    const deploy = defs.find((d) => d.name === 'io.k8s.api.apps.v1.Deployment')?.value;
    assert.deepEqual(ext(deploy, 'x-kubernetes-group-version-kind'), json.definitions['io.k8s.api.apps.v1.Deployment']!['x-kubernetes-group-version-kind']);
    assert.deepEqual(ext(deploy, 'x-kubernetes-group-version-kind'), [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
    const spec = defs.find((d) => d.name === 'io.k8s.api.core.v1.PodSpec')?.value;
    const containersJson = json.definitions['io.k8s.api.core.v1.PodSpec']!.properties!['containers']!;
    assert.equal(ext(prop(spec, 'containers'), 'x-kubernetes-patch-merge-key'), containersJson['x-kubernetes-patch-merge-key']);
    assert.equal(ext(prop(spec, 'containers'), 'x-kubernetes-patch-merge-key'), 'name');
    assert.equal(ext(prop(spec, 'containers'), 'x-kubernetes-patch-strategy'), 'merge');
  });

  test('operations: parameters (body and query), responses and the action/GVK extensions', () => {
    const doc = decoded();
    const item = doc.paths.path.find((p) => p.name === '/apis/apps/v1/namespaces/{namespace}/deployments/{name}')?.value as Json;
    const patch = item['patch'] as Json & { parameters: Json[]; responses: { response_code: { name: string; value: Json }[] } };
    assert.equal(ext(patch as Json, 'x-kubernetes-action'), 'patch');
    assert.deepEqual(ext(patch as Json, 'x-kubernetes-group-version-kind'), { group: 'apps', version: 'v1', kind: 'Deployment' });
    const body = patch.parameters.map((p) => (p['parameter'] as Json)['body_parameter'] as Json | undefined).find(Boolean);
    assert.equal((body?.['schema'] as PbSchema)._ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Patch');
    const query = patch.parameters
      .map((p) => ((p['parameter'] as Json)['non_body_parameter'] as Json | undefined)?.['query_parameter_sub_schema'] as Json | undefined)
      .filter(Boolean)
      .map((q) => q!['name']);
    assert.ok(query.includes('fieldManager'), String(query));
    assert.deepEqual(patch.responses.response_code.map((r) => r.name), ['200', '201', '401']);
    const pathParams = (item['parameters'] as Json[]).map((p) => ((p['parameter'] as Json)['non_body_parameter'] as Json)['path_parameter_sub_schema'] as Json | undefined);
    assert.ok(pathParams.some((p) => p?.['name'] === 'namespace'));
  });
});
