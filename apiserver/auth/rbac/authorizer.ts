// The RBAC authorizer (plugin/pkg/auth/authorizer/rbac + pkg/registry/rbac/validation's
// DefaultRuleResolver): a request is allowed when a rule of a role bound to the user allows it —
// ClusterRoleBindings first, then the RoleBindings of the request's namespace (which may point
// at a Role of that namespace or at a ClusterRole). RBAC never denies: without a matching rule
// it has no opinion, and the next authorizer (or the final deny) decides.
import type { PolicyRule, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import type { UserInfo } from '../../../api/user.js';
import type { Attributes, AuthorizationResult, Authorizer, NonResourceRuleInfo, ResourceRuleInfo, RuleResolver, RulesResult } from '../types.js';
import { BindingIndex, subjectApplies, type IndexedBinding, type SubjectIndex } from './binding-index.js';
import { goQuote } from './rule-format.js';
import { combinedResource, ruleAllowsCombined } from './rules.js';
import type { RbacSource } from './source.js';

/** The rules a user holds and the resolution errors met on the way (RulesFor). */
export interface PolicyRulesResult {
  rules: PolicyRule[];
  errors: string[];
}

/**
 * utilerrors.NewAggregate(errs).Error(): one message as is, several de-duplicated in `[a, b]`.
 */
export function aggregateErrors(errors: readonly string[]): string {
  const unique = [...new Set(errors)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

/** `User "alice"`, `ServiceAccount "builder/ci"` (name/namespace, as Kubernetes writes it). */
function describeSubject(s: Subject, bindingNamespace: string): string {
  if (s.kind === 'ServiceAccount') return `${s.kind} ${goQuote(`${s.name}/${s.namespace || bindingNamespace}`)}`;
  return `${s.kind} ${goQuote(s.name)}`;
}

/** `ClusterRoleBinding "x" of ClusterRole "y" to Group "z"` / `RoleBinding "x/ns" of Role "y" to User "u"`. */
function describeBinding(e: IndexedBinding, user: UserInfo): string {
  const b = e.binding;
  const subject = (b.subjects ?? []).find((s) => subjectApplies(user, s, e.namespace));
  const who = subject ? describeSubject(subject, e.namespace) : '';
  const name = b.metadata?.name ?? '';
  const kind = e.namespace ? 'RoleBinding' : 'ClusterRoleBinding';
  const id = e.namespace ? `${name}/${e.namespace}` : name;
  return `${kind} ${goQuote(id)} of ${b.roleRef.kind} ${goQuote(b.roleRef.name)} to ${who}`;
}

export class RBACAuthorizer implements Authorizer, RuleResolver {
  private readonly index: BindingIndex;
  /** Visit counter; see IndexedBinding.stamp. Safe because visits are synchronous. */
  private stamp = 0;

  constructor(private readonly source: RbacSource) {
    this.index = new BindingIndex(source);
  }

  /**
   * GetRoleReferenceRules: the rules of the role a binding points at, or the error a lister
   * would give (`clusterrole.rbac.authorization.k8s.io "x" not found`).
   */
  roleRefRules(roleRef: RoleBinding['roleRef'], bindingNamespace: string): PolicyRule[] | string {
    if (roleRef.kind === 'ClusterRole') {
      const role = this.source.getClusterRole(roleRef.name);
      return role ? role.rules ?? [] : `clusterrole.rbac.authorization.k8s.io "${roleRef.name}" not found`;
    }
    if (roleRef.kind === 'Role') {
      const role = bindingNamespace ? this.source.getRole(bindingNamespace, roleRef.name) : undefined;
      return role ? role.rules ?? [] : `role.rbac.authorization.k8s.io "${roleRef.name}" not found`;
    }
    return `unsupported role reference kind: ${goQuote(roleRef.kind)}`;
  }

  /** Visits each binding that names the user once: cluster bindings, then the namespace's; stops when `fn` returns false. */
  private forEachBinding(user: UserInfo, namespace: string, fn: (e: IndexedBinding) => boolean): void {
    const stamp = ++this.stamp;
    if (!this.visitIndex(this.index.cluster(), user, stamp, fn)) return;
    if (namespace) this.visitIndex(this.index.namespace(namespace), user, stamp, fn);
  }

  private visitIndex(idx: SubjectIndex, user: UserInfo, stamp: number, fn: (e: IndexedBinding) => boolean): boolean {
    if (!this.visitList(idx.users.get(user.username), stamp, fn)) return false;
    for (const g of user.groups) if (!this.visitList(idx.groups.get(g), stamp, fn)) return false;
    return true;
  }

  private visitList(list: readonly IndexedBinding[] | undefined, stamp: number, fn: (e: IndexedBinding) => boolean): boolean {
    if (!list) return true;
    for (const e of list) {
      if (e.stamp === stamp) continue;
      e.stamp = stamp;
      if (!fn(e)) return false;
    }
    return true;
  }

  authorize(a: Attributes): AuthorizationResult {
    const combined = a.resourceRequest ? combinedResource(a) : '';
    let allowedBy: IndexedBinding | undefined;
    let errors: string[] | undefined;
    this.forEachBinding(a.user, a.namespace, (e) => {
      const rules = this.roleRefRules(e.binding.roleRef, e.namespace);
      if (typeof rules === 'string') {
        (errors ??= []).push(rules);
        return true;
      }
      for (const r of rules) {
        if (ruleAllowsCombined(a, combined, r)) {
          allowedBy = e;
          return false;
        }
      }
      return true;
    });
    if (allowedBy) return { decision: 'allow', reason: `RBAC: allowed by ${describeBinding(allowedBy, a.user)}` };
    return { decision: 'no-opinion', reason: errors ? `RBAC: ${aggregateErrors(errors)}` : '' };
  }

  /** Every rule the user holds in `namespace` ('' = cluster-wide rules only), and resolution errors. */
  policyRulesFor(user: UserInfo, namespace: string): PolicyRulesResult {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.forEachBinding(user, namespace, (e) => {
      const r = this.roleRefRules(e.binding.roleRef, e.namespace);
      if (typeof r === 'string') errors.push(r);
      else rules.push(...r);
      return true;
    });
    return { rules, errors };
  }

  /**
   * SelfSubjectRulesReview's view: resource and non-resource rules (a rule with both appears
   * in both lists, as in Kubernetes), identical rules once; `incomplete` when a binding's role
   * could not be resolved.
   */
  rulesFor(user: UserInfo, namespace: string): RulesResult {
    const { rules, errors } = this.policyRulesFor(user, namespace);
    const resourceRules: ResourceRuleInfo[] = [];
    const nonResourceRules: NonResourceRuleInfo[] = [];
    const seen = new Set<string>();
    for (const r of rules) {
      if (r.resources?.length) {
        const info: ResourceRuleInfo = { verbs: [...r.verbs], apiGroups: [...(r.apiGroups ?? [])], resources: [...r.resources] };
        if (r.resourceNames?.length) info.resourceNames = [...r.resourceNames];
        const key = JSON.stringify(['r', info.verbs, info.apiGroups, info.resources, info.resourceNames ?? []]);
        if (!seen.has(key)) {
          seen.add(key);
          resourceRules.push(info);
        }
      }
      if (r.nonResourceURLs?.length) {
        const info: NonResourceRuleInfo = { verbs: [...r.verbs], nonResourceURLs: [...r.nonResourceURLs] };
        const key = JSON.stringify(['n', info.verbs, info.nonResourceURLs]);
        if (!seen.has(key)) {
          seen.add(key);
          nonResourceRules.push(info);
        }
      }
    }
    return {
      resourceRules,
      nonResourceRules,
      incomplete: errors.length > 0,
      ...(errors.length ? { evaluationError: aggregateErrors(errors) } : {}),
    };
  }
}

/** The PolicyRules of a RulesResult (what escalation checks compare). */
export function policyRulesOf(r: RulesResult): PolicyRule[] {
  return [
    ...r.resourceRules.map((x): PolicyRule => ({
      verbs: x.verbs,
      apiGroups: x.apiGroups,
      resources: x.resources,
      ...(x.resourceNames?.length ? { resourceNames: x.resourceNames } : {}),
    })),
    ...r.nonResourceRules.map((x): PolicyRule => ({ verbs: x.verbs, nonResourceURLs: x.nonResourceURLs })),
  ];
}
