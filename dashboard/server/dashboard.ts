// The dashboard daemon's HTTP server: routes each request to the static app, its own endpoints
// (routes.ts), the API proxy (proxy.ts), the watch stream (watch.ts) or the exec bridge
// (exec.ts, a WebSocket upgrade). Every failure is answered with a Status; only an
// unreachable apiserver gives a 5xx (503).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from 'pino';
import { errors } from '../../api/status.js';
import { Apiserver, type ApiserverTarget } from './apiserver.js';
import { LoginOnceLinks } from './login.js';
import { newDashboardMetrics, type DashboardMetrics } from './metrics.js';
import { PROXY_PREFIX, hasCsrfHeader, needsCsrfHeader, proxyToApiserver } from './proxy.js';
import { sendStatus, toStatusError } from './reply.js';
import { login, loginOnce, logout, me, metrics, type RouteContext } from './routes.js';
import { SessionStore } from './sessions.js';
import { parseWatchRequest } from './sse.js';
import { serveStatic } from './static.js';
import { serveWatch } from './watch.js';

export const USER_AGENT = 'tskube-dashboard/v0.1.0';

export interface DashboardOptions {
  apiserver: ApiserverTarget;
  host: string;
  /** 0: a random port. */
  port: number;
  /** dist/dashboard/public */
  staticDir: string;
  loginOnceFile?: string;
  log: Logger;
  /** SSE heartbeat period (default 15 s). */
  heartbeatMs?: number;
  sessionIdleMs?: number;
  /** Waits between watch attempts while the apiserver is away. */
  watchBackoff?: { initialMs: number; maxMs: number };
  /** The WebSocket endpoints (exec.ts); without it every upgrade is a 404. */
  upgrades?: UpgradeHandler;
}

/** Serves HTTP upgrades (the exec WebSocket) and closes what it holds on stop. */
export interface UpgradeHandler {
  upgrade(ctx: DashboardContext, req: IncomingMessage, socket: Socket, head: Buffer): void;
  closeAll(): void;
}

export interface DashboardContext extends RouteContext {
  metrics: DashboardMetrics;
}

export interface Dashboard {
  server: Server;
  port: number;
  url: string;
  context: DashboardContext;
  stop(): Promise<void>;
}

/** The label of a request path in metrics (bounded: never the raw path). */
function routeLabel(path: string): string {
  if (path.startsWith(PROXY_PREFIX + '/')) return 'proxy';
  if (path.startsWith('/assets/')) return 'assets';
  return ['/', '/index.html', '/healthz', '/livez', '/readyz', '/metrics', '/login', '/api/login', '/api/logout', '/api/me', '/api/watch', '/api/exec'].includes(path) ? path : 'other';
}

async function route(o: DashboardOptions, c: DashboardContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://dashboard.invalid');
  const path = url.pathname;
  const method = req.method ?? 'GET';
  const readOnly = method === 'GET' || method === 'HEAD';
  if (path === '/healthz' || path === '/livez' || path === '/readyz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('ok');
  }
  if (path === '/metrics' && readOnly) return metrics(c, req, res);
  if (path === '/login' && readOnly) return loginOnce(c, url.searchParams, res);
  if (path === '/api/login' && method === 'POST') return login(c, req, res);
  if (path === '/api/me' && readOnly) return me(c, req, res);
  if (path === '/api/logout' && method === 'POST') return logout(c, req, res);
  if ((req.url ?? '').startsWith(PROXY_PREFIX + '/')) {
    const s = c.sessions.fromRequest(req);
    if (!s) return sendStatus(res, errors.unauthorized());
    if (needsCsrfHeader(method) && !hasCsrfHeader(req)) {
      return sendStatus(res, errors.forbidden({ group: '', resource: '' }, '', 'non-GET requests through the dashboard must carry the X-Tskube-Dashboard: 1 header'));
    }
    return proxyToApiserver(req, res, c.api, s, c.log);
  }
  if (path === '/api/watch' && method === 'GET') {
    const s = c.sessions.fromRequest(req);
    if (!s) return sendStatus(res, errors.unauthorized());
    const lastId = req.headers['last-event-id'];
    const w = parseWatchRequest(url.searchParams, typeof lastId === 'string' ? lastId : undefined);
    if (!('path' in w)) return sendStatus(res, w);
    return serveWatch(res, c.api, s, w, c.log, {
      heartbeatMs: o.heartbeatMs ?? 15_000,
      ...(o.watchBackoff ? { backoff: o.watchBackoff } : {}),
      onOpen: () => c.metrics.watches.inc(),
      onClose: () => c.metrics.watches.dec(),
    });
  }
  if (readOnly && (path === '/' || path === '/index.html' || path.startsWith('/assets/'))) return serveStatic(res, o.staticDir, path, method === 'HEAD');
  if (['/metrics', '/login', '/api/login', '/api/me', '/api/logout', '/api/watch'].includes(path)) {
    return sendStatus(res, errors.methodNotAllowed(`the server does not allow this method on the requested resource`));
  }
  sendStatus(res, errors.notFound({ group: '', resource: '' }, path));
}

export async function startDashboard(o: DashboardOptions): Promise<Dashboard> {
  const api = new Apiserver(o.apiserver, USER_AGENT);
  const sessions = new SessionStore({ ...(o.sessionIdleMs ? { idleMs: o.sessionIdleMs } : {}) });
  const context: DashboardContext = { api, sessions, links: new LoginOnceLinks(o.loginOnceFile), metrics: newDashboardMetrics(() => sessions.size), log: o.log };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]!;
    res.once('finish', () => context.metrics.requests.inc({ route: routeLabel(path), code: String(res.statusCode) }));
    route(o, context, req, res).catch((e: unknown) => {
      o.log.warn({ err: e, url: req.url }, 'request failed');
      if (!res.headersSent) sendStatus(res, toStatusError(e));
      else res.destroy();
    });
  });
  server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    if (o.upgrades) return o.upgrades.upgrade(context, req, socket, head);
    socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
  });
  server.on('clientError', (_e, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  // Watches and log follows are long: no whole-request timeout.
  server.requestTimeout = 0;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  const sweep = setInterval(() => sessions.sweep(), 60_000);
  sweep.unref();
  o.log.info({ host: o.host, port, apiserver: o.apiserver.server }, 'dashboard listening');
  return {
    server,
    port,
    url: `http://${o.host.includes(':') ? `[${o.host}]` : o.host}:${port}`,
    context,
    async stop() {
      clearInterval(sweep);
      o.upgrades?.closeAll();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await api.close();
    },
  };
}

