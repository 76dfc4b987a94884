// What a request to metrics-server asks for (k8s' RequestInfoFactory, for this server's URL
// space): a resource request on metrics.k8s.io/v1beta1 nodes or pods (verb get, list or watch,
// namespace, name), a discovery document, or another non-resource path. Authorization asks
// the apiserver about exactly these attributes. Pure.
import { METRICS_GROUP, METRICS_VERSION } from './objects.js';

export type RequestInfo =
  | { resourceRequest: true; verb: string; resource: string; namespace?: string; name?: string }
  | { resourceRequest: false; verb: string; path: string };

const PREFIX = ['apis', METRICS_GROUP, METRICS_VERSION];

const METHOD_VERBS: Record<string, string> = { GET: 'get', HEAD: 'get', POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

/** True for Kubernetes' spelling of a true query boolean (anything but '', 0 and false). */
function queryTrue(v: string | null): boolean {
  return v !== null && !['', '0', 'false'].includes(v.toLowerCase());
}

function segments(pathname: string): string[] | undefined {
  try {
    return pathname.split('/').filter(Boolean).map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

export function requestInfo(method: string | undefined, url: URL): RequestInfo {
  const m = (method ?? 'GET').toUpperCase();
  const nonResource: RequestInfo = { resourceRequest: false, verb: (METHOD_VERBS[m] ?? m.toLowerCase()), path: url.pathname };
  const parts = segments(url.pathname);
  if (!parts || parts.length <= PREFIX.length || PREFIX.some((p, i) => parts[i] !== p)) return nonResource;
  let rest = parts.slice(PREFIX.length);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, ...extra] = rest;
  if (!resource || extra.length > 0) return { resourceRequest: true, verb: nonResource.verb, resource: resource ?? '', ...(namespace ? { namespace } : {}) };
  let verb = METHOD_VERBS[m] ?? m.toLowerCase();
  if (verb === 'get' && !name) verb = queryTrue(url.searchParams.get('watch')) ? 'watch' : 'list';
  else if (verb === 'delete' && !name) verb = 'deletecollection';
  return { resourceRequest: true, verb, resource, ...(namespace !== undefined ? { namespace } : {}), ...(name !== undefined ? { name } : {}) };
}
