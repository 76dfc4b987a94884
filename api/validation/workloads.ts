// apps/v1 workloads and the core ReplicationController (pkg/apis/apps/validation and core's RC
// rules): selectors that match their template, replicas ≥ 0, restartPolicy Always, strategies.
import { type ErrorList, Path, field, FIELD_IMMUTABLE, GoText, IS_NEGATIVE, asRecord, asString, asStringMap, validateNonnegative } from './field.js';
import { isValidPercent, nameIsDNSSubdomain } from './names.js';
import { validateLabelSelector, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { templateLabels, validatePodTemplateSpec } from './pod.js';
import { goLabelSelector, isEmptySelector, mapSelectorMatches, selectorMatches } from './selector.js';
import { semanticEqual } from './equal.js';

type Obj = Record<string, unknown>;
const spec = (o: Obj): Obj => asRecord(o['spec']);

/** Template checks shared by RC/RS/Deployment/StatefulSet/DaemonSet: labels match, restartPolicy Always. */
function validateTemplateForController(template: unknown, matches: boolean | undefined, kind: string, path: Path): ErrorList {
  if (template === undefined || template === null) return [field.required(path)];
  const errs: ErrorList = [];
  if (matches === false)
    errs.push(field.invalid(path.child('metadata', 'labels'), templateLabels(template), '`selector` does not match template `labels`'));
  errs.push(...validatePodTemplateSpec(template, path));
  const podSpec = asRecord(asRecord(template)['spec']);
  const restart = asString(podSpec['restartPolicy']);
  if (restart && restart !== 'Always') errs.push(field.notSupported(path.child('spec', 'restartPolicy'), restart, ['Always']));
  if (podSpec['activeDeadlineSeconds'] !== undefined && podSpec['activeDeadlineSeconds'] !== null)
    errs.push(field.forbidden(path.child('spec', 'activeDeadlineSeconds'), `activeDeadlineSeconds in ${kind} is not Supported`));
  return errs;
}

/** apps/v1 selector: required, non-empty, valid, and matching the template's labels. */
function validateSelectorAndTemplate(s: Obj, emptyWhat: string, kind: string, path: Path): ErrorList {
  const errs: ErrorList = [];
  const selector = s['selector'];
  let matches: boolean | undefined;
  if (selector === undefined || selector === null) {
    errs.push(field.required(path.child('selector')));
  } else {
    errs.push(...validateLabelSelector(selector, path.child('selector')));
    if (isEmptySelector(selector)) errs.push(field.invalid(path.child('selector'), goLabelSelector(selector), `empty selector is invalid for ${emptyWhat}`));
    else matches = selectorMatches(selector, templateLabels(s['template']));
  }
  errs.push(...validateTemplateForController(s['template'], matches, kind, path.child('template')));
  return errs;
}

function intOrPercentValue(v: unknown): { value: number; percent: boolean } {
  if (typeof v === 'number') return { value: v, percent: false };
  const s = asString(v);
  return { value: s.endsWith('%') ? Number.parseInt(s, 10) : Number.NaN, percent: true };
}

function validatePositiveIntOrPercent(v: unknown, path: Path): ErrorList {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return isValidPercent(v).map((m) => field.invalid(path, new GoText(v), m));
  if (typeof v === 'number') return validateNonnegative(v, path);
  return [field.invalid(path, v, "must be an integer or percentage (e.g '5%')")];
}

function validateNotMoreThan100Percent(v: unknown, path: Path): ErrorList {
  const { value, percent } = intOrPercentValue(v);
  return percent && value > 100 ? [field.invalid(path, new GoText(asString(v)), 'must not be greater than 100%')] : [];
}

function validateRollingUpdate(ru: Obj, path: Path): ErrorList {
  const errs = validatePositiveIntOrPercent(ru['maxUnavailable'], path.child('maxUnavailable'));
  errs.push(...validatePositiveIntOrPercent(ru['maxSurge'], path.child('maxSurge')));
  if (intOrPercentValue(ru['maxUnavailable'] ?? 0).value === 0 && intOrPercentValue(ru['maxSurge'] ?? 0).value === 0)
    errs.push(field.invalid(path.child('maxUnavailable'), new GoText(String(ru['maxUnavailable'] ?? 0)), 'may not be 0 when `maxSurge` is 0'));
  errs.push(...validateNotMoreThan100Percent(ru['maxUnavailable'], path.child('maxUnavailable')));
  return errs;
}

function validateDeploymentSpec(s: Obj, path: Path): ErrorList {
  const errs = validateNonnegative(s['replicas'], path.child('replicas'));
  errs.push(...validateSelectorAndTemplate(s, 'deployment', 'ReplicaSet', path));
  const strategy = asRecord(s['strategy']);
  const sPath = path.child('strategy');
  const type = asString(strategy['type']);
  if (type === 'Recreate') {
    if (strategy['rollingUpdate']) errs.push(field.forbidden(sPath.child('rollingUpdate'), "may not be specified when strategy `type` is 'Recreate'"));
  } else if (type === 'RollingUpdate') {
    if (!strategy['rollingUpdate']) errs.push(field.required(sPath.child('rollingUpdate'), 'this should be defaulted and never be nil'));
    else errs.push(...validateRollingUpdate(asRecord(strategy['rollingUpdate']), sPath.child('rollingUpdate')));
  } else {
    errs.push(field.notSupported(sPath, strategy, ['Recreate', 'RollingUpdate']));
  }
  errs.push(...validateNonnegative(s['revisionHistoryLimit'], path.child('revisionHistoryLimit')));
  errs.push(...validateNonnegative(s['minReadySeconds'], path.child('minReadySeconds')));
  const pds = s['progressDeadlineSeconds'];
  if (typeof pds === 'number') {
    errs.push(...validateNonnegative(pds, path.child('progressDeadlineSeconds')));
    if (pds <= (typeof s['minReadySeconds'] === 'number' ? s['minReadySeconds'] : 0))
      errs.push(field.invalid(path.child('progressDeadlineSeconds'), pds, 'must be greater than minReadySeconds'));
  }
  return errs;
}

function validateReplicaSetSpec(s: Obj, path: Path): ErrorList {
  const errs = validateNonnegative(s['replicas'], path.child('replicas'));
  errs.push(...validateNonnegative(s['minReadySeconds'], path.child('minReadySeconds')));
  errs.push(...validateSelectorAndTemplate(s, 'deployment', 'ReplicaSet', path));
  return errs;
}

function validateRCSpec(s: Obj, path: Path): ErrorList {
  const errs = validateNonnegative(s['minReadySeconds'], path.child('minReadySeconds'));
  const selector = asStringMap(s['selector']);
  if (Object.keys(selector).length === 0) errs.push(field.required(path.child('selector')));
  errs.push(...validateNonnegative(s['replicas'], path.child('replicas')));
  const matches = Object.keys(selector).length ? mapSelectorMatches(selector, templateLabels(s['template'])) : undefined;
  errs.push(...validateTemplateForController(s['template'], matches, 'ReplicationController', path.child('template')));
  return errs;
}

function validateUpdateStrategyType(strategy: Obj, path: Path): ErrorList {
  const type = asString(strategy['type']);
  if (!type) return [field.required(path.child('type'))];
  if (type !== 'RollingUpdate' && type !== 'OnDelete') return [field.notSupported(path.child('type'), type, ['OnDelete', 'RollingUpdate'])];
  return [];
}

function validateStatefulSetSpec(s: Obj, path: Path): ErrorList {
  const errs: ErrorList = [];
  const pmp = asString(s['podManagementPolicy']);
  if (!pmp) errs.push(field.required(path.child('podManagementPolicy')));
  else if (pmp !== 'OrderedReady' && pmp !== 'Parallel')
    errs.push(field.invalid(path.child('podManagementPolicy'), pmp, `must be 'OrderedReady' or 'Parallel'`));
  const strategy = asRecord(s['updateStrategy']);
  errs.push(...validateUpdateStrategyType(strategy, path.child('updateStrategy')));
  const partition = asRecord(strategy['rollingUpdate'])['partition'];
  errs.push(...validateNonnegative(partition, path.child('updateStrategy', 'rollingUpdate', 'partition')));
  errs.push(...validateNonnegative(s['replicas'], path.child('replicas')));
  errs.push(...validateNonnegative(s['minReadySeconds'], path.child('minReadySeconds')));
  errs.push(...validateSelectorAndTemplate({ ...s, template: withClaimVolumes(s['template'], s['volumeClaimTemplates']) }, 'statefulset', 'StatefulSet', path));
  errs.push(...validatePVCRetentionPolicy(s['persistentVolumeClaimRetentionPolicy'], path.child('persistentVolumeClaimRetentionPolicy')));
  return errs;
}

/**
 * The template as the controller makes pods from it: each volumeClaimTemplate is a
 * persistentVolumeClaim volume of that name, so containers may mount it (upstream does not
 * validate a StatefulSet's pod volumes at all for this reason; here the rest is still checked).
 */
function withClaimVolumes(template: unknown, claimTemplates: unknown): unknown {
  if (!Array.isArray(claimTemplates) || claimTemplates.length === 0 || template === null || typeof template !== 'object') return template;
  const t = asRecord(template);
  const podSpec = asRecord(t['spec']);
  const volumes = Array.isArray(podSpec['volumes']) ? (podSpec['volumes'] as unknown[]) : [];
  const have = new Set(volumes.map((v) => asString(asRecord(v)['name'])));
  const added = claimTemplates
    .map((c) => asString(asRecord(asRecord(c)['metadata'])['name']))
    .filter((name) => name && !have.has(name))
    .map((name) => ({ name, persistentVolumeClaim: { claimName: name } }));
  return added.length === 0 ? template : { ...t, spec: { ...podSpec, volumes: [...volumes, ...added] } };
}

/** Sorted, as upstream's sets.List() of the supported policies. */
const PVC_RETENTION_POLICIES = ['Delete', 'Retain'];

/** whenDeleted / whenScaled: Retain or Delete (ValidatePersistentVolumeClaimRetentionPolicy; defaulting fills both). */
function validatePVCRetentionPolicy(policy: unknown, path: Path): ErrorList {
  if (policy === undefined || policy === null) return [];
  const p = asRecord(policy);
  const errs: ErrorList = [];
  for (const k of ['whenDeleted', 'whenScaled']) {
    const v = asString(p[k]);
    if (!PVC_RETENTION_POLICIES.includes(v)) errs.push(field.notSupported(path.child(k), v, PVC_RETENTION_POLICIES));
  }
  return errs;
}

function validateDaemonSetSpec(s: Obj, path: Path): ErrorList {
  const errs = validateSelectorAndTemplate(s, 'daemonset', 'DaemonSet', path);
  errs.push(...validateNonnegative(s['minReadySeconds'], path.child('minReadySeconds')));
  errs.push(...validateNonnegative(s['revisionHistoryLimit'], path.child('revisionHistoryLimit')));
  const strategy = asRecord(s['updateStrategy']);
  errs.push(...validateUpdateStrategyType(strategy, path.child('updateStrategy')));
  if (strategy['type'] === 'RollingUpdate') {
    const ru = asRecord(strategy['rollingUpdate']);
    const p = path.child('updateStrategy', 'rollingUpdate');
    errs.push(...validatePositiveIntOrPercent(ru['maxUnavailable'], p.child('maxUnavailable')));
    errs.push(...validatePositiveIntOrPercent(ru['maxSurge'], p.child('maxSurge')));
    if (intOrPercentValue(ru['maxUnavailable'] ?? 0).value === 0 && intOrPercentValue(ru['maxSurge'] ?? 0).value === 0)
      errs.push(field.invalid(p.child('maxUnavailable'), new GoText(String(ru['maxUnavailable'] ?? 0)), 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

const SPEC_VALIDATORS: Record<string, (s: Obj, path: Path) => ErrorList> = {
  Deployment: validateDeploymentSpec,
  ReplicaSet: validateReplicaSetSpec,
  ReplicationController: validateRCSpec,
  StatefulSet: validateStatefulSetSpec,
  DaemonSet: validateDaemonSetSpec,
};

export function validateWorkload(kind: string, obj: Obj): ErrorList {
  const errs = validateObjectMeta(obj['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const validator = SPEC_VALIDATORS[kind];
  if (validator) errs.push(...validator(spec(obj), Path.root('spec')));
  return errs;
}

const STATEFULSET_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateWorkloadUpdate(kind: string, obj: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(obj['metadata'], old['metadata'], Path.root('metadata'));
  errs.push(...validateWorkload(kind, obj).filter((e) => !e.field.startsWith('metadata.')));
  if (kind === 'Deployment' || kind === 'ReplicaSet' || kind === 'DaemonSet') {
    // apps/v1 selectors are immutable: changing them would orphan the running pods.
    if (!semanticEqual(spec(obj)['selector'], spec(old)['selector']))
      errs.push(field.invalid(Path.root('spec', 'selector'), goLabelSelector(spec(obj)['selector']), FIELD_IMMUTABLE));
  }
  if (kind === 'StatefulSet') {
    const strip = (s: Obj): Obj => Object.fromEntries(Object.entries(s).filter(([k]) => !STATEFULSET_MUTABLE.includes(k)));
    if (!semanticEqual(strip(spec(obj)), strip(spec(old))))
      errs.push(
        field.forbidden(
          Path.root('spec'),
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
  }
  return errs;
}

/** Status writes for workloads: counters are non-negative. */
export function validateWorkloadStatus(obj: Obj): ErrorList {
  const status = asRecord(obj['status']);
  const errs: ErrorList = [];
  for (const f of ['replicas', 'readyReplicas', 'availableReplicas', 'updatedReplicas', 'fullyLabeledReplicas', 'currentReplicas', 'observedGeneration'])
    if (typeof status[f] === 'number' && (status[f] as number) < 0) errs.push(field.invalid(Path.root('status', f), status[f], IS_NEGATIVE));
  return errs;
}
