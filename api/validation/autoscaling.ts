// autoscaling HorizontalPodAutoscaler validation (pkg/apis/autoscaling/validation), on the
// stored autoscaling/v2 form (v1 objects are converted first): the replica bounds, the
// scaleTargetRef, every metric source and target, and spec.behavior's scaling rules. Messages
// and field paths are Kubernetes' own, so `kubectl` shows the same 422 causes.
import { type ErrorList, GoText, Path, field, asArray, asRecord, asString, validateNonnegative } from './field.js';
import { nameIsDNSSubdomain, nameIsPathSegment } from './names.js';
import { validateLabelSelector, validateObjectMeta } from './meta.js';
import { validateDNS1123Label, validateResourceName } from './container.js';
import { parseQuantity } from '../quantity.js';

type Obj = Record<string, unknown>;

const METRIC_SOURCE_TYPES = ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'];
/** Metric type → the field holding its source. */
const SOURCE_FIELDS: Record<string, string> = { Object: 'object', Pods: 'pods', Resource: 'resource', ContainerResource: 'containerResource', External: 'external' };
const SELECT_POLICIES = ['Disabled', 'Max', 'Min'];
const POLICY_TYPES = ['Percent', 'Pods'];
const MAX_PERIOD_SECONDS = 1800;
const MAX_STABILIZATION_WINDOW_SECONDS = 3600;

/** path.IsValidPathSegmentName on a field that must be set. */
function validatePathSegment(value: unknown, path: Path, required: string): ErrorList {
  const s = asString(value);
  if (!s) return [field.required(path, required)];
  return nameIsPathSegment(s, false).map((m) => field.invalid(path, s, m));
}

/** ValidateCrossVersionObjectReference: kind and name set and path-safe. */
function validateCrossVersionObjectReference(raw: unknown, path: Path): ErrorList {
  const ref = asRecord(raw);
  return [...validatePathSegment(ref['kind'], path.child('kind'), ''), ...validatePathSegment(ref['name'], path.child('name'), '')];
}

/** A Quantity field's sign: 1, 0, -1, or undefined when absent (unparseable counts as not positive). */
function quantitySign(v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  try {
    const q = parseQuantity(String(v));
    return q.nanos > 0n ? 1 : q.nanos < 0n ? -1 : 0;
  } catch {
    return 0;
  }
}

function validateMetricTarget(raw: unknown, path: Path): ErrorList {
  const t = asRecord(raw);
  const errs: ErrorList = [];
  const type = asString(t['type']);
  if (!type) errs.push(field.required(path.child('type'), 'must specify a metric target type'));
  if (!['Utilization', 'Value', 'AverageValue'].includes(type)) errs.push(field.invalid(path.child('type'), type, 'must be either Utilization, Value, or AverageValue'));
  for (const f of ['value', 'averageValue']) {
    const sign = quantitySign(t[f]);
    if (sign !== undefined && sign !== 1) errs.push(field.invalid(path.child(f), new GoText(String(t[f])), 'must be positive'));
  }
  const util = t['averageUtilization'];
  if (typeof util === 'number' && util < 1) errs.push(field.invalid(path.child('averageUtilization'), util, 'must be greater than 0'));
  return errs;
}

function validateMetricIdentifier(raw: unknown, path: Path): ErrorList {
  const id = asRecord(raw);
  return [...validatePathSegment(id['name'], path.child('name'), 'must specify a metric name'), ...validateLabelSelector(id['selector'], path.child('selector'))];
}

const has = (o: Obj, k: string): boolean => o[k] !== undefined && o[k] !== null;

/** Resource and ContainerResource sources: a resource name, and exactly one of utilization or raw value. */
function validateResourceSource(src: Obj, path: Path, container: boolean): ErrorList {
  const errs: ErrorList = [];
  const name = asString(src['name']);
  if (!name) errs.push(field.required(path.child('name'), 'must specify a resource name'));
  else errs.push(...validateResourceName(name, path.child('name')));
  if (container) {
    const c = asString(src['container']);
    if (!c) errs.push(field.required(path.child('container'), 'must specify a container'));
    else errs.push(...validateDNS1123Label(c, path.child('container')));
  }
  errs.push(...validateMetricTarget(src['target'], path.child('target')));
  const target = asRecord(src['target']);
  if (!has(target, 'averageUtilization') && !has(target, 'averageValue'))
    errs.push(field.required(path.child('target', 'averageUtilization'), 'must set either a target raw value or a target utilization'));
  if (has(target, 'averageUtilization') && has(target, 'averageValue'))
    errs.push(field.forbidden(path.child('target', 'averageValue'), 'may not set both a target raw value and a target utilization'));
  return errs;
}

function validateSource(kind: string, src: Obj, path: Path): ErrorList {
  const target = asRecord(src['target']);
  switch (kind) {
    case 'object': {
      const errs = [...validateCrossVersionObjectReference(src['describedObject'], path.child('describedObject')), ...validateMetricIdentifier(src['metric'], path.child('metric'))];
      errs.push(...validateMetricTarget(src['target'], path.child('target')));
      if (!has(target, 'value') && !has(target, 'averageValue')) errs.push(field.required(path.child('target', 'averageValue'), 'must set either a target value or averageValue'));
      return errs;
    }
    case 'external': {
      const errs = [...validateMetricIdentifier(src['metric'], path.child('metric')), ...validateMetricTarget(src['target'], path.child('target'))];
      if (!has(target, 'value') && !has(target, 'averageValue'))
        errs.push(field.required(path.child('target', 'averageValue'), 'must set either a target value for metric or a per-pod target'));
      if (has(target, 'value') && has(target, 'averageValue'))
        errs.push(field.forbidden(path.child('target', 'value'), 'may not set both a target value for metric and a per-pod target'));
      return errs;
    }
    case 'pods': {
      const errs = [...validateMetricIdentifier(src['metric'], path.child('metric')), ...validateMetricTarget(src['target'], path.child('target'))];
      if (!has(target, 'averageValue')) errs.push(field.required(path.child('target', 'averageValue'), 'must specify a positive target averageValue'));
      return errs;
    }
    default:
      return validateResourceSource(src, path, kind === 'containerResource');
  }
}

