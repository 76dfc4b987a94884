// The API proxy: `/api/k8s/<path>` is the apiserver's `/<path>`, sent as the session's user and
// nobody else. Of the browser's request only the method, path, query, body, Content-Type and
// Accept go on; every other header (Authorization, Cookie, Impersonate-*, X-Remote-*, …) is
// dropped, so nothing a page does can make the dashboard speak as someone else. The
// apiserver's answer comes back unchanged and streamed (watches, `follow=true` logs).
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Logger } from 'pino';
import { errors, type StatusError } from '../../api/status.js';
import type { Apiserver, UpstreamResponse } from './apiserver.js';
import { apiserverUnavailable, sendStatus } from './reply.js';
import type { Session } from './sessions.js';

export const PROXY_PREFIX = '/api/k8s';
/** The CSRF guard: a header a cross-site form or <img> cannot send (a fetch() with it needs CORS, which is never granted). */
export const CSRF_HEADER = 'x-tskube-dashboard';

/** The apiserver path (with query) a proxy URL names, or the Status to answer. */
export function upstreamPath(url: string): string | StatusError {
  if (!url.startsWith(PROXY_PREFIX + '/')) return errors.notFound({ group: '', resource: '' }, url);
  const rest = url.slice(PROXY_PREFIX.length);
  const q = rest.indexOf('?');
  const path = q < 0 ? rest : rest.slice(0, q);
  for (const seg of path.split('/')) {
    let decoded = seg;
    try {
      decoded = decodeURIComponent(seg);
    } catch {
      return errors.badRequest(`invalid path escape in ${JSON.stringify(path)}`);
    }
    if (decoded === '.' || decoded === '..' || decoded.includes('/')) return errors.badRequest(`invalid path segment ${JSON.stringify(seg)}`);
  }
  return rest;
}

/** The only request headers that go to the apiserver (the token is added by Apiserver). */
export function forwardedHeaders(h: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  const ct = h['content-type'];
  const accept = h.accept;
  if (typeof ct === 'string' && ct) out['content-type'] = ct;
  if (typeof accept === 'string' && accept) out.accept = accept;
  return out;
}

const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);

/** The apiserver's response headers minus hop-by-hop ones and anything that would act on the dashboard's origin. */
export function responseHeaders(h: UpstreamResponse['headers']): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(h)) {
    const name = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(name) || name === 'set-cookie' || name === 'www-authenticate') continue;
    out[name] = v;
  }
  return out;
}

/**
 * On every relayed answer: a pod's HTML reached through services/proxy or pods/proxy must not
 * run as the dashboard's origin (it could then call this proxy as the user), so the answer is
 * sandboxed and never sniffed. The SPA's fetch() of the JSON is not affected.
 */
export const PROXIED_RESPONSE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': "sandbox; default-src 'none'",
  'x-content-type-options': 'nosniff',
};

/** GET and HEAD change nothing; everything else must carry the CSRF header. */
export function needsCsrfHeader(method: string): boolean {
  return method !== 'GET' && method !== 'HEAD';
}

export function hasCsrfHeader(req: IncomingMessage): boolean {
  return req.headers[CSRF_HEADER] === '1';
}

function hasBody(req: IncomingMessage): boolean {
  return Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding'] !== undefined;
}

export async function proxyToApiserver(req: IncomingMessage, res: ServerResponse, api: Apiserver, session: Session, log: Logger): Promise<void> {
  const path = upstreamPath(req.url ?? '/');
  if (typeof path !== 'string') return sendStatus(res, path);
  const method = req.method ?? 'GET';
  const abort = new AbortController();
  res.once('close', () => abort.abort());
  let upstream: UpstreamResponse;
  try {
    upstream = await api.request({
      method,
      path,
      token: session.token,
      headers: forwardedHeaders(req.headers),
      ...(hasBody(req) ? { body: req } : {}),
      signal: abort.signal,
      streaming: true,
    });
  } catch (e) {
    if (abort.signal.aborted) return;
    log.warn({ err: e, method, path }, 'apiserver unreachable');
    return sendStatus(res, apiserverUnavailable(e));
  }
  res.writeHead(upstream.statusCode, { ...responseHeaders(upstream.headers), ...PROXIED_RESPONSE_HEADERS });
  // Watches and log follows: each chunk goes out as it comes.
  res.flushHeaders();
  try {
    await pipeline(upstream.body, res);
  } catch (e) {
    // The browser went away, or the apiserver dropped the stream: nothing left to answer.
    if (!abort.signal.aborted) log.debug({ err: e, path }, 'proxied stream ended early');
    res.destroy();
  }
}
