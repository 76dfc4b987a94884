// API discovery, built from the resource table: the legacy documents (/api, /apis,
// /api/v1, /apis/<g>/<v>) and the aggregated APIGroupDiscoveryList kubectl asks for first. Every
// function takes the resources to describe: the static table, or it plus the served custom ones.
import { RESOURCES, ALL_VERBS, apiVersionOf, groupVersions, type ResourceInfo, type Subresource } from '../../api/resources.js';

export const AGGREGATED_DISCOVERY_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_DISCOVERY_V2BETA1_CONTENT_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

/** The Content-Type to answer an aggregated discovery request of `version` with. */
export function aggregatedDiscoveryContentType(version: 'v2' | 'v2beta1'): string {
  return version === 'v2' ? AGGREGATED_DISCOVERY_CONTENT_TYPE : AGGREGATED_DISCOVERY_V2BETA1_CONTENT_TYPE;
}

interface MediaRange {
  type: string;
  params: Map<string, string>;
  q: number;
}

function parseAccept(accept: string): MediaRange[] {
  return accept
    .split(',')
    .map((part) => {
      const [type = '', ...rest] = part.split(';').map((s) => s.trim());
      const params = new Map<string, string>();
      for (const p of rest) {
        const eq = p.indexOf('=');
        if (eq > 0) params.set(p.slice(0, eq).trim().toLowerCase(), p.slice(eq + 1).trim());
      }
      const q = params.has('q') ? Number(params.get('q')) : 1;
      return { type: type.toLowerCase(), params, q: Number.isFinite(q) ? q : 0 };
    })
    .filter((m) => m.type !== '' && m.q > 0);
}

/**
 * Which aggregated discovery format the Accept header prefers, if any: the first acceptable
 * media range (by q, then order) decides, as in the apiserver's content negotiation.
 */
export function wantsAggregatedDiscovery(accept: string | undefined): 'v2' | 'v2beta1' | undefined {
  if (!accept) return undefined;
  const ranges = parseAccept(accept)
    .map((m, i) => ({ m, i }))
    .sort((a, b) => b.m.q - a.m.q || a.i - b.i)
    .map(({ m }) => m);
  for (const m of ranges) {
    if (m.type === 'application/json' && m.params.get('g') === 'apidiscovery.k8s.io' && m.params.get('as') === 'APIGroupDiscoveryList') {
      const v = m.params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
      continue; // a version we do not serve: try the next range
    }
    if (m.type === 'application/json' && (m.params.has('as') || m.params.has('g'))) continue;
    if (m.type === 'application/json' || m.type === '*/*' || m.type === 'application/*') return undefined;
  }
  return undefined;
}

interface SubresourceSpec {
  verbs: string[];
  /** The kind the subresource takes and returns; undefined means the parent's kind. */
  kind?: { group: string; version: string; kind: string };
}

const CONNECT_VERBS = ['create', 'get'];

/** What each subresource accepts and returns, as the Kubernetes registry declares it. */
function subresourceSpec(info: ResourceInfo, sub: Subresource): SubresourceSpec {
  const own = { group: info.group, version: info.version, kind: info.kind };
  switch (sub) {
    case 'status':
    case 'ephemeralcontainers':
      return { verbs: ['get', 'patch', 'update'], kind: own };
    case 'scale':
      return { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } };
    case 'binding':
      return { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } };
    case 'eviction':
      return { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } };
    case 'log':
      return { verbs: ['get'], kind: own };
    case 'exec':
      return { verbs: CONNECT_VERBS, kind: { group: '', version: 'v1', kind: 'PodExecOptions' } };
    case 'attach':
      return { verbs: CONNECT_VERBS, kind: { group: '', version: 'v1', kind: 'PodAttachOptions' } };
    case 'portforward':
      return { verbs: CONNECT_VERBS, kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } };
    case 'proxy':
      return {
        verbs: ['create', 'delete', 'get', 'patch', 'update'],
        kind: { group: '', version: 'v1', kind: `${info.kind}ProxyOptions` },
      };
    case 'finalize':
      return { verbs: ['update'], kind: own };
    case 'token':
      return { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } };
  }
}

export function subresourceKind(info: ResourceInfo, sub: Subresource): { group: string; version: string; kind: string } {
  return subresourceSpec(info, sub).kind ?? { group: info.group, version: info.version, kind: info.kind };
}

export function subresourceVerbs(info: ResourceInfo, sub: Subresource): string[] {
  return subresourceSpec(info, sub).verbs;
}

export function verbsOf(info: ResourceInfo): string[] {
  return info.verbs ?? ALL_VERBS;
}

