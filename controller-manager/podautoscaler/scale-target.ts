// The HPA's scale target: scaleTargetRef (apiVersion, kind, name) → the resources that may serve
// that kind (Kubernetes' RESTMapper.RESTMappings for the group and kind, every version), and the
// autoscaling/v1 Scale read and written through their `scale` subresource (client-go's scale
// client). Built-in kinds come from api/resources.ts; any other kind — a CustomResource with a
// scale subresource — is looked up in the apiserver's discovery, so CRs scale the same way.
import type { Scale } from 'kubernetes-types/autoscaling/v1';
import type { APIGroup, APIResourceList } from 'kubernetes-types/meta/v1';
import type { RestClient } from '../../client/index.js';
import { RESOURCES, splitApiVersion } from '../../api/resources.js';

export interface ScaleMapping {
  group: string;
  version: string;
  /** Plural resource name (`deployments`). */
  resource: string;
  namespaced: boolean;
}

/** `deployments.apps` / `replicationcontrollers`: a group-resource as Kubernetes prints one. */
export function groupResource(m: Pick<ScaleMapping, 'group' | 'resource'>): string {
  return m.group ? `${m.resource}.${m.group}` : m.resource;
}

function apiRoot(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** The path of a mapping's scale subresource for one object. */
export function scalePath(m: ScaleMapping, namespace: string, name: string): string {
  const ns = m.namespaced ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${apiRoot(m.group, m.version)}${ns}/${m.resource}/${encodeURIComponent(name)}/scale`;
}

/** Mappings of a kind from discovery: the requested version first, then the group's others (preferred first). */
async function discoverMappings(client: RestClient, group: string, version: string, kind: string): Promise<ScaleMapping[]> {
  const versions = [version];
  if (group) {
    const g = await client.getPath<APIGroup>(`/apis/${group}`).catch(() => undefined);
    const preferred = g?.preferredVersion?.version;
    for (const v of [preferred, ...(g?.versions ?? []).map((x) => x.version)]) if (v && !versions.includes(v)) versions.push(v);
  }
  const out: ScaleMapping[] = [];
  for (const v of versions) {
    const list = await client.getPath<APIResourceList>(apiRoot(group, v)).catch(() => undefined);
    const r = list?.resources.find((x) => x.kind === kind && !x.name.includes('/'));
    if (r) out.push({ group, version: v, resource: r.name, namespaced: r.namespaced });
  }
  return out;
}

/**
 * RESTMappings for the group and kind of a scaleTargetRef. The version in apiVersion only
 * orders the candidates, as in Kubernetes, where `apps/v1beta1` Deployment still finds
 * deployments.apps.
 */
export async function scaleMappings(client: RestClient, apiVersion: string, kind: string): Promise<ScaleMapping[]> {
  const { group, version } = splitApiVersion(apiVersion);
  const builtin = RESOURCES.filter((r) => r.group === group && r.kind === kind && !r.virtual);
  if (builtin.length > 0) return builtin.map((r) => ({ group: r.group, version: r.version, resource: r.resource, namespaced: r.namespaced }));
  const found = await discoverMappings(client, group, version, kind);
  if (found.length === 0) throw new Error(`no matches for kind "${kind}" in group "${group}"`);
  return found;
}

/**
 * scaleForResourceMappings: the Scale from the first mapping that answers; if none does, the
 * first mapping's error.
 */
export async function getScale(client: RestClient, mappings: readonly ScaleMapping[], namespace: string, name: string): Promise<{ scale: Scale; mapping: ScaleMapping }> {
  let first: unknown;
  for (const m of mappings) {
    try {
      return { scale: await client.json<Scale>({ method: 'GET', path: scalePath(m, namespace, name) }), mapping: m };
    } catch (e) {
      first ??= e;
    }
  }
  throw first ?? new Error('unrecognized resource');
}

/** PUTs the Scale back with a new spec.replicas (its resourceVersion guards against a concurrent change). */
export async function updateScale(client: RestClient, mapping: ScaleMapping, namespace: string, name: string, scale: Scale, replicas: number): Promise<Scale> {
  const body: Scale = { ...scale, apiVersion: 'autoscaling/v1', kind: 'Scale', spec: { ...scale.spec, replicas } };
  return client.json<Scale>({ method: 'PUT', path: scalePath(mapping, namespace, name), body });
}
