// The decisions of `kubectl proxy` (kubectl/pkg/proxy): which requests its filter lets through
// (path, method and Host regular expressions — the defaults keep exec/attach and other hosts
// out, which is what stops a web page from driving the cluster through the proxy: XSRF), how
// the --api-prefix maps a request path to the server's, and which headers never cross a proxy.

export const DEFAULT_HOST_ACCEPT_RE = '^localhost$,^127\\.0\\.0\\.1$,^\\[::1\\]$';
export const DEFAULT_PATH_ACCEPT_RE = '^.*';
export const DEFAULT_PATH_REJECT_RE = '^/api/.*/pods/.*/exec,^/api/.*/pods/.*/attach';
export const DEFAULT_METHOD_REJECT_RE = '^$';

/** A comma-separated list of regular expressions ('' is none); a bad one throws. */
export function makeRegexpArray(list: string): RegExp[] {
  if (list === '') return [];
  return list.split(',').map((re) => new RegExp(re));
}

const matchesAny = (s: string, res: RegExp[]): boolean => res.some((re) => re.test(s));

export interface FilterServer {
  acceptPaths: RegExp[];
  rejectPaths: RegExp[];
  acceptHosts: RegExp[];
  rejectMethods: RegExp[];
}

export function makeFilter(o: { acceptPaths: string; rejectPaths: string; acceptHosts: string; rejectMethods: string }): FilterServer {
  return {
    acceptPaths: makeRegexpArray(o.acceptPaths),
    rejectPaths: makeRegexpArray(o.rejectPaths),
    acceptHosts: makeRegexpArray(o.acceptHosts),
    rejectMethods: makeRegexpArray(o.rejectMethods),
  };
}

/** Rejections win; then both the path and the Host must be accepted. */
export function accepts(f: FilterServer, method: string, path: string, host: string): boolean {
  if (matchesAny(path, f.rejectPaths) || matchesAny(method, f.rejectMethods)) return false;
  return matchesAny(path, f.acceptPaths) && matchesAny(host, f.acceptHosts);
}

/** The host of a Host header (`localhost:8001` → `localhost`, `[::1]:8001` → `::1`), as Go's SplitHostPort. */
export function extractHost(header: string): string {
  const bracketed = /^\[([^\]]*)\]:(\d*)$/.exec(header);
  if (bracketed) return bracketed[1]!;
  const colon = header.lastIndexOf(':');
  if (colon >= 0 && header.indexOf(':') === colon) return header.slice(0, colon);
  return header;
}

export type Route = { kind: 'forward'; path: string } | { kind: 'redirect'; location: string } | { kind: 'not-found' };

/**
 * Where a request path goes under --api-prefix (Go's ServeMux on the prefix subtree, then the
 * prefix stripped unless it starts with /api, always leaving a leading slash).
 */
export function routeFor(apiPrefix: string, path: string): Route {
  if (!path.startsWith(apiPrefix)) {
    if (`${path}/` === apiPrefix) return { kind: 'redirect', location: apiPrefix };
    return { kind: 'not-found' };
  }
  if (apiPrefix.startsWith('/api')) return { kind: 'forward', path };
  const rest = path.slice(apiPrefix.length);
  return { kind: 'forward', path: rest.startsWith('/') ? rest : `/${rest}` };
}

/** `a/` + `/b` → `a/b` (httputil's singleJoiningSlash), for --append-server-path. */
export function joinPaths(a: string, b: string): string {
  const as = a.endsWith('/');
  const bs = b.startsWith('/');
  if (as && bs) return a + b.slice(1);
  if (!as && !bs) return `${a}/${b}`;
  return a + b;
}

/** Hop-by-hop headers (RFC 9110 §7.6.1) and those a Connection header names. */
export function hopByHop(connection: string | string[] | undefined): Set<string> {
  const set = new Set(['connection', 'proxy-connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);
  for (const v of Array.isArray(connection) ? connection : connection ? [connection] : []) {
    for (const token of v.split(',')) if (token.trim()) set.add(token.trim().toLowerCase());
  }
  return set;
}

/** Node's rawHeaders ([name, value, …]) → lower-case names; a repeated header keeps every value. */
export function headersFromRaw(raw: string[], drop: Set<string>): Record<string, string | string[]> {
  const all: Record<string, string[]> = {};
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase();
    if (!drop.has(name)) (all[name] ??= []).push(raw[i + 1]!);
  }
  return Object.fromEntries(Object.entries(all).map(([k, v]) => [k, v.length === 1 ? v[0]! : v]));
}
