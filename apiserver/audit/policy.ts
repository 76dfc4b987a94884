// The audit Policy: loading and validating the file `--audit-policy-file` names
// (k8s.io/apiserver/pkg/audit/policy/reader.go, apis/audit/validation) and deciding each
// request's level and omitted stages (policy/checker.go): rules in order, the first that
// matches wins, no match means level None.
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { UserInfo } from '../../api/user.js';
import type { RequestAttributes } from '../auth/context.js';
import { AUDIT_API_VERSION, LEVELS, STAGES, levelAtLeast, type GroupResources, type Level, type Policy, type PolicyRule, type RequestAuditConfig, type Stage } from './types.js';

/** A policy file that cannot be used; the message is one line. */
export class PolicyError extends Error {}

// ---- loading and validation --------------------------------------------------------------

type Obj = Record<string, unknown>;

const POLICY_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'rules', 'omitStages', 'omitManagedFields']);
const RULE_FIELDS = new Set(['level', 'users', 'userGroups', 'verbs', 'resources', 'namespaces', 'nonResourceURLs', 'omitStages', 'omitManagedFields']);
const GROUP_RESOURCES_FIELDS = new Set(['group', 'resources', 'resourceNames']);
// RFC 1123 subdomain, as apimachinery's NameIsDNSSubdomain checks group names.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Collects field errors the way apimachinery's field.ErrorList does, then reports them all on one line. */
class Errors {
  readonly list: string[] = [];
  add(path: string, msg: string): void {
    this.list.push(`${path}: ${msg}`);
  }
  /**
   * Unknown fields are refused, unlike Kubernetes' lenient decoder: a misspelt `resource:` or
   * `namespace:` would otherwise silently widen a rule, and an audit policy that logs less than
   * its author meant is a security bug.
   */
  unknownFields(o: Obj, known: Set<string>, path: string): void {
    for (const k of Object.keys(o)) if (!known.has(k)) this.add(path ? `${path}.${k}` : k, 'unknown field');
  }
  strings(o: Obj, key: string, path: string): string[] | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (!Array.isArray(v) || v.some((s) => typeof s !== 'string')) {
      this.add(`${path}.${key}`, 'must be a list of strings');
      return undefined;
    }
    return v as string[];
  }
  bool(o: Obj, key: string, path: string): boolean | undefined {
    const v = o[key];
    if (v === undefined || v === null) return undefined;
    if (typeof v !== 'boolean') {
      this.add(`${path}.${key}`, 'must be true or false');
      return undefined;
    }
    return v;
  }
  stages(o: Obj, path: string): Stage[] | undefined {
    const list = this.strings(o, 'omitStages', path);
    list?.forEach((s, i) => {
      if (!STAGES.includes(s as Stage)) this.add(`${path ? `${path}.` : ''}omitStages[${i}]`, `Invalid value: "${s}": allowed stages are ${STAGES.join(',')}`);
    });
    return list as Stage[] | undefined;
  }
}

function parseLevel(v: unknown, path: string, errs: Errors): Level {
  if (v === undefined || v === null || v === '') errs.add(path, 'Required value');
  else if (typeof v !== 'string' || !LEVELS.includes(v as Level)) {
    errs.add(path, `Unsupported value: ${JSON.stringify(v)}: supported values: ${LEVELS.map((l) => `"${l}"`).join(', ')}`);
  }
  return v as Level;
}

function parseGroupResources(v: unknown, path: string, errs: Errors): GroupResources {
  if (!isObj(v)) {
    errs.add(path, 'must be an object with group, resources, resourceNames');
    return {};
  }
  errs.unknownFields(v, GROUP_RESOURCES_FIELDS, path);
  const group = v.group ?? '';
  if (typeof group !== 'string') errs.add(`${path}.group`, 'must be a string');
  else if (group !== '' && (group.length > 253 || !DNS_SUBDOMAIN.test(group))) {
    errs.add(`${path}.group`, `Invalid value: "${group}": must be a lower-case DNS subdomain (the group name alone, without a version)`);
  }
  const resources = errs.strings(v, 'resources', path);
  const resourceNames = errs.strings(v, 'resourceNames', path);
  if (resourceNames?.length && !resources?.length) errs.add(`${path}.resourceNames`, 'using resourceNames requires at least one resource');
  return { group: typeof group === 'string' ? group : '', ...(resources ? { resources } : {}), ...(resourceNames ? { resourceNames } : {}) };
}

