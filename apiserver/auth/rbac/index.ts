// RBAC: the authorizer, escalation checks, bootstrap policy and its reconciliation.
export { RBACAuthorizer, aggregateErrors, policyRulesOf, type PolicyRulesResult } from './authorizer.js';
export { InMemoryRbacSource, type RbacSource, type RbacObject } from './source.js';
export {
  ruleAllows,
  rulesAllow,
  verbMatches,
  apiGroupMatches,
  resourceMatches,
  resourceNameMatches,
  nonResourceURLMatches,
  type RuleAttributes,
} from './rules.js';
export {
  checkRoleEscalation,
  checkBindingEscalation,
  confirmNoEscalation,
  escalationAllowed,
  isOnlyMutatingGCFields,
  covers,
  breakdownRule,
  RBAC_GROUP,
  type CoversResult,
  type RoleEscalationCheck,
  type BindingEscalationCheck,
  type AuthorizeFn,
  type RulesForFn,
} from './escalation.js';
export { compactString, compactRules } from './rule-format.js';
export {
  bootstrapPolicy,
  clusterRoles,
  clusterRoleBindings,
  namespaceRoles,
  namespaceRoleBindings,
  NODE_RULES,
  MONITORING_GROUP,
  TSKUBE_DNS_USER,
  KUBELET_API_CLIENT_USER,
  AGGREGATE_TO_ADMIN,
  AGGREGATE_TO_EDIT,
  AGGREGATE_TO_VIEW,
  AUTOUPDATE_ANNOTATION,
  BOOTSTRAP_LABEL,
  BOOTSTRAP_LABEL_VALUE,
  type BootstrapPolicy,
} from './bootstrap-policy.js';
export { CONTROLLER_ROLE_PREFIX } from './controller-policy.js';
export {
  reconcileBootstrapPolicy,
  computeReconciledRole,
  computeReconciledBinding,
  type ReconcileApi,
  type ReconcileResult,
  type ReconcileOperation,
  type RbacKind,
} from './reconcile.js';
