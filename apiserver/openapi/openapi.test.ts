import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RESOURCES, groupVersions, apiVersionOf } from '../../api/resources.js';
import { openapiV3Index, openapiV3Document, openapiV2 } from './openapi.js';

type Json = Record<string, unknown>;
interface Op {
  parameters?: { name: string; in: string }[];
  'x-kubernetes-group-version-kind'?: { group: string; version: string; kind: string };
  'x-kubernetes-action'?: string;
  requestBody?: Json;
}
interface V3Doc {
  openapi: string;
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, Json & { properties?: Json; description?: string }> };
}

const gvPathOf = (group: string, version: string): string => (group === '' ? `api/${version}` : `apis/${group}/${version}`);

function refs(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) value.forEach((v) => refs(v, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refs(v, out);
    }
  }
  return out;
}

describe('/openapi/v3', () => {
  test('the index lists every group-version with a hashed serverRelativeURL', () => {
    const index = openapiV3Index() as { paths: Record<string, { serverRelativeURL: string }> };
    for (const { group, version } of groupVersions()) {
      const p = gvPathOf(group, version);
      assert.match(index.paths[p]?.serverRelativeURL ?? '', new RegExp(`^/openapi/v3/${p}\\?hash=[0-9A-F]{128}$`));
    }
  });

  test('documents are served by gv path, with or without a leading slash; unknown ones are undefined', () => {
    assert.equal((openapiV3Document('api/v1') as V3Doc).openapi, '3.0.0');
    assert.equal(openapiV3Document('/apis/apps/v1'), openapiV3Document('apis/apps/v1'));
    assert.equal(openapiV3Document('apis/nope/v1'), undefined);
  });

  test('every resource item path has a PATCH with fieldValidation and its GVK; every GVK-matching PATCH has it', () => {
    for (const info of RESOURCES) {
      const doc = openapiV3Document(gvPathOf(info.group, info.version)) as V3Doc;
      const prefix = info.group === '' ? `/api/${info.version}` : `/apis/${info.group}/${info.version}`;
      const collection = `${prefix}${info.namespaced ? '/namespaces/{namespace}' : ''}/${info.resource}`;
      if (info.virtual) {
        // A review has only its create (POST) operation.
        assert.deepEqual(Object.keys(doc.paths[collection] ?? {}).filter((k) => k !== 'parameters'), ['post'], collection);
        continue;
      }
      const item = `${collection}/{name}`;
      const patch = doc.paths[item]?.['patch'];
      assert.ok(patch, item);
      assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: info.group, version: info.version, kind: info.kind });
      assert.equal(patch['x-kubernetes-action'], 'patch');
      // kubectl looks at the first PATCH operation whose GVK matches, in map order: all must agree.
      for (const [path, ops] of Object.entries(doc.paths)) {
        const op = ops['patch'];
        if (op?.['x-kubernetes-group-version-kind']?.kind !== info.kind) continue;
        assert.ok(op.parameters?.some((p) => p.name === 'fieldValidation' && p.in === 'query'), path);
      }
    }
  });

  test('components.schemas hold each kind with properties, descriptions and its GVK, and every $ref resolves', () => {
    for (const { group, version } of groupVersions()) {
      const doc = openapiV3Document(gvPathOf(group, version)) as V3Doc;
      for (const ref of refs(doc)) {
        assert.ok(ref.startsWith('#/components/schemas/'), ref);
        assert.ok(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref);
      }
      for (const info of RESOURCES.filter((r) => r.group === group && r.version === version)) {
        const schema = Object.values(doc.components.schemas).find((s) =>
          (s['x-kubernetes-group-version-kind'] as { kind: string; version: string; group: string }[] | undefined)?.some(
            (g) => g.kind === info.kind && g.group === info.group && g.version === info.version,
          ),
        );
        assert.ok(schema?.properties?.['spec'] ?? schema?.properties?.['metadata'], `${apiVersionOf(info)} ${info.kind}`);
        assert.ok(schema?.description, info.kind);
      }
    }
    const core = openapiV3Document('api/v1') as V3Doc;
    const podSpec = core.components.schemas['io.k8s.api.core.v1.PodSpec'];
    const containers = podSpec?.properties?.['containers'] as { description?: string; items?: Json };
    assert.ok(containers.description);
    assert.deepEqual(containers.items, { $ref: '#/components/schemas/io.k8s.api.core.v1.Container' });
    // A $ref with a description next to it is wrapped in allOf in v3.
    const spec = core.components.schemas['io.k8s.api.core.v1.Pod']?.properties?.['spec'] as { allOf?: unknown[]; description?: string };
    assert.deepEqual(spec.allOf, [{ $ref: '#/components/schemas/io.k8s.api.core.v1.PodSpec' }]);
    assert.ok(spec.description);
  });

  test('subresources: pods/eviction is a POST of policy/v1 Eviction, deployments/scale a PATCH of autoscaling/v1 Scale', () => {
    const core = openapiV3Document('api/v1') as V3Doc;
    const eviction = core.paths['/api/v1/namespaces/{namespace}/pods/{name}/eviction']?.['post'];
    assert.deepEqual(eviction?.['x-kubernetes-group-version-kind'], { group: 'policy', version: 'v1', kind: 'Eviction' });
    const apps = openapiV3Document('apis/apps/v1') as V3Doc;
    const scale = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale']?.['patch'];
    assert.deepEqual(scale?.['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
    assert.ok(apps.components.schemas['io.k8s.api.autoscaling.v1.Scale']);
  });
});

describe('/openapi/v2', () => {
  test('one swagger 2.0 document with all paths and resolvable definitions', () => {
    const doc = openapiV2() as { swagger: string; paths: Record<string, Record<string, Op>>; definitions: Record<string, unknown> };
    assert.equal(doc.swagger, '2.0');
    for (const info of RESOURCES) assert.ok(Object.keys(doc.paths).some((p) => p.endsWith(info.virtual ? `/${info.resource}` : `/${info.resource}/{name}`)), info.resource);
    for (const ref of refs(doc)) assert.ok(doc.definitions[ref.slice('#/definitions/'.length)], ref);
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.['patch'];
    assert.ok(patch?.parameters?.some((p) => p.name === 'fieldValidation'));
    assert.ok(patch?.parameters?.some((p) => p.name === 'body' && p.in === 'body'));
  });
});
