// ValidateResourceQuota (pkg/apis/core/validation): hard (and status) names must be standard
// quota resources or qualified names, quantities non-negative (whole numbers for object
// counts), scopes standard, not conflicting, and valid for every standard resource they limit;
// scopeSelector requirements as upstream's validateScopedResourceSelectorRequirement.
import { formatQuantity, parseQuantity, QUANTITY_FORMAT_ERROR } from '../quantity.js';
import { type ErrorList, GoText, Path, asArray, asRecord, asString, field } from './field.js';
import { validateObjectMeta } from './meta.js';
import { isQualifiedName, nameIsDNSSubdomain } from './names.js';

const COMPUTE = ['cpu', 'memory', 'ephemeral-storage', 'requests.cpu', 'requests.memory', 'requests.ephemeral-storage', 'limits.cpu', 'limits.memory', 'limits.ephemeral-storage'];
const INTEGER = ['pods', 'resourcequotas', 'services', 'replicationcontrollers', 'secrets', 'configmaps', 'persistentvolumeclaims', 'services.nodeports', 'services.loadbalancers'];
/** helper.IsStandardResourceName. */
const STANDARD = new Set([...COMPUTE, ...INTEGER, 'storage', 'requests.storage']);
/** helper.IsStandardQuotaResourceName. */
const STANDARD_QUOTA = new Set([...COMPUTE, ...INTEGER, 'requests.storage']);
const isHugePages = (n: string): boolean => n.startsWith('hugepages-') || n.startsWith('requests.hugepages-');

export const STANDARD_SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity'];
const POD_COMPUTE_SCOPED = new Set(['pods', 'cpu', 'memory', 'limits.cpu', 'limits.memory', 'requests.cpu', 'requests.memory']);

/** IsResourceQuotaScopeValidForResource. */
function scopeValidFor(scope: string, resource: string): boolean {
  switch (scope) {
    case 'Terminating':
    case 'NotTerminating':
    case 'NotBestEffort':
    case 'PriorityClass':
    case 'CrossNamespacePodAffinity':
      return POD_COMPUTE_SCOPED.has(resource);
    case 'BestEffort':
      return resource === 'pods';
    default:
      return true;
  }
}

/** IsExtendedResourceName: outside kubernetes.io, not `requests.`-prefixed, qualified as `requests.<name>`. */
function isExtended(name: string): boolean {
  const native = !name.includes('/') || name.includes('kubernetes.io/');
  return !native && !name.startsWith('requests.') && isQualifiedName(`requests.${name}`).length === 0;
}

/** ValidateResourceQuotaResourceName. */
export function validateQuotaResourceName(name: string, path: Path): ErrorList {
  const errs = isQualifiedName(name).map((m) => field.invalid(path, name, m));
  if (errs.length) return errs;
  if (name.includes('/')) return errs;
  if (!STANDARD.has(name) && !isHugePages(name)) errs.push(field.invalid(path, name, 'must be a standard resource type or fully qualified'));
  if (!STANDARD_QUOTA.has(name) && !isHugePages(name)) errs.push(field.invalid(path, name, 'must be a standard resource for quota'));
  return errs;
}

function validateResourceList(raw: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  for (const [name, v] of Object.entries(asRecord(raw))) {
    const p = path.key(name);
    errs.push(...validateQuotaResourceName(name, p));
    const text = typeof v === 'number' ? String(v) : asString(v);
    try {
      const q = parseQuantity(text);
      if (q.nanos < 0n) errs.push(field.invalid(p, new GoText(formatQuantity(q)), 'must be greater than or equal to 0'));
      if ((INTEGER.includes(name) || isExtended(name)) && q.nanos % 1_000_000_000n !== 0n) errs.push(field.invalid(p, new GoText(formatQuantity(q)), 'must be an integer'));
    } catch {
      errs.push(field.invalid(p, text, QUANTITY_FORMAT_ERROR));
    }
  }
  return errs;
}