type Resources = readonly ResourceInfo[];

function resourcesIn(group: string, version: string, resources: Resources): ResourceInfo[] {
  return resources.filter((r) => r.group === group && r.version === version);
}

function groupNames(resources: Resources): string[] {
  const names: string[] = [];
  for (const gv of groupVersions(resources)) if (gv.group !== '' && !names.includes(gv.group)) names.push(gv.group);
  return names;
}

function versionsOf(group: string, resources: Resources): string[] {
  return groupVersions(resources)
    .filter((gv) => gv.group === group)
    .map((gv) => gv.version);
}

/** GET /api (kind APIVersions). */
export function coreAPIVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: versionsOf('', RESOURCES),
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

function groupDoc(group: string, resources: Resources): object {
  const versions = versionsOf(group, resources).map((version) => ({ groupVersion: `${group}/${version}`, version }));
  return { name: group, versions, preferredVersion: versions[0] };
}

/** GET /apis (kind APIGroupList). */
export function apiGroupList(resources: Resources = RESOURCES): object {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupNames(resources).map((g) => groupDoc(g, resources)) };
}

/** GET /apis/<group> (kind APIGroup), undefined for a group not served. */
export function apiGroup(group: string, resources: Resources = RESOURCES): object | undefined {
  if (group === '' || !groupNames(resources).includes(group)) return undefined;
  return { kind: 'APIGroup', apiVersion: 'v1', ...groupDoc(group, resources) };
}

/** GET /api/v1 or /apis/<group>/<version> (kind APIResourceList), including subresources. */
export function apiResourceList(group: string, version: string, served: Resources = RESOURCES): object | undefined {
  const infos = resourcesIn(group, version, served);
  if (infos.length === 0) return undefined;
  const resources: object[] = [];
  for (const info of infos) {
    resources.push({
      name: info.resource,
      singularName: info.singular,
      namespaced: info.namespaced,
      kind: info.kind,
      verbs: verbsOf(info),
      ...(info.shortNames.length ? { shortNames: info.shortNames } : {}),
      ...(info.categories.length ? { categories: info.categories } : {}),
    });
    for (const sub of info.subresources) {
      const kind = subresourceKind(info, sub);
      const foreign = kind.group !== info.group || kind.version !== info.version;
      resources.push({
        name: `${info.resource}/${sub}`,
        singularName: '',
        namespaced: info.namespaced,
        ...(foreign ? { group: kind.group, version: kind.version } : {}),
        kind: kind.kind,
        verbs: subresourceVerbs(info, sub),
      });
    }
  }
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources };
}

function discoveryResource(info: ResourceInfo): object {
  return {
    resource: info.resource,
    responseKind: { group: info.group, version: info.version, kind: info.kind },
    scope: info.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: info.singular,
    verbs: verbsOf(info),
    ...(info.shortNames.length ? { shortNames: info.shortNames } : {}),
    ...(info.categories.length ? { categories: info.categories } : {}),
    ...(info.subresources.length
      ? {
          subresources: info.subresources.map((sub) => ({
            subresource: sub,
            responseKind: subresourceKind(info, sub),
            verbs: subresourceVerbs(info, sub),
          })),
        }
      : {}),
  };
}

/** GET /api or /apis with the aggregated Accept (kind APIGroupDiscoveryList). */
export function aggregatedDiscovery(which: 'api' | 'apis', version: 'v2' | 'v2beta1', resources: Resources = RESOURCES): object {
  const groups = which === 'api' ? [''] : groupNames(resources);
  return {
    kind: 'APIGroupDiscoveryList',
    apiVersion: `apidiscovery.k8s.io/${version}`,
    metadata: {},
    items: groups.map((group) => ({
      metadata: group === '' ? { creationTimestamp: null } : { name: group, creationTimestamp: null },
      versions: versionsOf(group, resources).map((v) => ({
        version: v,
        resources: resourcesIn(group, v, resources).map(discoveryResource),
        freshness: 'Current',
      })),
    })),
  };
}

const KUBERNETES_MINOR = '32';

/** GET /version. kubectl's wrapper picks its own minor version from `minor`. */
export function versionInfo(): object {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return {
    major: '1',
    minor: KUBERNETES_MINOR,
    gitVersion: `v1.${KUBERNETES_MINOR}.0-tskube`,
    gitCommit: '',
    gitTreeState: 'clean',
    buildDate: '1970-01-01T00:00:00Z',
    goVersion: `node${process.versions.node}`,
    compiler: 'tsc',
    platform: `${process.platform}/${arch}`,
  };
}
