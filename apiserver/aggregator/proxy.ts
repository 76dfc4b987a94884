// The proxy to aggregated API servers (kube-aggregator's proxyHandler): a request under
// /apis/<group>/<version> of an APIService with a Service — already authenticated, audited
// and authorized by the handler chain — goes to the backend with the user in X-Remote-*
// headers over the front-proxy client certificate. Responses stream back as they come
// (watches), status and body untouched; upgrade requests (exec-style streams) are spliced.
// A backend that is unavailable, unresolvable or unreachable is a 503 ServiceUnavailable
// Status for that group only.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { availableCondition, type APIService } from '../../api/apiregistration.js';
import { StatusError } from '../../api/status.js';
import { takeUpgrade, upgradeKind } from '../streaming/upgrade.js';
import { proxyRequestHeaders, proxyResponseHeaders } from './headers.js';
import { isFailure, type ResolveFailure, type Target } from './resolver.js';
import type { ProxyTransport } from './transport.js';

export interface ProxyDeps {
  transport: ProxyTransport;
  resolve(svc: APIService): Target | ResolveFailure;
  /** A backend failed to answer: re-check its availability now. */
  onBackendError(svc: APIService): void;
}

function unavailable(svc: APIService, detail?: string): StatusError {
  const message = detail ?? 'the server is currently unable to handle the request';
  return new StatusError(503, 'ServiceUnavailable', message, { group: svc.spec.group ?? '' });
}

export function proxyRequest(deps: ProxyDeps, svc: APIService, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  if (availableCondition(svc)?.status === 'False') throw unavailable(svc);
  const target = deps.resolve(svc);
  if (isFailure(target)) throw unavailable(svc);
  const user = req.k8s.user;
  if (!user) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  if (upgradeKind(req)) return proxyUpgrade(deps, svc, target, req, reply);
  const headers = proxyRequestHeaders(req.headers, user);
  const body = Buffer.isBuffer(req.body) ? req.body : undefined;
  if (body) headers['content-length'] = String(body.length);
  return new Promise((resolve, reject) => {
    const upstream = deps.transport.request(svc, target, req.method, req.url, headers, (res: IncomingMessage) => {
      reply.code(res.statusCode ?? 502).headers(proxyResponseHeaders(res.headers));
      // A watch ends when either side goes away.
      reply.raw.once('close', () => res.destroy());
      resolve(reply.send(res));
    });
    upstream.on('error', (e) => {
      deps.onBackendError(svc);
      if (reply.sent) return;
      reject(unavailable(svc, `error trying to reach service: ${e.message}`));
    });
    reply.raw.once('close', () => upstream.destroy());
    upstream.end(body);
  });
}

/** Splices an upgrade (WebSocket/SPDY) through: the backend's 101 and then raw bytes both ways. */
async function proxyUpgrade(deps: ProxyDeps, svc: APIService, target: Target, req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
  const headers = proxyRequestHeaders(req.headers, req.k8s.user!, { upgrade: true });
  const upstream = deps.transport.request(svc, target, req.method, req.url, headers);
  const { socket, head } = takeUpgrade(req, reply);
  const fail = (code: number, text: string) => {
    socket.end(`HTTP/1.1 ${code} ${text}\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
  };
  upstream.on('upgrade', (res: IncomingMessage, backend: Duplex, backendHead: Buffer) => {
    const lines = [`HTTP/1.1 101 ${res.statusMessage ?? 'Switching Protocols'}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (backendHead.length) socket.write(backendHead);
    if (head.length) backend.write(head);
    backend.pipe(socket).pipe(backend);
    backend.on('error', () => socket.destroy());
    socket.on('error', () => backend.destroy());
    socket.on('close', () => backend.destroy());
    backend.on('close', () => socket.destroy());
  });
  upstream.on('response', (res: IncomingMessage) => {
    const lines = [`HTTP/1.1 ${res.statusCode ?? 502} ${res.statusMessage ?? ''}`];
    for (let i = 0; i < res.rawHeaders.length; i += 2) if (!/^(connection|transfer-encoding)$/i.test(res.rawHeaders[i]!)) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
    socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    res.pipe(socket);
  });
  upstream.on('error', (e) => {
    deps.onBackendError(svc);
    fail(503, `error trying to reach service: ${e.message}`);
  });
  upstream.end();
  return reply;
}