function parseRule(v: unknown, path: string, errs: Errors): PolicyRule {
  if (!isObj(v)) {
    errs.add(path, 'must be an object');
    return { level: 'None' };
  }
  errs.unknownFields(v, RULE_FIELDS, path);
  const rule: PolicyRule = { level: parseLevel(v.level, `${path}.level`, errs) };
  for (const key of ['users', 'userGroups', 'verbs', 'namespaces'] as const) {
    const list = errs.strings(v, key, path);
    if (list) rule[key] = list;
  }
  const urls = errs.strings(v, 'nonResourceURLs', path);
  urls?.forEach((url, i) => {
    if (url === '*') return;
    if (!url.startsWith('/')) errs.add(`${path}.nonResourceURLs[${i}]`, `Invalid value: "${url}": non-resource URL rules must begin with a '/' character`);
    if (url.slice(0, -1).includes('*')) errs.add(`${path}.nonResourceURLs[${i}]`, `Invalid value: "${url}": non-resource URL wildcards '*' must be the final character of the rule`);
  });
  if (urls) rule.nonResourceURLs = urls;
  if (v.resources !== undefined && v.resources !== null) {
    if (!Array.isArray(v.resources)) errs.add(`${path}.resources`, 'must be a list of {group, resources, resourceNames}');
    else rule.resources = v.resources.map((gr, i) => parseGroupResources(gr, `${path}.resources[${i}]`, errs));
  }
  if (rule.nonResourceURLs?.length && (rule.resources?.length || rule.namespaces?.length)) {
    errs.add(`${path}.nonResourceURLs`, 'rules cannot apply to both regular resources and non-resource URLs');
  }
  const omitStages = errs.stages(v, path);
  if (omitStages) rule.omitStages = omitStages;
  const omf = errs.bool(v, 'omitManagedFields', path);
  if (omf !== undefined) rule.omitManagedFields = omf;
  return rule;
}

/** Validates a decoded policy document. Throws PolicyError listing every problem on one line. */
export function validatePolicy(doc: unknown): Policy {
  if (!isObj(doc)) throw new PolicyError('audit policy: expected an object with apiVersion, kind and rules');
  if (doc.apiVersion !== AUDIT_API_VERSION) {
    throw new PolicyError(`audit policy: unknown apiVersion ${JSON.stringify(doc.apiVersion ?? '')} (expected "${AUDIT_API_VERSION}")`);
  }
  if (doc.kind !== 'Policy') throw new PolicyError(`audit policy: unknown kind ${JSON.stringify(doc.kind ?? '')} (expected "Policy")`);
  const errs = new Errors();
  errs.unknownFields(doc, POLICY_FIELDS, '');
  if (doc.metadata !== undefined && doc.metadata !== null && !isObj(doc.metadata)) errs.add('metadata', 'must be an object');
  let rules: PolicyRule[] = [];
  if (doc.rules !== undefined && doc.rules !== null) {
    if (!Array.isArray(doc.rules)) errs.add('rules', 'must be a list');
    else rules = doc.rules.map((r, i) => parseRule(r, `rules[${i}]`, errs));
  }
  const omitStages = errs.stages(doc, '');
  const omitManagedFields = errs.bool(doc, 'omitManagedFields', '');
  if (errs.list.length) throw new PolicyError(`audit policy: ${errs.list.join('; ')}`);
  if (rules.length === 0) throw new PolicyError('audit policy: loaded illegal policy with 0 rules');
  return {
    apiVersion: AUDIT_API_VERSION,
    kind: 'Policy',
    ...(isObj(doc.metadata) ? { metadata: doc.metadata } : {}),
    rules,
    ...(omitStages ? { omitStages } : {}),
    ...(omitManagedFields !== undefined ? { omitManagedFields } : {}),
  };
}

