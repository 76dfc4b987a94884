// The headers a proxied request carries to an aggregated API server (kube-aggregator's
// handler_proxy with transport.NewAuthProxyRoundTripper): the client's headers minus
// hop-by-hop ones, credentials and any identity headers the client made up, plus the
// authenticated user as X-Remote-User, one X-Remote-Group per group and
// X-Remote-Extra-<key> per extra value (key percent-encoded). The backend trusts them because
// the connection presents the front-proxy client certificate.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { UserInfo } from '../../api/user.js';

/** RFC 7230 hop-by-hop headers: they describe one connection, not the request. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade']);

function dropped(name: string): boolean {
  return (
    HOP_BY_HOP.has(name) ||
    name === 'host' ||
    name === 'authorization' ||
    name.startsWith('impersonate-') ||
    name === 'x-remote-user' ||
    name === 'x-remote-group' ||
    name === 'x-remote-uid' ||
    name.startsWith('x-remote-extra-')
  );
}

/** Go's url.PathEscape for an extra key in a header name. */
function escapeExtraKey(key: string): string {
  return encodeURIComponent(key).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export function proxyRequestHeaders(incoming: IncomingHttpHeaders, user: UserInfo, opts: { upgrade?: boolean } = {}): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || dropped(name)) continue;
    out[name] = value;
  }
  if (opts.upgrade) {
    // An upgrade keeps its Connection/Upgrade pair: the backend must see what is asked.
    if (incoming.connection) out['connection'] = incoming.connection;
    if (incoming.upgrade) out['upgrade'] = incoming.upgrade;
  }
  out['x-remote-user'] = user.username;
  if (user.groups.length) out['x-remote-group'] = [...user.groups];
  for (const [key, values] of Object.entries(user.extra ?? {})) {
    if (values.length) out[`x-remote-extra-${escapeExtraKey(key)}`] = [...values];
  }
  return out;
}

/** Response headers passed back to the client: everything but hop-by-hop ones. */
export function proxyResponseHeaders(incoming: IncomingHttpHeaders): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [name, value] of Object.entries(incoming)) {
    if (value === undefined || HOP_BY_HOP.has(name)) continue;
    out[name] = value;
  }
  return out;
}
