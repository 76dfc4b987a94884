// Every error becomes a Kubernetes Status reply: errors thrown by handlers and hooks, fastify's
// own (body too large, bad media type), paths nothing serves, and what fastify rejects before
// routing. Only our own bugs become 500s, and they are logged.
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors, StatusError } from '../../api/status.js';
import { sendRaw } from '../handlers/responses.js';

export function sendStatus(reply: FastifyReply, e: StatusError): FastifyReply {
  return sendRaw(reply, e.code, 'application/json', JSON.stringify(e.status));
}

/** Any thrown error → a Status. */
export function toStatusError(err: unknown, req: FastifyRequest): StatusError {
  if (err instanceof StatusError) return err;
  const e = err as { code?: string; statusCode?: number; message?: string };
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || e.statusCode === 413) return errors.tooLarge();
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || e.statusCode === 415) return errors.unsupportedMediaType(String(req.headers['content-type'] ?? ''));
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return errors.badRequest(e.message ?? 'bad request');
  req.log.error({ err }, 'internal error');
  return errors.internal(e.message ?? String(err));
}

/** fastify's `frameworkErrors` option: errors raised before routing (bad URL encoding, bad headers). */
export function frameworkErrors(err: FastifyError, req: unknown, reply: unknown): void {
  void sendStatus(reply as FastifyReply, toStatusError(err, req as FastifyRequest));
}

/** The app's error and not-found handlers (fastify-plugin: they apply to the whole app). */
export const statusErrors = fp(
  async (app: FastifyInstance) => {
    app.setErrorHandler((err, req, reply) => {
      const e = toStatusError(err, req);
      // As Kubernetes' responsewriters: Retry-After only when the Status asks for a delay (an
      // eviction blocked by a budget has none; the client decides when to try again).
      const retryAfter = e.status.details?.retryAfterSeconds ?? 0;
      if (e.code === 429 && retryAfter > 0) reply.header('Retry-After', String(retryAfter));
      if (reply.raw.headersSent) {
        reply.raw.destroy();
        return;
      }
      return sendStatus(reply, e);
    });
    app.setNotFoundHandler((req, reply) => sendStatus(reply, new StatusError(404, 'NotFound', `the server could not find the requested resource (${req.method} ${req.url.split('?')[0]})`)));
  },
  { name: 'tskube-status-errors' },
);
