// Stage 1 of the handler chain: the request's context (`req.k8s`) — its audit ID, its
// attributes in the authorizer's terms, whether it is long-running, and where it came from.
import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { RequestContext } from '../auth/context.js';
import { isLongRunning, requestAttributes } from './request-info.js';

/** An Audit-ID a client may set (Kubernetes keeps the client's when it is sane). */
const AUDIT_ID = /^[A-Za-z0-9-]{1,64}$/;

function sourceIPs(req: FastifyRequest): string[] {
  const out: string[] = [];
  const xff = req.headers['x-forwarded-for'];
  if (typeof xff === 'string') for (const ip of xff.split(',')) if (ip.trim()) out.push(ip.trim());
  const peer = req.raw.socket?.remoteAddress;
  if (peer) out.push(peer.startsWith('::ffff:') ? peer.slice(7) : peer);
  return out;
}

export function newRequestContext(req: FastifyRequest): RequestContext {
  const attributes = requestAttributes(req.method, req.url);
  const given = req.headers['audit-id'];
  return {
    auditID: typeof given === 'string' && AUDIT_ID.test(given) ? given : randomUUID(),
    receivedAt: new Date(),
    attributes,
    longRunning: isLongRunning(attributes),
    sourceIPs: sourceIPs(req),
    userAgent: String(req.headers['user-agent'] ?? ''),
    auditAnnotations: {},
  };
}

export const requestContextStage = fp(
  async (app: FastifyInstance) => {
    app.decorateRequest('k8s', null as unknown as RequestContext);
    app.addHook('onRequest', async (req) => {
      req.k8s = newRequestContext(req);
    });
  },
  { name: 'tskube-request-info' },
);
