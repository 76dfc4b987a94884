// Reconciling the bootstrap policy at apiserver start (pkg/registry/rbac/reconciliation and the
// rbac/bootstrap-roles PostStartHook in storage_rbac.go): missing objects are created; objects
// annotated autoupdate "true" get the rules, subjects, labels, annotations and aggregation
// selectors they lack added (what users added is kept); objects annotated "false" are left
// alone. A binding whose roleRef differs is deleted and created again (roleRef is immutable).
// Idempotent: a second run changes nothing.
import type { Logger } from 'pino';
import type { AggregationRule, ClusterRole, ClusterRoleBinding, PolicyRule, Role, RoleBinding, Subject } from 'kubernetes-types/rbac/v1';
import { isStatusError } from '../../../api/status.js';
import { semanticEqual } from '../../../api/validation/equal.js';
import { bootstrapPolicy, type BootstrapPolicy } from './bootstrap-policy.js';
import { covers } from './policy-comparator.js';
import { AUTOUPDATE_ANNOTATION } from './policy-builders.js';
import { compactString } from './rule-format.js';

export type RuleOwner = Role | ClusterRole;
export type Binding = RoleBinding | ClusterRoleBinding;
export type RbacKind = 'ClusterRole' | 'ClusterRoleBinding' | 'Role' | 'RoleBinding';

/**
 * What reconciliation needs of the apiserver's storage, as the server itself (no
 * authorization, no escalation checks). Errors are StatusErrors (409 Conflict on a stale
 * resourceVersion, 409 AlreadyExists, 404 NotFound).
 */
export interface ReconcileApi {
  /** The stored object, or undefined when there is none. */
  get(kind: RbacKind, namespace: string, name: string): Promise<RuleOwner | Binding | undefined>;
  /** Creates `obj` (its `kind` says which); for a namespaced object, its namespace is created first if missing. */
  create(obj: RuleOwner | Binding): Promise<RuleOwner | Binding>;
  /** Updates `obj`, compare-and-swap on metadata.resourceVersion. */
  update(obj: RuleOwner | Binding): Promise<RuleOwner | Binding>;
  /** Deletes with a uid precondition (to recreate a binding whose roleRef changed). */
  delete(kind: RbacKind, namespace: string, name: string, uid: string): Promise<void>;
}

export type ReconcileOperation = 'create' | 'update' | 'recreate' | 'none';

export interface ReconcileResult {
  kind: RbacKind;
  namespace: string;
  name: string;
  operation: ReconcileOperation;
  /** autoupdate "false": the operation was computed but not performed. */
  protected: boolean;
  missingRules?: PolicyRule[];
  missingSubjects?: Subject[];
}

/** Later maps win; undefined when all are (Kubernetes' merge). */
function merge(...maps: (Record<string, string> | undefined)[]): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const m of maps) if (m) out = { ...(out ?? {}), ...m };
  return out;
}

/** Labels and annotations of `expected` added to `result` (existing values win); whether anything changed. */
function mergeMetadata(result: RuleOwner | Binding, existing: RuleOwner | Binding, expected: RuleOwner | Binding): boolean {
  const meta = (result.metadata ??= {});
  const annotations = merge(expected.metadata?.annotations, existing.metadata?.annotations);
  const labels = merge(expected.metadata?.labels, existing.metadata?.labels);
  if (annotations) meta.annotations = annotations;
  if (labels) meta.labels = labels;
  return !semanticEqual(annotations, existing.metadata?.annotations) || !semanticEqual(labels, existing.metadata?.labels);
}

function isProtected(existing: RuleOwner | Binding): boolean {
  return existing.metadata?.annotations?.[AUTOUPDATE_ANNOTATION] === 'false';
}

export interface ReconciledRole {
  role: RuleOwner;
  operation: 'update' | 'none';
  protected: boolean;
  missingRules: PolicyRule[];
}

/** computeReconciledRole in union mode (extra permissions are kept). */
export function computeReconciledRole(existing: RuleOwner, expected: RuleOwner): ReconciledRole {
  const role = structuredClone(existing) as RuleOwner;
  let changed = mergeMetadata(role, existing, expected);
  const missingRules = covers(existing.rules ?? [], expected.rules ?? []).uncovered;
  if (missingRules.length) {
    role.rules = [...(existing.rules ?? []), ...missingRules];
    changed = true;
  }
  const want = (expected as ClusterRole).aggregationRule;
  const have = (existing as ClusterRole).aggregationRule;
  if (!want && have) {
    // Not meant to be aggregated at all.
    delete (role as ClusterRole).aggregationRule;
    changed = true;
  } else if (want) {
    const missing = (want.clusterRoleSelectors ?? []).filter((w) => !(have?.clusterRoleSelectors ?? []).some((h) => semanticEqual(h, w)));
    if (missing.length) {
      const rule: AggregationRule = { clusterRoleSelectors: [...(have?.clusterRoleSelectors ?? []), ...missing] };
      (role as ClusterRole).aggregationRule = rule;
      changed = true;
    }
  }
  return { role, operation: changed ? 'update' : 'none', protected: isProtected(existing), missingRules };
}

const subjectEqual = (a: Subject, b: Subject): boolean =>
  a.kind === b.kind && (a.apiGroup ?? '') === (b.apiGroup ?? '') && a.name === b.name && (a.namespace ?? '') === (b.namespace ?? '');

export interface ReconciledBinding {
  binding: Binding;
  operation: 'update' | 'recreate' | 'none';
  protected: boolean;
  missingSubjects: Subject[];
}

