// The dashboard's own endpoints (everything but the proxy, the watch stream, exec and the
// static files): login with a token, the one-time login link, who am I, logout, health and
// metrics.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { StatusError, errors } from '../../api/status.js';
import type { Apiserver } from './apiserver.js';
import { readJsonBody } from './body.js';
import { whoAmI, type LoginOnceLinks } from './login.js';
import { authorizeMetrics, type DashboardMetrics } from './metrics.js';
import { SECURITY_HEADERS, sendJson, sendStatus } from './reply.js';
import { clearedCookie, sessionCookie, sessionId, type SessionStore } from './sessions.js';

export interface RouteContext {
  api: Apiserver;
  sessions: SessionStore;
  links: LoginOnceLinks;
  metrics: DashboardMetrics;
  log: Logger;
}

/** POST /api/login {token}: 200 {user} and the session cookie, or the Status (401 for a bad token). */
export async function login(c: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readJsonBody(req);
  if (body instanceof StatusError) return sendStatus(res, body);
  const token = (body as { token?: unknown } | null)?.token;
  if (typeof token !== 'string') return sendStatus(res, errors.badRequest('the body must be {"token": "<bearer token>"}'));
  try {
    const user = await whoAmI(c.api, token.trim());
    const s = c.sessions.create(token.trim(), user);
    c.metrics.logins.inc({ result: 'ok' });
    c.log.info({ user: user.username }, 'login');
    sendJson(res, 200, { user: { username: user.username, groups: user.groups } }, { 'set-cookie': sessionCookie(s.id) });
  } catch (e) {
    const err = e instanceof StatusError ? e : errors.internal(String(e));
    c.metrics.logins.inc({ result: err.code === 401 ? 'unauthorized' : 'error' });
    sendStatus(res, err);
  }
}

function page(res: ServerResponse, code: number, title: string, text: string): void {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p><p><a href="/">Log in with a token</a></p></body></html>\n`;
  res.writeHead(code, { ...SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" });
  res.end(html);
}

/** GET /login?once=<nonce>: the one-time link; the session cookie and a redirect to the app. */
export async function loginOnce(c: RouteContext, query: URLSearchParams, res: ServerResponse): Promise<void> {
  const nonce = query.get('once') ?? '';
  const token = await c.links.claim(nonce);
  if (token === undefined) {
    c.metrics.logins.inc({ result: 'unauthorized' });
    return page(res, 401, 'Login link not valid', 'This login link was already used or is not valid. Run scripts/up again for a new one, or log in with a token.');
  }
  try {
    const user = await whoAmI(c.api, token);
    await c.links.release(nonce, true);
    const s = c.sessions.create(token, user);
    c.metrics.logins.inc({ result: 'ok' });
    c.log.info({ user: user.username }, 'login with the one-time link');
    res.writeHead(302, { ...SECURITY_HEADERS, location: '/', 'set-cookie': sessionCookie(s.id) });
    res.end();
  } catch (e) {
    const err = e instanceof StatusError ? e : errors.internal(String(e));
    // A token the apiserver rejects makes the link useless; an apiserver outage does not.
    await c.links.release(nonce, err.code === 401);
    c.metrics.logins.inc({ result: err.code === 401 ? 'unauthorized' : 'error' });
    page(res, err.code === 401 ? 401 : 503, 'Login failed', err.message.replace(/[<>&]/g, ''));
  }
}

export function me(c: RouteContext, req: IncomingMessage, res: ServerResponse): void {
  const s = c.sessions.fromRequest(req);
  if (!s) return sendStatus(res, errors.unauthorized());
  sendJson(res, 200, { user: { username: s.user.username, groups: s.user.groups } });
}

export function logout(c: RouteContext, req: IncomingMessage, res: ServerResponse): void {
  c.sessions.delete(sessionId(req));
  sendJson(res, 200, {}, { 'set-cookie': clearedCookie() });
}

/** GET /metrics: for a session (or a bearer token) allowed `get /metrics` by the apiserver. */
export async function metrics(c: RouteContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const s = c.sessions.fromRequest(req);
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
  const refusal = await authorizeMetrics(c.api, s?.token ?? bearer, s?.user.username);
  if (refusal) return sendStatus(res, refusal);
  const text = await c.metrics.registry.metrics();
  res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': c.metrics.registry.contentType });
  res.end(text);
}