const goScopes = (scopes: string[]): GoText => new GoText(`[]core.ResourceQuotaScope{${scopes.map((s) => JSON.stringify(s)).join(', ')}}`);
const CONFLICTING = [['BestEffort', 'NotBestEffort'], ['Terminating', 'NotTerminating']];

function validateScopes(spec: Record<string, unknown>, hard: string[], path: Path): ErrorList {
  const scopes = asArray(spec['scopes']).map(asString);
  if (!scopes.length) return [];
  const errs: ErrorList = [];
  const p = path.child('scopes');
  for (const scope of scopes) {
    if (!STANDARD_SCOPES.includes(scope)) errs.push(field.invalid(p, goScopes(scopes), 'unsupported scope'));
    for (const k of [...hard].sort()) if (STANDARD_QUOTA.has(k) && !scopeValidFor(scope, k)) errs.push(field.invalid(p, goScopes(scopes), 'unsupported scope applied to resource'));
  }
  for (const pair of CONFLICTING) if (pair.every((s) => scopes.includes(s))) errs.push(field.invalid(p, goScopes(scopes), 'conflicting scopes'));
  return errs;
}

function validateScopeSelector(spec: Record<string, unknown>, hard: string[], path: Path): ErrorList {
  const sel = spec['scopeSelector'];
  if (sel === undefined || sel === null) return [];
  const errs: ErrorList = [];
  const p = path.child('scopeSelector', 'matchExpressions');
  const seen = new Set<string>();
  for (const raw of asArray(asRecord(sel)['matchExpressions'])) {
    const req = asRecord(raw);
    const scope = asString(req['scopeName']);
    const op = asString(req['operator']);
    const values = asArray(req['values']).map(asString);
    if (!STANDARD_SCOPES.includes(scope)) errs.push(field.invalid(p.child('scopeName'), scope, 'unsupported scope'));
    for (const k of [...hard].sort()) if (STANDARD_QUOTA.has(k) && !scopeValidFor(scope, k)) errs.push(field.invalid(p, new GoText('{"matchExpressions": …}'), 'unsupported scope applied to resource'));
    if (['BestEffort', 'NotBestEffort', 'Terminating', 'NotTerminating'].includes(scope) && op !== 'Exists')
      errs.push(field.invalid(p.child('operator'), op, "must be 'Exist' only operator when scope is any of ResourceQuotaScopeTerminating, ResourceQuotaScopeNotTerminating, ResourceQuotaScopeBestEffort and ResourceQuotaScopeNotBestEffort"));
    if (op === 'In' || op === 'NotIn') {
      if (!values.length) errs.push(field.required(p.child('values'), "must be at least one value when `operator` is 'In' or 'NotIn' for scope selector"));
    } else if (op === 'Exists' || op === 'DoesNotExist') {
      if (values.length) errs.push(field.invalid(p.child('values'), values, "must be no value when `operator` is 'Exist' or 'DoesNotExist' for scope selector"));
    } else {
      errs.push(field.invalid(p.child('operator'), op, 'not a valid selector operator'));
    }
    seen.add(scope);
  }
  for (const pair of CONFLICTING) if (pair.every((s) => seen.has(s))) errs.push(field.invalid(p, new GoText('{"matchExpressions": …}'), 'conflicting scopes'));
  return errs;
}

/** ValidateResourceQuota: metadata, spec, and the status lists' names and quantities. */
export function validateResourceQuota(obj: Record<string, unknown>): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(obj['spec']);
  const specPath = Path.root('spec');
  const hard = Object.keys(asRecord(spec['hard']));
  errs.push(...validateResourceList(spec['hard'], specPath.child('hard')));
  errs.push(...validateScopes(spec, hard, specPath));
  errs.push(...validateScopeSelector(spec, hard, specPath));
  errs.push(...validateResourceQuotaStatus(obj));
  return errs;
}

/** ValidateResourceQuotaStatus (also what a status write must pass). */
export function validateResourceQuotaStatus(obj: Record<string, unknown>): ErrorList {
  const status = asRecord(obj['status']);
  return [...validateResourceList(status['hard'], Path.root('status', 'hard')), ...validateResourceList(status['used'], Path.root('status', 'used'))];
}
