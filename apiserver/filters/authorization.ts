// Stage 6: authorization (k8s' filters.WithAuthorization): the union of authorizers (Node,
// RBAC — or AlwaysAllow) decides on the request's attributes; anything but an allow is a 403
// with Kubernetes' message, e.g. `User "x" cannot list resource "secrets" in API group "" in
// the namespace "y"`. The decision goes into the audit annotations.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { errors, type StatusError } from '../../api/status.js';
import type { Attributes, AuthorizationResult, Authorizer } from '../auth/types.js';

/** k8s' forbiddenMessage. */
export function forbiddenMessage(a: Attributes): string {
  if (!a.resourceRequest) return `User "${a.user.username}" cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? `in the namespace "${a.namespace}"` : 'at the cluster scope';
  return `User "${a.user.username}" cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}" ${where}`;
}

/** k8s' responsewriters.Forbidden: a Forbidden Status for the request's resource and name. */
export function forbiddenError(a: Attributes, reason: string): StatusError {
  const msg = forbiddenMessage(a) + (reason ? `: ${reason}` : '');
  return errors.forbidden({ group: a.apiGroup, resource: a.resourceRequest ? a.resource : '' }, a.name, msg);
}

/** Tries authorizers in order: the first allow or deny decides; all no-opinion is a deny. */
export function unionAuthorizer(authorizers: Authorizer[]): Authorizer {
  return {
    async authorize(a: Attributes): Promise<AuthorizationResult> {
      const reasons: string[] = [];
      for (const z of authorizers) {
        const r = await z.authorize(a);
        if (r.decision !== 'no-opinion') return r;
        if (r.reason) reasons.push(r.reason);
      }
      return { decision: 'no-opinion', reason: reasons.join('\n') };
    },
  };
}

export const alwaysAllow: Authorizer = { authorize: () => ({ decision: 'allow', reason: '' }) };

export const authorizationStage = fp(
  async (app: FastifyInstance, opts: { authorizer: Authorizer }) => {
    app.addHook('onRequest', async (req) => {
      const a: Attributes = { ...req.k8s.attributes, user: req.k8s.user! };
      const r = await opts.authorizer.authorize(a);
      const allowed = r.decision === 'allow';
      req.k8s.auditAnnotations['authorization.k8s.io/decision'] = allowed ? 'allow' : 'forbid';
      req.k8s.auditAnnotations['authorization.k8s.io/reason'] = r.reason;
      if (!allowed) throw forbiddenError(a, r.reason);
    });
  },
  { name: 'tskube-authorization' },
);
