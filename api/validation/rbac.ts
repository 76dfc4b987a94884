// rbac.authorization.k8s.io/v1 rules (pkg/apis/rbac/validation): names are path segments,
// rules have verbs, bindings point at a Role/ClusterRole and may not re-point later.
import { type ErrorList, Path, field, GoText, asArray, asRecord, asString } from './field.js';
import { nameIsPathSegment } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { semanticEqual } from './equal.js';

type Obj = Record<string, unknown>;
const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validatePolicyRule(rule: Obj, namespaced: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  if (asArray(rule['verbs']).length === 0) errs.push(field.required(path.child('verbs'), 'verbs must contain at least one value'));
  const nonResourceURLs = asArray(rule['nonResourceURLs']);
  if (nonResourceURLs.length > 0) {
    if (namespaced) errs.push(field.invalid(path.child('nonResourceURLs'), nonResourceURLs.map(asString), 'namespaced rules cannot apply to non-resource URLs'));
    if (asArray(rule['apiGroups']).length > 0 || asArray(rule['resources']).length > 0 || asArray(rule['resourceNames']).length > 0)
      errs.push(field.invalid(path.child('nonResourceURLs'), nonResourceURLs.map(asString), 'rules cannot apply to both regular resources and non-resource URLs'));
    return errs;
  }
  if (asArray(rule['apiGroups']).length === 0) errs.push(field.required(path.child('apiGroups'), 'resource rules must supply at least one api group'));
  if (asArray(rule['resources']).length === 0) errs.push(field.required(path.child('resources'), 'resource rules must supply at least one resource'));
  return errs;
}

export function validateRole(obj: Obj, namespaced: boolean): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], namespaced, nameIsPathSegment, Path.root('metadata'));
  asArray(obj['rules']).forEach((r, i) => errs.push(...validatePolicyRule(asRecord(r), namespaced, Path.root('rules').index(i))));
  return errs;
}

function validateSubject(subject: Obj, namespaced: boolean, path: Path): ErrorList {
  const errs: ErrorList = [];
  const name = asString(subject['name']);
  if (!name) errs.push(field.required(path.child('name')));
  const kind = asString(subject['kind']);
  const apiGroup = asString(subject['apiGroup']);
  if (kind === 'ServiceAccount') {
    if (apiGroup) errs.push(field.notSupported(path.child('apiGroup'), apiGroup, ['']));
    if (!namespaced && !asString(subject['namespace'])) errs.push(field.required(path.child('namespace')));
  } else if (kind === 'User' || kind === 'Group') {
    if (apiGroup !== RBAC_GROUP) errs.push(field.notSupported(path.child('apiGroup'), apiGroup, [RBAC_GROUP]));
  } else {
    errs.push(field.notSupported(path.child('kind'), kind, ['ServiceAccount', 'User', 'Group']));
  }
  return errs;
}

export function validateRoleBinding(obj: Obj, namespaced: boolean): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], namespaced, nameIsPathSegment, Path.root('metadata'));
  const roleRef = asRecord(obj['roleRef']);
  const apiGroup = asString(roleRef['apiGroup']);
  if (apiGroup !== RBAC_GROUP) errs.push(field.notSupported(Path.root('roleRef', 'apiGroup'), apiGroup, [RBAC_GROUP]));
  const kind = asString(roleRef['kind']);
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(kind)) errs.push(field.notSupported(Path.root('roleRef', 'kind'), kind, kinds));
  const name = asString(roleRef['name']);
  if (!name) errs.push(field.required(Path.root('roleRef', 'name')));
  else for (const m of nameIsPathSegment(name, false)) errs.push(field.invalid(Path.root('roleRef', 'name'), name, m));
  asArray(obj['subjects']).forEach((s, i) => errs.push(...validateSubject(asRecord(s), namespaced, Path.root('subjects').index(i))));
  return errs;
}

export function validateRoleBindingUpdate(obj: Obj, old: Obj, namespaced: boolean): ErrorList {
  const errs = validateObjectMetaUpdate(obj['metadata'], old['metadata'], Path.root('metadata'));
  if (!semanticEqual(obj['roleRef'], old['roleRef'])) {
    const r = asRecord(obj['roleRef']);
    const text = `rbac.RoleRef{APIGroup:${JSON.stringify(asString(r['apiGroup']))}, Kind:${JSON.stringify(asString(r['kind']))}, Name:${JSON.stringify(asString(r['name']))}}`;
    errs.push(field.invalid(Path.root('roleRef'), new GoText(text), 'cannot change roleRef'));
  }
  errs.push(...validateRoleBinding(obj, namespaced).filter((e) => !e.field.startsWith('metadata.')));
  return errs;
}
