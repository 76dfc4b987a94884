// Stage 4: impersonation (k8s' filters.WithImpersonation). `Impersonate-User`,
// `Impersonate-Group`, `Impersonate-Uid` and `Impersonate-Extra-<key>` let a user act as
// another, each one authorized with the `impersonate` verb on users, groups, serviceaccounts,
// uids or userextras. The request then carries the impersonated user; audit keeps both.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { errors } from '../../api/status.js';
import {
  ANONYMOUS_USER,
  SYSTEM_AUTHENTICATED,
  SYSTEM_UNAUTHENTICATED,
  serviceAccountGroups,
  serviceAccountOf,
  type UserInfo,
} from '../../api/user.js';
import type { RequestAttributes } from '../auth/context.js';
import type { Authorizer } from '../auth/types.js';
import { forbiddenError } from './authorization.js';

const EXTRA_PREFIX = 'impersonate-extra-';

function headerValues(req: FastifyRequest, name: string): string[] {
  const v = req.headers[name];
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter((s) => s !== '');
}

function resourceAttrs(apiGroup: string, resource: string, name: string, namespace = '', subresource = ''): RequestAttributes {
  return { verb: 'impersonate', resourceRequest: true, path: '', namespace, apiGroup, apiVersion: '', resource, subresource, name };
}

/** The impersonation the headers ask for, each with what must be authorized; undefined when none. */
export function impersonationRequests(req: FastifyRequest): { user: UserInfo; checks: RequestAttributes[] } | undefined {
  const users = headerValues(req, 'impersonate-user');
  const groups = headerValues(req, 'impersonate-group');
  const uids = headerValues(req, 'impersonate-uid');
  const extra: Record<string, string[]> = {};
  for (const [h, v] of Object.entries(req.headers)) {
    if (!h.startsWith(EXTRA_PREFIX) || v === undefined) continue;
    let key = h.slice(EXTRA_PREFIX.length);
    try {
      key = decodeURIComponent(key);
    } catch {
      throw errors.badRequest(`invalid impersonation extra key "${key}"`);
    }
    extra[key.toLowerCase()] = (Array.isArray(v) ? v : [v]).flatMap((s) => s.split(',')).map((s) => s.trim()).filter(Boolean);
  }
  const asked = users.length + groups.length + uids.length + Object.keys(extra).length;
  if (asked === 0) return undefined;
  // Kubernetes answers these with a 500; a client's input never gets a 5xx here.
  if (users.length !== 1) throw errors.badRequest(users.length === 0 ? 'requested impersonation of groups, a uid or extra without impersonating a user' : 'only one Impersonate-User may be given');
  if (uids.length > 1) throw errors.badRequest('only one Impersonate-Uid may be given');
  const username = users[0]!;
  const checks: RequestAttributes[] = [];
  const sa = serviceAccountOf(username);
  let userGroups = [...groups];
  if (sa) {
    checks.push(resourceAttrs('', 'serviceaccounts', sa.name, sa.namespace));
    if (groups.length === 0) userGroups = serviceAccountGroups(sa.namespace);
  } else {
    checks.push(resourceAttrs('', 'users', username));
  }
  for (const g of groups) checks.push(resourceAttrs('', 'groups', g));
  for (const u of uids) checks.push(resourceAttrs('authentication.k8s.io', 'uids', u));
  for (const [k, vs] of Object.entries(extra)) for (const v of vs) checks.push(resourceAttrs('authentication.k8s.io', 'userextras', v, '', k));
  const marker = username === ANONYMOUS_USER ? SYSTEM_UNAUTHENTICATED : SYSTEM_AUTHENTICATED;
  if (!userGroups.includes(marker)) userGroups.push(marker);
  const user: UserInfo = { username, groups: userGroups, ...(uids[0] ? { uid: uids[0] } : {}), ...(Object.keys(extra).length ? { extra } : {}) };
  return { user, checks };
}

export const impersonationStage = fp(
  async (app: FastifyInstance, opts: { authorizer: Authorizer }) => {
    app.addHook('onRequest', async (req) => {
      const asked = impersonationRequests(req);
      if (!asked) return;
      const actor = req.k8s.user!;
      for (const attrs of asked.checks) {
        const r = await opts.authorizer.authorize({ ...attrs, user: actor });
        if (r.decision !== 'allow') throw forbiddenError({ ...attrs, user: actor }, r.reason);
      }
      req.k8s.user = asked.user;
      req.k8s.impersonatedUser = asked.user;
      for (const h of Object.keys(req.headers)) if (h.startsWith('impersonate-')) delete req.headers[h];
    });
  },
  { name: 'tskube-impersonation', dependencies: ['tskube-authentication'] },
);