/** validateMetricSpec: a known type, its source set (and validated), no other source set. */
function validateMetricSpec(raw: unknown, path: Path): ErrorList {
  const spec = asRecord(raw);
  const errs: ErrorList = [];
  const type = asString(spec['type']);
  if (!type) errs.push(field.required(path.child('type'), 'must specify a metric source type'));
  const present = Object.values(SOURCE_FIELDS).filter((f) => has(spec, f));
  // Only the first source present is validated, as upstream does.
  if (present[0]) errs.push(...validateSource(present[0], asRecord(spec[present[0]]), path.child(present[0])));
  const expected = SOURCE_FIELDS[type];
  if (!expected) errs.push(field.notSupported(path.child('type'), type, METRIC_SOURCE_TYPES));
  else if (!has(spec, expected)) errs.push(field.required(path.child(expected), 'must populate information for the given metric source'));
  if (present.length !== 1)
    for (const f of present.filter((p) => p !== expected)) errs.push(field.forbidden(path.child(f), 'must populate the given metric source only'));
  return errs;
}

function validateScalingRules(raw: unknown, path: Path): ErrorList {
  if (raw === undefined || raw === null) return [];
  const rules = asRecord(raw);
  const errs: ErrorList = [];
  const window = rules['stabilizationWindowSeconds'];
  if (typeof window === 'number' && window < 0) errs.push(field.invalid(path.child('stabilizationWindowSeconds'), window, 'must be greater than or equal to zero'));
  if (typeof window === 'number' && window > MAX_STABILIZATION_WINDOW_SECONDS)
    errs.push(field.invalid(path.child('stabilizationWindowSeconds'), window, `must be less than or equal to ${MAX_STABILIZATION_WINDOW_SECONDS}`));
  const select = rules['selectPolicy'];
  if (select !== undefined && select !== null && !SELECT_POLICIES.includes(asString(select))) errs.push(field.notSupported(path.child('selectPolicy'), select, SELECT_POLICIES));
  const policies = asArray(rules['policies']);
  if (policies.length === 0) errs.push(field.required(path.child('policies'), 'must specify at least one Policy'));
  policies.forEach((p, i) => {
    const policy = asRecord(p);
    const pp = path.child('policies').index(i);
    if (!POLICY_TYPES.includes(asString(policy['type']))) errs.push(field.notSupported(pp.child('type'), asString(policy['type']), POLICY_TYPES));
    const value = typeof policy['value'] === 'number' ? policy['value'] : 0;
    if (value <= 0) errs.push(field.invalid(pp.child('value'), value, 'must be greater than zero'));
    const period = typeof policy['periodSeconds'] === 'number' ? policy['periodSeconds'] : 0;
    if (period <= 0) errs.push(field.invalid(pp.child('periodSeconds'), period, 'must be greater than zero'));
    if (period > MAX_PERIOD_SECONDS) errs.push(field.invalid(pp.child('periodSeconds'), period, `must be less than or equal to ${MAX_PERIOD_SECONDS}`));
  });
  return errs;
}

export function validateHorizontalPodAutoscaler(hpa: Obj): ErrorList {
  const errs = validateObjectMeta(hpa['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(hpa['spec']);
  const path = Path.root('spec');
  const min = spec['minReplicas'];
  const max = typeof spec['maxReplicas'] === 'number' ? spec['maxReplicas'] : 0;
  // minReplicas 0 needs the HPAScaleToZero alpha gate, which tskube does not have.
  if (typeof min === 'number' && min < 1) errs.push(field.invalid(path.child('minReplicas'), min, 'must be greater than or equal to 1'));
  if (max < 1) errs.push(field.invalid(path.child('maxReplicas'), max, 'must be greater than 0'));
  if (typeof min === 'number' && max < min) errs.push(field.invalid(path.child('maxReplicas'), max, 'must be greater than or equal to `minReplicas`'));
  errs.push(...validateCrossVersionObjectReference(spec['scaleTargetRef'], path.child('scaleTargetRef')));
  asArray(spec['metrics']).forEach((m, i) => errs.push(...validateMetricSpec(m, path.child('metrics').index(i))));
  const behavior = asRecord(spec['behavior']);
  errs.push(...validateScalingRules(behavior['scaleUp'], path.child('behavior', 'scaleUp')));
  errs.push(...validateScalingRules(behavior['scaleDown'], path.child('behavior', 'scaleDown')));
  return errs;
}

/** validateHorizontalPodAutoscalerStatus: replica counts are not negative. */
export function validateHorizontalPodAutoscalerStatus(hpa: Obj): ErrorList {
  const status = asRecord(hpa['status']);
  return [
    ...validateNonnegative(status['currentReplicas'], Path.root('status', 'currentReplicas')),
    // Upstream's path has this typo ("desiredReplicasa"); clients see it in the cause.
    ...validateNonnegative(status['desiredReplicas'], Path.root('status', 'desiredReplicasa')),
  ];
}
