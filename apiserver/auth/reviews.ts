// The review resources (authentication.k8s.io TokenReview and SelfSubjectReview;
// authorization.k8s.io SubjectAccessReview, SelfSubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectRulesReview): created, answered from the authenticator or the authorizer, and
// never stored — what `kubectl auth can-i [--list]` and `kubectl auth whoami` ask, and how a
// kubelet delegates the checks of its own port to the apiserver.
import { errors } from '../../api/status.js';
import type { UserInfo } from '../../api/user.js';
import { field, Path, type ErrorList } from '../../api/validation/field.js';
import { isObject, type KObject } from '../../api/types.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { Attributes, Authorizer, RuleResolver, TokenAuthenticator } from './types.js';

export interface ReviewDeps {
  tokenAuthenticator: TokenAuthenticator;
  authorizer: Authorizer;
  ruleResolver: RuleResolver;
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function userJSON(u: UserInfo): Record<string, unknown> {
  return { username: u.username, ...(u.uid ? { uid: u.uid } : {}), groups: u.groups, ...(u.extra && Object.keys(u.extra).length ? { extra: u.extra } : {}) };
}

function extraOf(v: unknown): Record<string, string[]> | undefined {
  if (!isObject(v)) return undefined;
  const out: Record<string, string[]> = {};
  for (const [k, vals] of Object.entries(v)) out[k] = strings(vals);
  return Object.keys(out).length ? out : undefined;
}

/** spec.resourceAttributes / spec.nonResourceAttributes → authorizer attributes, checking exactly one is set. */
function attributesOf(kind: string, group: string, resource: string, spec: Record<string, unknown>, user: UserInfo, namespace?: string): Attributes {
  const ra = isObject(spec.resourceAttributes) ? spec.resourceAttributes : undefined;
  const nra = isObject(spec.nonResourceAttributes) ? spec.nonResourceAttributes : undefined;
  const errs: ErrorList = [];
  const specPath = Path.root('spec');
  if (ra && nra) errs.push(field.invalid(specPath.child('nonResourceAttributes'), nra, 'cannot be specified in combination with resourceAttributes'));
  if (!ra && !nra) errs.push(field.invalid(specPath.child('resourceAttributes'), null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified'));
  if (ra && namespace !== undefined && str(ra.namespace) !== namespace) {
    errs.push(field.invalid(specPath.child('resourceAttributes', 'namespace'), str(ra.namespace), 'must match metadata.namespace'));
  }
  if (errs.length) throw errors.invalid(kind, { group, resource }, '', errs);
  if (nra) {
    return { user, verb: str(nra.verb), resourceRequest: false, path: str(nra.path), namespace: '', apiGroup: '', apiVersion: '', resource: '', subresource: '', name: '' };
  }
  return {
    user,
    verb: str(ra!.verb),
    resourceRequest: true,
    path: '',
    namespace: str(ra!.namespace),
    apiGroup: str(ra!.group),
    apiVersion: str(ra!.version),
    resource: str(ra!.resource),
    subresource: str(ra!.subresource),
    name: str(ra!.name),
  };
}

async function accessStatus(deps: ReviewDeps, a: Attributes): Promise<Record<string, unknown>> {
  const r = await deps.authorizer.authorize(a);
  return { allowed: r.decision === 'allow', ...(r.decision === 'deny' ? { denied: true } : {}), ...(r.reason ? { reason: r.reason } : {}) };
}

/** Answers a review; `requester` is the user the request runs as (after impersonation). */
export async function createReview(deps: ReviewDeps, info: ResourceInfo, namespace: string | undefined, body: unknown, requester: UserInfo): Promise<KObject> {
  if (!isObject(body)) throw errors.badRequest(`a ${info.kind} object is required`);
  const obj = body as KObject & { spec?: unknown };
  const kind = info.kind;
  if (obj.kind !== undefined && obj.kind !== kind) throw errors.badRequest(`expected ${kind}, got ${String(obj.kind)}`);
  const spec = isObject(obj.spec) ? obj.spec : {};
  const out: KObject = { kind, apiVersion: `${info.group}/${info.version}`, metadata: { ...(isObject(obj.metadata) ? obj.metadata : {}), creationTimestamp: null as unknown as string } };
  const group = info.group;
  const resource = info.resource;
  switch (kind) {
    case 'TokenReview': {
      const token = str(spec.token);
      if (!token) throw errors.badRequest('token is required for TokenReview in authentication');
      const audiences = strings(spec.audiences);
      let status: Record<string, unknown>;
      try {
        const r = await deps.tokenAuthenticator.authenticateToken(token, audiences.length ? audiences : undefined);
        status = r ? { authenticated: true, user: userJSON(r.user), audiences: r.audiences ?? audiences } : { authenticated: false, user: {}, error: 'token not recognised' };
      } catch (e) {
        status = { authenticated: false, user: {}, error: (e as Error).message };
      }
      return { ...out, spec, status };
    }
    case 'SelfSubjectReview':
      return { ...out, status: { userInfo: userJSON(requester) } };
    case 'SubjectAccessReview':
    case 'LocalSubjectAccessReview': {
      const user: UserInfo = { username: str(spec.user), groups: strings(spec.groups), ...(str(spec.uid) ? { uid: str(spec.uid) } : {}), ...(extraOf(spec.extra) ? { extra: extraOf(spec.extra)! } : {}) };
      if (!user.username && user.groups.length === 0) {
        throw errors.invalid(kind, { group, resource }, '', [field.invalid(Path.root('spec', 'user'), '', 'at least one of user or group must be specified')]);
      }
      const local = kind === 'LocalSubjectAccessReview';
      if (local) out.metadata = { ...out.metadata, namespace };
      const a = attributesOf(kind, group, resource, spec, user, local ? namespace : undefined);
      return { ...out, spec, status: await accessStatus(deps, a) };
    }
    case 'SelfSubjectAccessReview': {
      const a = attributesOf(kind, group, resource, spec, requester);
      return { ...out, spec, status: await accessStatus(deps, a) };
    }
    case 'SelfSubjectRulesReview': {
      const ns = str(spec.namespace);
      if (!ns) throw errors.badRequest('no namespace on request');
      const r = await deps.ruleResolver.rulesFor(requester, ns);
      return {
        ...out,
        spec,
        status: { resourceRules: r.resourceRules, nonResourceRules: r.nonResourceRules, incomplete: r.incomplete, ...(r.evaluationError ? { evaluationError: r.evaluationError } : {}) },
      };
    }
  }
  throw errors.methodNotAllowed(`POST is not supported on ${resource}`);
}
