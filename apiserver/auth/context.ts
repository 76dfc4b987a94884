// What the handler chain learns about a request as it passes each stage, kept on the fastify
// request as `req.k8s` (Kubernetes keeps the same things in the request's context.Context:
// request info, user, audit event). Stages fill it in order: request info → authentication
// → audit → impersonation → in-flight limit → authorization.
import type { UserInfo } from '../../api/user.js';
import type { Attributes } from './types.js';

/** Kubernetes' RequestInfo: the authorizer's view of the URL (no user yet). */
export type RequestAttributes = Omit<Attributes, 'user'>;

export interface RequestContext {
  /** Audit-ID header value: the client's when it sent a valid one, else a fresh UUID. */
  auditID: string;
  /** When the request arrived. */
  receivedAt: Date;
  /** From the URL and method (k8s' RequestInfoFactory). */
  attributes: RequestAttributes;
  /** Long-running request (watch, log follow, exec/attach/portforward, proxy): no in-flight slot, audit has a ResponseStarted stage. */
  longRunning: boolean;
  /** Who the credentials say (before impersonation). Set by authentication. */
  authenticatedUser?: UserInfo;
  /** Who the request acts as: the impersonated user when impersonating, else the authenticated one. */
  user?: UserInfo;
  /** The impersonated user, when Impersonate-* headers were honoured (audit's impersonatedUser). */
  impersonatedUser?: UserInfo;
  /** Client addresses: X-Forwarded-For entries (when present) then the connection's peer. */
  sourceIPs: string[];
  userAgent: string;
  /**
   * Audit annotations any stage may add (authorization adds `authorization.k8s.io/decision`
   * and `authorization.k8s.io/reason`, as in Kubernetes).
   */
  auditAnnotations: Record<string, string>;
  /**
   * The uid of the object a write acted on, as the handler knew it: the created object's, the
   * updated or deleted one's, a subresource's parent's (binding, status, scale, eviction). Set
   * by the handlers; read by the audit index (audit/index-*.ts), never by the log backend.
   */
  objectUID?: string;
  /** …and its name (a generateName create names it only in the response). */
  objectName?: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Filled by the handler chain; see apiserver/auth/context.ts. */
    k8s: RequestContext;
  }
}