/** computeReconciledRoleBinding in union mode (extra subjects are kept). */
export function computeReconciledBinding(existing: Binding, expected: Binding): ReconciledBinding {
  const prot = isProtected(existing);
  if (!semanticEqual(existing.roleRef, expected.roleRef)) {
    return { binding: structuredClone(expected), operation: 'recreate', protected: prot, missingSubjects: expected.subjects ?? [] };
  }
  const binding = structuredClone(existing) as Binding;
  let changed = mergeMetadata(binding, existing, expected);
  const have = existing.subjects ?? [];
  const missingSubjects: Subject[] = [];
  for (const s of expected.subjects ?? []) if (!have.some((h) => subjectEqual(h, s)) && !missingSubjects.some((m) => subjectEqual(m, s))) missingSubjects.push(s);
  if (missingSubjects.length) {
    binding.subjects = [...have, ...missingSubjects];
    changed = true;
  }
  return { binding, operation: changed ? 'update' : 'none', protected: prot, missingSubjects };
}

const code = (e: unknown): number | undefined => (isStatusError(e) ? e.code : undefined);
const isNotFound = (e: unknown): boolean => code(e) === 404;
const isRace = (e: unknown): boolean => code(e) === 409 || isNotFound(e); // Conflict, AlreadyExists, or gone meanwhile

/** Enough to ride out a few concurrent writers (another apiserver reconciling, a user editing). */
const MAX_ATTEMPTS = 5;

function describe(kind: RbacKind, ns: string, name: string): string {
  return `${kind.toLowerCase()}.rbac.authorization.k8s.io/${ns ? `${ns}/` : ''}${name}`;
}

async function reconcileOwner(api: ReconcileApi, log: Logger, kind: 'Role' | 'ClusterRole', expected: RuleOwner): Promise<ReconcileResult> {
  const ns = expected.metadata?.namespace ?? '';
  const name = expected.metadata?.name ?? '';
  const what = describe(kind, ns, name);
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = (await api.get(kind, ns, name)) as RuleOwner | undefined;
      if (!existing) {
        await api.create(structuredClone(expected));
        log.info({ [kind.toLowerCase()]: what }, `created ${what}`);
        return { kind, namespace: ns, name, operation: 'create', protected: false, missingRules: expected.rules ?? [] };
      }
      const r = computeReconciledRole(existing, expected);
      const result: ReconcileResult = { kind, namespace: ns, name, operation: r.operation, protected: r.protected, missingRules: r.missingRules };
      if (r.operation === 'none') return result;
      const missing = r.missingRules.map(compactString);
      if (r.protected) {
        log.warn({ [kind.toLowerCase()]: what, missingRules: missing }, `skipped reconcile-protected ${what} with missing permissions`);
        return result;
      }
      await api.update(r.role);
      log.info({ [kind.toLowerCase()]: what, missingRules: missing }, `updated ${what} with additional permissions`);
      return result;
    } catch (e) {
      if (!isRace(e) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

async function reconcileBinding(api: ReconcileApi, log: Logger, kind: 'RoleBinding' | 'ClusterRoleBinding', expected: Binding): Promise<ReconcileResult> {
  const ns = expected.metadata?.namespace ?? '';
  const name = expected.metadata?.name ?? '';
  const what = describe(kind, ns, name);
  const field = kind.toLowerCase();
  for (let attempt = 1; ; attempt++) {
    try {
      const existing = (await api.get(kind, ns, name)) as Binding | undefined;
      if (!existing) {
        await api.create(structuredClone(expected));
        log.info({ [field]: what }, `created ${what}`);
        return { kind, namespace: ns, name, operation: 'create', protected: false, missingSubjects: expected.subjects ?? [] };
      }
      const r = computeReconciledBinding(existing, expected);
      const result: ReconcileResult = { kind, namespace: ns, name, operation: r.operation, protected: r.protected, missingSubjects: r.missingSubjects };
      if (r.operation === 'none') return result;
      if (r.protected) {
        log.warn({ [field]: what, missingSubjects: r.missingSubjects }, `skipped reconcile-protected ${what} with missing subjects`);
        return result;
      }
      if (r.operation === 'recreate') {
        await api.delete(kind, ns, name, existing.metadata?.uid ?? '').catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
        await api.create(r.binding);
        log.info({ [field]: what }, `recreated ${what}`);
        return result;
      }
      await api.update(r.binding);
      log.info({ [field]: what, missingSubjects: r.missingSubjects }, `updated ${what} with additional subjects`);
      return result;
    } catch (e) {
      if (!isRace(e) || attempt >= MAX_ATTEMPTS) throw e;
    }
  }
}

/**
 * Reconciles every object of `policy` (default: the bootstrap policy), ClusterRoles first, then
 * ClusterRoleBindings, Roles, RoleBindings (Kubernetes' order). Races with other writers are
 * retried; other errors are thrown (the caller may retry the whole run: it is idempotent).
 */
export async function reconcileBootstrapPolicy(api: ReconcileApi, log: Logger, policy: BootstrapPolicy = bootstrapPolicy()): Promise<ReconcileResult[]> {
  const results: ReconcileResult[] = [];
  for (const r of policy.clusterRoles) results.push(await reconcileOwner(api, log, 'ClusterRole', r));
  for (const b of policy.clusterRoleBindings) results.push(await reconcileBinding(api, log, 'ClusterRoleBinding', b));
  for (const r of policy.roles) results.push(await reconcileOwner(api, log, 'Role', r));
  for (const b of policy.roleBindings) results.push(await reconcileBinding(api, log, 'RoleBinding', b));
  return results;
}