/** Parses a policy written as YAML or JSON (JSON is YAML). */
export function parsePolicy(text: string): Policy {
  let doc: unknown;
  try {
    doc = parseYaml(text, { maxAliasCount: 100 });
  } catch (e) {
    throw new PolicyError(`audit policy: not valid YAML or JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  return validatePolicy(doc);
}

/** Reads `--audit-policy-file`. Errors name the file and fit on one line. */
export function loadPolicyFile(path: string): Policy {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new PolicyError(`audit policy: failed to read ${path}: ${(e as Error).message}`);
  }
  try {
    return parsePolicy(text);
  } catch (e) {
    throw new PolicyError(`${(e as Error).message} (from file ${path})`);
  }
}

// ---- evaluation ----------------------------------------------------------------------------

/** What a rule is matched against: the request's attributes and (when authenticated) its user. */
export type AuditAttributes = RequestAttributes & { user?: UserInfo };

/**
 * tskube's hard cap, above any policy: requests on Secrets, on TokenRequest
 * (`serviceaccounts/token`, whose reply holds a token) and on TokenReview (whose request holds
 * one) are logged at Metadata at most, so their bodies never reach the audit log whatever the
 * policy says. Kubernetes leaves this to the policy author (its example policies do the same
 * by hand); a policy with a catch-all RequestResponse rule would otherwise write every Secret
 * in the cluster to a log file.
 */
export function bodiesNeverAudited(a: RequestAttributes): boolean {
  if (!a.resourceRequest) return false;
  if (a.apiGroup === '' && a.resource === 'secrets') return true;
  if (a.apiGroup === '' && a.resource === 'serviceaccounts' && a.subresource === 'token') return true;
  return a.apiGroup === 'authentication.k8s.io' && a.resource === 'tokenreviews';
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function resourceMatches(gr: GroupResources, a: RequestAttributes): boolean {
  if ((gr.group ?? '') !== a.apiGroup) return false;
  if (!gr.resources?.length) return true;
  if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) return false;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  return gr.resources.some(
    (res) =>
      res === '*' ||
      res === combined ||
      (a.subresource !== '' && res.startsWith('*/') && res.slice(2) === a.subresource) ||
      (res.endsWith('/*') && res.slice(0, -2) === a.resource),
  );
}

export function ruleMatches(r: PolicyRule, a: AuditAttributes): boolean {
  if (r.users?.length && (!a.user || !r.users.includes(a.user.username))) return false;
  if (r.userGroups?.length && (!a.user || !a.user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) {
    if (!a.resourceRequest) return false;
    // Cluster-scoped resources have the namespace ''.
    if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
    return !r.resources?.length || r.resources.some((gr) => resourceMatches(gr, a));
  }
  if (r.nonResourceURLs?.length) return !a.resourceRequest && r.nonResourceURLs.some((spec) => pathMatches(a.path, spec));
  return true;
}

/** Decides each request's RequestAuditConfig (Kubernetes' policy.PolicyRuleEvaluator). */
export class PolicyRuleEvaluator {
  private readonly rules: { rule: PolicyRule; omitStages: Stage[] }[];
  private readonly omitStages: Stage[];
  private readonly omitManagedFields: boolean;

  constructor(policy: Policy) {
    this.omitStages = [...new Set(policy.omitStages ?? [])];
    this.omitManagedFields = policy.omitManagedFields ?? false;
    // A rule's omitted stages are its own plus the policy's.
    this.rules = policy.rules.map((rule) => ({ rule, omitStages: [...new Set([...this.omitStages, ...(rule.omitStages ?? [])])] }));
  }

  evaluatePolicyRule(a: AuditAttributes): RequestAuditConfig {
    for (const { rule, omitStages } of this.rules) {
      if (!ruleMatches(rule, a)) continue;
      const level = levelAtLeast(rule.level, 'Request') && bodiesNeverAudited(a) ? 'Metadata' : rule.level;
      return { level, omitStages, omitManagedFields: rule.omitManagedFields ?? this.omitManagedFields };
    }
    return { level: 'None', omitStages: this.omitStages, omitManagedFields: this.omitManagedFields };
  }
}
