// metrics-server's HTTPS port (--secure-port): the delegated authentication and authorization
// filters, then the metrics API, discovery, /metrics (Prometheus), and the health checks,
// which anyone may read (k8s' --authorization-always-allow-paths). /readyz fails until the
// storage can serve a rate (two scrapes), /livez and /healthz while scrapes are late, as
// upstream's metric-storage-ready and metric-collection-timely checks.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { errors } from '../api/status.js';
import type { DelegatingAuth } from '../client/component-base/delegating-auth.js';
import type { Authenticator } from './authn.js';
import { authorize } from './authz.js';
import { handleMetricsRequest, type MetricsSource } from './handlers.js';
import { requestInfo } from './request-info.js';

export interface MetricsApiServerOptions {
  bindAddress: string;
  port: number;
  cert: string;
  key: string;
  /** Every CA a client certificate may chain to (client CA + front-proxy CA); the authenticator tells them apart. */
  clientCAs: string[];
  authenticator: Authenticator;
  authorizer: DelegatingAuth;
  source: MetricsSource;
  registry: Registry;
  /** Health problems: undefined when fine. */
  ready: () => string | undefined;
  live: () => string | undefined;
  log: Logger;
}

const HEALTH = new Set(['/healthz', '/livez', '/readyz']);

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(code, { 'content-type': contentType, 'cache-control': 'no-cache, private' });
  res.end(text);
}

async function handle(o: MetricsApiServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'https://metrics-server');
  const path = url.pathname;
  if (HEALTH.has(path)) {
    const problem = path === '/readyz' ? o.ready() ?? o.live() : o.live();
    send(res, problem ? 500 : 200, problem ? `[-]${problem}\n${path.slice(1)} check failed` : 'ok', 'text/plain; charset=utf-8');
    return;
  }
  const authn = await o.authenticator.authenticate(req);
  if (!authn || 'error' in authn) {
    if (authn) o.log.debug({ reason: authn.error, path }, 'unable to authenticate the request');
    send(res, 401, errors.unauthorized().status);
    return;
  }
  const info = requestInfo(req.method, url);
  const denied = await authorize(o.authorizer, authn.user, info);
  if (denied) {
    send(res, 403, denied.status);
    return;
  }
  if (path === '/metrics' && !info.resourceRequest) {
    send(res, 200, await o.registry.metrics(), o.registry.contentType);
    return;
  }
  const answer = handleMetricsRequest(o.source, info, url, req.headers.accept);
  send(res, answer.code, answer.body, answer.contentType);
}

export async function startMetricsApiServer(o: MetricsApiServerOptions): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  // Client certificates are asked for, not required: token callers and health checks send none.
  const server = createServer({ cert: o.cert, key: o.key, ca: o.clientCAs.length ? o.clientCAs : undefined, requestCert: true, rejectUnauthorized: false }, (req, res) => {
    handle(o, req, res).catch((e: unknown) => {
      o.log.warn({ err: e, path: req.url }, 'request failed');
      if (!res.headersSent) send(res, 500, errors.internal((e as Error).message).status);
      else res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.bindAddress, () => resolve());
  });
  const addr = server.address();
  const port = typeof addr === 'object' && addr ? addr.port : o.port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
