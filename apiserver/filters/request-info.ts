// The first stage of the handler chain: what a request asks for, in the authorizer's terms
// (k8s' RequestInfoFactory, staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
// Unlike the router's parse (../handlers/request-info.ts) it does not need the resource to exist:
// authorization comes before routing, so a request for a resource nobody may see is 403, not
// 404 — as in Kubernetes.
import type { RequestAttributes } from '../auth/context.js';
import { queryBool } from '../registry/list-options.js';

const SPECIAL_VERBS = new Set(['proxy', 'watch']);
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);
/** Subresources of long-running requests (k8s' BasicLongRunningRequestCheck). */
const LONG_RUNNING_SUBRESOURCES = new Set(['attach', 'exec', 'proxy', 'log', 'portforward']);

function nonResource(method: string, path: string): RequestAttributes {
  return { verb: method.toLowerCase(), resourceRequest: false, path, namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
}

/** A path segment that may name an object (k8s' path.IsValidPathSegmentName). */
function validSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && !name.includes('/') && !name.includes('%');
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * The one `metadata.name=x` (or `==`) term of a field selector, if the selector requires an
 * exact name (k8s' RequiresExactMatch): kubectl's delete-wait and the kubelet's per-object
 * watches are then authorized on that name.
 */
function exactName(selector: string | undefined): string | undefined {
  if (!selector) return undefined;
  for (const term of selector.split(',')) {
    const m = /^\s*metadata\.name\s*==?\s*(.*?)\s*$/.exec(term);
    if (m && !term.includes('!=')) return m[1];
  }
  return undefined;
}

export function requestAttributes(method: string, url: string): RequestAttributes {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
  let parts = path.split('/').filter((p) => p !== '').map(decode);
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource(method, path);
  let apiGroup = '';
  parts = parts.slice(1);
  if (url.startsWith('/apis')) {
    if (parts.length < 3) return nonResource(method, path);
    apiGroup = parts[0]!;
    parts = parts.slice(1);
  }
  const apiVersion = parts[0]!;
  parts = parts.slice(1);
  let verb: string;
  if (SPECIAL_VERBS.has(parts[0]!)) {
    if (parts.length < 2) return nonResource(method, path);
    verb = parts[0]!;
    parts = parts.slice(1);
  } else {
    verb = ({ POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' } as Record<string, string>)[method] ?? '';
  }
  let namespace = '';
  if (parts[0] === 'namespaces') {
    if (parts.length > 1) {
      namespace = parts[1]!;
      if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
    }
  }
  const resource = parts[0] ?? '';
  let name = parts.length >= 2 ? parts[1]! : '';
  const subresource = parts.length >= 3 && verb !== 'proxy' ? parts[2]! : '';
  if (!name && verb === 'get') {
    verb = queryBool(query.getAll('watch')) ? 'watch' : 'list';
    const n = exactName(query.get('fieldSelector') ?? undefined);
    if (n !== undefined && validSegmentName(n)) name = n;
  }
  if (!name && verb === 'delete') verb = 'deletecollection';
  return { verb, resourceRequest: true, path, namespace, apiGroup, apiVersion, resource, subresource, name };
}

/** Watches, proxies, logs, exec/attach/port-forward: no in-flight slot, a ResponseStarted audit stage. */
export function isLongRunning(a: RequestAttributes): boolean {
  return a.resourceRequest && (a.verb === 'watch' || a.verb === 'proxy' || LONG_RUNNING_SUBRESOURCES.has(a.subresource));
}
