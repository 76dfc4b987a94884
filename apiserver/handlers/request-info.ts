// Parses a resource URL the way k8s' RequestInfoFactory does:
//   /api/v1[/watch]/namespaces/{ns}/{resource}[/{name}[/{subresource}[/{rest…}]]]
//   /apis/{group}/{version}/{resource}[/{name}[/{subresource}]]  (cluster scope, or all namespaces)
import { findResource, type ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';

export interface RequestInfo {
  info: ResourceInfo;
  namespace?: string;
  name?: string;
  subresource?: string;
  /** Path after the subresource (nodes/x/proxy/<rest>, pods/x/proxy/<rest>). */
  rest?: string;
  /** Legacy `/watch/` path prefix. */
  watchPath: boolean;
}

function decodeSegment(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw errors.badRequest(`invalid path segment: ${s}`);
  }
}

/** Finds the resource served at a group, version and resource name. */
export type ResourceLookup = (group: string, version: string, resource: string) => ResourceInfo | undefined;

const builtinLookup: ResourceLookup = (group, version, resource) => findResource(group, resource, version);

/**
 * Returns undefined for paths that are not resource paths (discovery, unknown group…).
 * `lookup` also knows the served custom resources (apiextensions' ResourceRegistry).
 */
export function parseRequestInfo(path: string, lookup: ResourceLookup = builtinLookup): RequestInfo | undefined {
  const parts = path.split('?')[0]!.split('/').filter((p) => p !== '').map(decodeSegment);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api' && parts.length >= 3) {
    if (parts[1] !== 'v1') return undefined;
    group = '';
    rest = parts.slice(2);
  } else if (parts[0] === 'apis' && parts.length >= 4) {
    group = parts[1]!;
    rest = parts.slice(3);
  } else {
    return undefined;
  }
  const version = parts[0] === 'api' ? parts[1]! : parts[2]!;
  let watchPath = false;
  if (rest[0] === 'watch') {
    watchPath = true;
    rest = rest.slice(1);
  }
  let namespace: string | undefined;
  // /namespaces/{ns}/{resource}/... addresses namespaced resources, but /namespaces/{name}
  // and /namespaces/{name}/{status|finalize} address the Namespace object itself.
  if (rest[0] === 'namespaces' && rest.length >= 3 && !(rest.length === 3 && (rest[2] === 'status' || rest[2] === 'finalize'))) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const resource = rest[0];
  if (!resource) return undefined;
  const info = lookup(group, version, resource);
  if (!info) return undefined;
  if (namespace !== undefined && !info.namespaced) return undefined;
  const ri: RequestInfo = { info, watchPath };
  if (namespace !== undefined) ri.namespace = namespace;
  if (rest[1] !== undefined) ri.name = rest[1];
  if (rest[2] !== undefined) ri.subresource = rest[2];
  if (rest.length > 3) ri.rest = rest.slice(3).join('/');
  return ri;
}
