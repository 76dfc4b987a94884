// RBAC's escalation prevention as an admission step (Kubernetes does it in the RBAC registry's
// create/update, pkg/registry/rbac/*/policybased): a user may only create or change a Role,
// ClusterRole or binding that grants what the user already holds, unless allowed to
// `escalate` or `bind`. The apiserver's own writes (no user) are always allowed.
import type { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-types/rbac/v1';
import type { ResourceInfo } from '../../../api/resources.js';
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin, Operation } from '../../admission/interfaces.js';
import { checkBindingEscalation, checkRoleEscalation, RBAC_GROUP, type AuthorizeFn, type RulesForFn } from './escalation.js';
import type { RbacSource } from './source.js';

export class RBACEscalation implements AdmissionPlugin {
  constructor(
    private readonly authorize: AuthorizeFn,
    private readonly rulesFor: RulesForFn,
    private readonly source: RbacSource,
  ) {}

  async admit(op: Operation, info: ResourceInfo, obj: KObject, old: KObject | undefined, attrs: AdmissionAttributes): Promise<void> {
    if (info.group !== RBAC_GROUP || op === 'DELETE' || attrs.subresource) return;
    const namespace = info.namespaced ? (obj.metadata?.namespace ?? '') : '';
    const base = { user: attrs.user, namespace, authorize: this.authorize, rulesFor: this.rulesFor };
    if (info.resource === 'roles' || info.resource === 'clusterroles') {
      await checkRoleEscalation({ ...base, role: obj as Role | ClusterRole, ...(old ? { oldRole: old as Role | ClusterRole } : {}) });
    } else if (info.resource === 'rolebindings' || info.resource === 'clusterrolebindings') {
      await checkBindingEscalation({ ...base, binding: obj as unknown as RoleBinding | ClusterRoleBinding, ...(old ? { oldBinding: old as unknown as RoleBinding | ClusterRoleBinding } : {}), source: this.source });
    }
  }
}
