// RBAC's escalation prevention (pkg/registry/rbac/escalation_check.go, the policybased storages of
// roles, clusterroles, rolebindings and clusterrolebindings, and validation.ConfirmNoEscalation):
// a user may only write a role whose permissions they already hold, and only bind a role whose
// permissions they hold — unless they are explicitly allowed to `escalate` roles or `bind` that
// role. Called by admission on create and update of the four RBAC kinds.
import type { ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import { errors, type GroupResource } from '../../../api/status.js';
import { SYSTEM_MASTERS, type UserInfo } from '../../../api/user.js';
import { semanticEqual } from '../../../api/validation/equal.js';
import type { Attributes, AuthorizationResult, RulesResult } from '../types.js';
import { policyRulesOf } from './authorizer.js';
import { covers } from './policy-comparator.js';
import { compactRules, compactString, goQuote, goQuoteList } from './rule-format.js';
import { RBAC_GROUP } from './policy-builders.js';
import type { RbacSource } from './source.js';

export { covers, breakdownRule, type CoversResult } from './policy-comparator.js';
export { RBAC_GROUP };


export type AuthorizeFn = (a: Attributes) => AuthorizationResult | Promise<AuthorizationResult>;
export type RulesForFn = (user: UserInfo, namespace: string) => RulesResult | Promise<RulesResult>;

/** `*` on everything: what setting an aggregationRule requires, since it can gather any rule. */
const FULL_AUTHORITY: PolicyRule[] = [
  { verbs: ['*'], apiGroups: ['*'], resources: ['*'] },
  { verbs: ['*'], nonResourceURLs: ['*'] },
];

/**
 * EscalationAllowed: `system:masters` may write anything. A write with no user is the
 * apiserver's own (bootstrap policy, internal writes), as Kubernetes' privileged loopback is.
 */
export function escalationAllowed(user: UserInfo | undefined): boolean {
  return !user || user.groups.includes(SYSTEM_MASTERS);
}

async function allowed(authorize: AuthorizeFn, a: Attributes): Promise<boolean> {
  return (await authorize(a)).decision === 'allow';
}

function rbacAttributes(user: UserInfo, verb: string, resource: string, namespace: string, name: string): Attributes {
  return { user, verb, resourceRequest: true, path: '', namespace, apiGroup: RBAC_GROUP, apiVersion: '*', resource, subresource: '', name };
}

/**
 * ConfirmNoEscalation: undefined when the user's own rules in `namespace` cover `rules`, else
 * Kubernetes' message naming what is missing, compacted and sorted.
 */
export async function confirmNoEscalation(user: UserInfo, namespace: string, rules: readonly PolicyRule[], rulesFor: RulesForFn): Promise<string | undefined> {
  const held = await rulesFor(user, namespace);
  const result = covers(policyRulesOf(held), rules);
  if (result.covered) return undefined;
  const missing = [...new Set(compactRules(result.uncovered).map(compactString))].sort();
  let msg = `user ${goQuote(user.username)} (groups=${goQuoteList(user.groups)}) is attempting to grant RBAC permissions not currently held:\n${missing.join('\n')}`;
  if (held.evaluationError) msg += `; resolution errors: [${held.evaluationError}]`;
  return msg;
}

/** Metadata the server or the garbage collector manage; an update touching only these is not a grant. */
const GC_AND_SERVER_FIELDS = ['ownerReferences', 'finalizers', 'selfLink', 'managedFields', 'resourceVersion', 'generation', 'creationTimestamp', 'uid'];

function withoutGCFields(obj: object): Record<string, unknown> {
  const { kind: _k, apiVersion: _v, metadata, ...rest } = obj as Record<string, unknown>;
  const meta = { ...((metadata as Record<string, unknown> | undefined) ?? {}) };
  for (const f of GC_AND_SERVER_FIELDS) delete meta[f];
  return { ...rest, metadata: meta };
}

/** IsOnlyMutatingGCFields: an update that only changes ownerReferences/finalizers (the GC's edits). */
export function isOnlyMutatingGCFields(obj: object, old: object | undefined): boolean {
  return !!old && semanticEqual(withoutGCFields(obj), withoutGCFields(old));
}

export interface RoleEscalationCheck {
  /** Who writes; undefined = the apiserver itself. */
  user: UserInfo | undefined;
  /** The role's namespace for a Role, '' for a ClusterRole (this is what tells them apart). */
  namespace: string;
  /** The role as created, or its new version on update. */
  role: Role | ClusterRole;
  /** On update: the stored version. */
  oldRole?: Role | ClusterRole;
  authorize: AuthorizeFn;
  rulesFor: RulesForFn;
}

/**
 * Create/update of a Role or ClusterRole: allowed for system:masters, for a user allowed to
 * `escalate` roles/clusterroles (checked as Kubernetes does, against the request's name — empty
 * on create), for a GC-only update, or when the user's own rules (namespace rules for a Role,
 * cluster rules for a ClusterRole) cover every rule; setting or changing an aggregationRule
 * additionally needs `*` on everything. Throws a 403 Forbidden StatusError otherwise.
 */
export async function checkRoleEscalation(c: RoleEscalationCheck): Promise<void> {
  if (escalationAllowed(c.user)) return;
  const user = c.user!;
  const resource = c.namespace ? 'roles' : 'clusterroles';
  const name = c.role.metadata?.name ?? '';
  const requestName = c.oldRole ? name : '';
  if (await allowed(c.authorize, rbacAttributes(user, 'escalate', resource, c.namespace, requestName))) return;
  if (isOnlyMutatingGCFields(c.role, c.oldRole)) return;
  const gr: GroupResource = { group: RBAC_GROUP, resource };
  const why = await confirmNoEscalation(user, c.namespace, c.role.rules ?? [], c.rulesFor);
  if (why) throw errors.forbidden(gr, name, why);
  const aggregated = (r: Role | ClusterRole | undefined): boolean => !!(r as ClusterRole | undefined)?.aggregationRule;
  if (!c.namespace && (aggregated(c.role) || aggregated(c.oldRole))) {
    if (await confirmNoEscalation(user, '', FULL_AUTHORITY, c.rulesFor)) {
      throw errors.forbidden(gr, name, 'must have cluster-admin privileges to use the aggregationRule');
    }
  }
}

export interface BindingEscalationCheck {
  user: UserInfo | undefined;
  /** The binding's namespace for a RoleBinding, '' for a ClusterRoleBinding. */
  namespace: string;
  binding: RoleBinding | ClusterRoleBinding;
  /** On update: the stored version. */
  oldBinding?: RoleBinding | ClusterRoleBinding;
  authorize: AuthorizeFn;
  rulesFor: RulesForFn;
  source: Pick<RbacSource, 'getRole' | 'getClusterRole'>;
}

/**
 * Create/update of a RoleBinding or ClusterRoleBinding: allowed for system:masters, for a user
 * allowed to `bind` the referenced role (in the binding's namespace), for a GC-only update, or
 * when the user already holds every rule of that role (in the binding's namespace). A roleRef
 * to a role that does not exist is a 403 unless `bind` is allowed. Throws a 403 otherwise.
 */
export async function checkBindingEscalation(c: BindingEscalationCheck): Promise<void> {
  if (escalationAllowed(c.user)) return;
  const user = c.user!;
  const ref = c.binding.roleRef;
  const gr: GroupResource = { group: RBAC_GROUP, resource: c.namespace ? 'rolebindings' : 'clusterrolebindings' };
  const name = c.binding.metadata?.name ?? '';
  const roleResource = ref.kind === 'ClusterRole' ? 'clusterroles' : ref.kind === 'Role' ? 'roles' : undefined;
  if (roleResource && ref.apiGroup === RBAC_GROUP) {
    const attrs = rbacAttributes(user, 'bind', roleResource, c.namespace, ref.name);
    if (await allowed(c.authorize, attrs)) return;
  }
  if (isOnlyMutatingGCFields(c.binding, c.oldBinding)) return;
  const role = ref.kind === 'ClusterRole' ? c.source.getClusterRole(ref.name) : ref.kind === 'Role' && c.namespace ? c.source.getRole(c.namespace, ref.name) : undefined;
  if (!role) {
    const why = roleResource ? errors.notFound({ group: RBAC_GROUP, resource: roleResource }, ref.name).message : `unsupported role reference kind: ${goQuote(ref.kind)}`;
    throw errors.forbidden(gr, name, why);
  }
  const why = await confirmNoEscalation(user, c.namespace, role.rules ?? [], c.rulesFor);
  if (why) throw errors.forbidden(gr, name, why);
}
