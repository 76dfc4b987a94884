// Which FlowSchema a request matches, and its flow (k8s' apf_filter / matching.go): the
// schema of lowest matchingPrecedence (then name) whose rules match the user and the request,
// and the flow distinguisher its distinguisherMethod names. Pure: no state, no I/O.
import type { UserInfo } from '../../../api/user.js';
import type { RequestAttributes } from '../../auth/context.js';
import type { FlowSchema, NonResourcePolicyRule, PolicyRulesWithSubjects, ResourcePolicyRule, Subject } from './types.js';

export interface Classification {
  schema: FlowSchema;
  /** The flow within the priority level: schema name plus distinguisher (user or namespace). */
  flow: string;
}

const has = (list: readonly string[] | undefined, v: string): boolean => !!list && (list.includes('*') || list.includes(v));

function subjectMatches(s: Subject, user: UserInfo): boolean {
  switch (s.kind) {
    case 'User':
      return s.user?.name === '*' || s.user?.name === user.username;
    case 'Group':
      return s.group?.name === '*' || (!!s.group && user.groups.includes(s.group.name));
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa) return false;
      const prefix = `system:serviceaccount:${sa.namespace}:`;
      return sa.name === '*' ? user.username.startsWith(prefix) : user.username === prefix + sa.name;
    }
  }
}

function resourceRuleMatches(r: ResourcePolicyRule, a: RequestAttributes): boolean {
  if (!has(r.verbs, a.verb) || !has(r.apiGroups, a.apiGroup)) return false;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  if (!has(r.resources, resource)) return false;
  return a.namespace === '' ? !!r.clusterScope : has(r.namespaces, a.namespace);
}

function nonResourceRuleMatches(r: NonResourcePolicyRule, a: RequestAttributes): boolean {
  if (!has(r.verbs, a.verb)) return false;
  return r.nonResourceURLs.some((u) => u === '*' || u === a.path || (u.endsWith('/*') && a.path.startsWith(u.slice(0, -1))));
}

function ruleMatches(rule: PolicyRulesWithSubjects, user: UserInfo, a: RequestAttributes): boolean {
  if (!rule.subjects.some((s) => subjectMatches(s, user))) return false;
  return a.resourceRequest ? (rule.resourceRules ?? []).some((r) => resourceRuleMatches(r, a)) : (rule.nonResourceRules ?? []).some((r) => nonResourceRuleMatches(r, a));
}

/** The schemas in the order the apiserver tries them. */
export function matchingOrder(schemas: readonly FlowSchema[]): FlowSchema[] {
  return [...schemas].sort((x, y) => x.spec.matchingPrecedence - y.spec.matchingPrecedence || x.metadata.name.localeCompare(y.metadata.name));
}

/** `ordered` from matchingOrder; the last mandatory schema (catch-all) matches every user. */
export function classify(ordered: readonly FlowSchema[], user: UserInfo, a: RequestAttributes): Classification | undefined {
  const schema = ordered.find((s) => s.spec.rules.some((r) => ruleMatches(r, user, a)));
  if (!schema) return undefined;
  const method = schema.spec.distinguisherMethod?.type;
  const distinguisher = method === 'ByUser' ? user.username : method === 'ByNamespace' ? a.namespace : '';
  return { schema, flow: `${schema.metadata.name}/${distinguisher}` };
}
