// PodSpec, PodTemplateSpec and Pod create/update/status rules (pkg/apis/core/validation).
import { type ErrorList, Path, field, asArray, asRecord, asString, asStringMap } from './field.js';
import { inclusiveRangeError, isValidLabelValue, nameIsDNSSubdomain } from './names.js';
import { validateAnnotations, validateLabelName, validateLabels, validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import { checkHostPortConflicts, validateContainerCommon, validateContainerProbes, validateDNS1123Label } from './container.js';
import { validateVolumes } from './volumes.js';
import { describeDiff, semanticEqual } from './equal.js';

const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

export const UPDATABLE_POD_SPEC_FIELDS = [
  '`spec.containers[*].image`',
  '`spec.initContainers[*].image`',
  '`spec.activeDeadlineSeconds`',
  '`spec.tolerations` (only additions to existing tolerations)',
  '`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
];

function validateEnum(value: unknown, valid: readonly string[], path: Path): ErrorList {
  const v = asString(value);
  if (!v) return [field.required(path)];
  return valid.includes(v) ? [] : [field.notSupported(path, v, valid)];
}

export function validateTolerations(tolerations: unknown, path: Path): ErrorList {
  const errs: ErrorList = [];
  asArray(tolerations).forEach((raw, i) => {
    const t = asRecord(raw);
    const p = path.index(i);
    const key = asString(t['key']);
    const op = asString(t['operator']);
    const effect = asString(t['effect']);
    const value = asString(t['value']);
    if (key) errs.push(...validateLabelName(key, p.child('key')));
    if (!key && op !== 'Exists')
      errs.push(field.invalid(p.child('operator'), op, 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    if (t['tolerationSeconds'] !== undefined && t['tolerationSeconds'] !== null && effect !== 'NoExecute')
      errs.push(field.invalid(p.child('effect'), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"));
    if (op === 'Equal' || op === '') {
      const msgs = isValidLabelValue(value);
      if (msgs.length) errs.push(field.invalid(p.child('operator'), value, msgs.join(';')));
    } else if (op === 'Exists') {
      if (value) errs.push(field.invalid(p.child('operator'), value, "value must be empty when `operator` is 'Exists'"));
    } else {
      errs.push(field.notSupported(p.child('operator'), op, ['Equal', 'Exists']));
    }
    if (effect && !TAINT_EFFECTS.includes(effect)) errs.push(field.notSupported(p.child('effect'), effect, TAINT_EFFECTS));
  });
  return errs;
}

function validateContainers(spec: Record<string, unknown>, volumes: ReadonlySet<string>, path: Path): ErrorList {
  const containers = asArray(spec['containers']);
  const errs: ErrorList = [];
  const cPath = path.child('containers');
  if (containers.length === 0) errs.push(field.required(cPath));
  const names = new Set<string>();
  containers.forEach((raw, i) => {
    const p = cPath.index(i);
    errs.push(...validateContainerCommon(raw, volumes, p));
    const name = asString(asRecord(raw)['name']);
    if (names.has(name)) errs.push(field.duplicate(p.child('name'), name));
    else names.add(name);
    errs.push(...validateContainerProbes(raw, p));
    if (asRecord(raw)['restartPolicy'] !== undefined) errs.push(field.forbidden(p.child('restartPolicy'), 'may not be set for non-init containers'));
  });
  errs.push(...checkHostPortConflicts(containers, cPath));

  // Init container names must be unique across init and regular containers.
  const iPath = path.child('initContainers');
  asArray(spec['initContainers']).forEach((raw, i) => {
    const ctr = asRecord(raw);
    const p = iPath.index(i);
    errs.push(...validateContainerCommon(raw, volumes, p));
    const restartAlways = ctr['restartPolicy'] === 'Always';
    if (ctr['restartPolicy'] !== undefined && !restartAlways)
      errs.push(field.notSupported(p.child('restartPolicy'), ctr['restartPolicy'], ['Always']));
    const name = asString(ctr['name']);
    if (names.has(name)) errs.push(field.duplicate(p.child('name'), name));
    else if (name) names.add(name);
    errs.push(...checkHostPortConflicts([raw], iPath));
    if (restartAlways) errs.push(...validateContainerProbes(raw, p));
    else
      for (const f of ['lifecycle', 'livenessProbe', 'readinessProbe', 'startupProbe'])
        if (ctr[f] !== undefined && ctr[f] !== null) errs.push(field.forbidden(p.child(f), 'may not be set for init containers without restartPolicy=Always'));
  });
  return errs;
}

/** ValidatePodSpec: the rules shared by pods and every pod template. Assumes defaults were applied. */
export function validatePodSpec(raw: unknown, path: Path): ErrorList {
  const spec = asRecord(raw);
  const errs: ErrorList = [];
  if (spec['terminationGracePeriodSeconds'] === undefined || spec['terminationGracePeriodSeconds'] === null)
    errs.push(field.required(path.child('terminationGracePeriodSeconds')));
  const volumes = validateVolumes(spec['volumes'], path.child('volumes'));
  errs.push(...volumes.errs);
  errs.push(...validateContainers(spec, volumes.names, path));
  errs.push(...validateEnum(spec['restartPolicy'], RESTART_POLICIES, path.child('restartPolicy')));
  errs.push(...validateEnum(spec['dnsPolicy'], DNS_POLICIES, path.child('dnsPolicy')));
  if (spec['dnsPolicy'] === 'None') {
    const cfg = spec['dnsConfig'];
    if (!cfg) errs.push(field.required(path.child('dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None'));
    else if (asArray(asRecord(cfg)['nameservers']).length === 0)
      errs.push(field.required(path.child('dnsConfig', 'nameservers'), 'must provide at least one DNS nameserver when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(spec['nodeSelector'], path.child('nodeSelector')));
  for (const [f, check] of [
    ['serviceAccountName', nameIsDNSSubdomain],
    ['nodeName', nameIsDNSSubdomain],
    ['priorityClassName', nameIsDNSSubdomain],
  ] as const) {
    const v = asString(spec[f]);
    if (v) for (const m of check(v, false)) errs.push(field.invalid(path.child(f), v, m));
  }
  const ads = spec['activeDeadlineSeconds'];
  if (typeof ads === 'number' && (ads < 1 || ads > MAX_INT32))
    errs.push(field.invalid(path.child('activeDeadlineSeconds'), ads, inclusiveRangeError(1, MAX_INT32)));
  for (const f of ['hostname', 'subdomain']) {
    const v = asString(spec[f]);
    if (v) errs.push(...validateDNS1123Label(v, path.child(f)));
  }
  errs.push(...validateTolerations(spec['tolerations'], path.child('tolerations')));
  // Host networking pods must publish their container ports as the same host ports.
  if (spec['hostNetwork'] === true)
    asArray(spec['containers']).forEach((c, ci) =>
      asArray(asRecord(c)['ports']).forEach((pr, pi) => {
        const port = asRecord(pr);
        const hp = port['hostPort'] ?? 0;
        if (hp !== 0 && hp !== port['containerPort'])
          errs.push(field.invalid(path.child('containers').index(ci).child('ports').index(pi).child('hostPort'), hp, 'must match `containerPort` when `hostNetwork` is true'));
      }),
    );
  return errs;
}

/** ValidatePodTemplateSpec: template labels/annotations plus the pod spec under `<path>.spec`. */
export function validatePodTemplateSpec(raw: unknown, path: Path): ErrorList {
  const tmpl = asRecord(raw);
  const meta = asRecord(tmpl['metadata']);
  const errs = validateLabels(meta['labels'], path.child('labels'));
  errs.push(...validateAnnotations(meta['annotations'], path.child('annotations')));
  errs.push(...validatePodSpec(tmpl['spec'], path.child('spec')));
  if (asArray(asRecord(tmpl['spec'])['ephemeralContainers']).length > 0)
    errs.push(field.forbidden(path.child('spec', 'ephemeralContainers'), 'ephemeral containers not allowed in pod template'));
  return errs;
}

export function validatePod(pod: Record<string, unknown>): ErrorList {
  const specPath = Path.root('spec');
  const errs = validateObjectMeta(pod['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  errs.push(...validatePodSpec(pod['spec'], specPath));
  // Pod-only (not template): images may not carry surrounding whitespace.
  const spec = asRecord(pod['spec']);
  for (const kind of ['containers', 'initContainers'])
    asArray(spec[kind]).forEach((c, i) => {
      const image = asString(asRecord(c)['image']);
      if (image !== image.trim()) errs.push(field.invalid(specPath.child(kind).index(i).child('image'), image, 'must not have leading or trailing whitespace'));
    });
  return errs;
}

function validateContainerUpdates(newList: unknown[], oldList: unknown[], path: Path): { errs: ErrorList; stop: boolean } {
  if (newList.length !== oldList.length) return { errs: [field.forbidden(path, 'pod updates may not add or remove containers')], stop: true };
  const errs: ErrorList = [];
  newList.forEach((c, i) => {
    if (!asString(asRecord(c)['image'])) errs.push(field.required(path.index(i).child('image')));
  });
  return { errs, stop: false };
}

function validateOnlyAddedTolerations(newT: unknown[], oldT: unknown[], path: Path): ErrorList {
  for (const old of oldT) {
    // tolerationSeconds may change; everything else about an existing toleration is fixed.
    const found = newT.some((n) => semanticEqual({ ...asRecord(old), tolerationSeconds: asRecord(n)['tolerationSeconds'] }, n));
    if (!found) return [field.forbidden(path, 'existing toleration can not be modified except its tolerationSeconds')];
  }
  return validateTolerations(newT, path);
}

export function validatePodUpdate(pod: Record<string, unknown>, old: Record<string, unknown>): ErrorList {
  const errs = validateObjectMetaUpdate(pod['metadata'], old['metadata'], Path.root('metadata'));
  errs.push(...validatePod(pod));
  const specPath = Path.root('spec');
  const spec = asRecord(pod['spec']);
  const oldSpec = asRecord(old['spec']);
  for (const kind of ['containers', 'initContainers']) {
    const r = validateContainerUpdates(asArray(spec[kind]), asArray(oldSpec[kind]), specPath.child(kind));
    errs.push(...r.errs);
    if (r.stop) return errs;
  }
  const ads = spec['activeDeadlineSeconds'];
  const oldAds = oldSpec['activeDeadlineSeconds'];
  if (typeof ads === 'number') {
    if (ads < 0 || ads > MAX_INT32) return [...errs, field.invalid(specPath.child('activeDeadlineSeconds'), ads, inclusiveRangeError(0, MAX_INT32))];
    if (typeof oldAds === 'number' && oldAds < ads)
      return [...errs, field.invalid(specPath.child('activeDeadlineSeconds'), ads, 'must be less than or equal to previous value')];
  } else if (typeof oldAds === 'number') {
    errs.push(field.invalid(specPath.child('activeDeadlineSeconds'), null, 'must not update from a positive integer to nil value'));
  }
  errs.push(...validateOnlyAddedTolerations(asArray(spec['tolerations']), asArray(oldSpec['tolerations']), specPath.child('tolerations')));
  if (semanticEqual(spec, oldSpec)) return errs;

  // Copy the mutable fields from the old spec; whatever still differs is forbidden.
  const munged: Record<string, unknown> = { ...spec };
  for (const kind of ['containers', 'initContainers']) {
    const oldList = asArray(oldSpec[kind]);
    if (Array.isArray(spec[kind])) munged[kind] = asArray(spec[kind]).map((c, i) => ({ ...asRecord(c), image: asRecord(oldList[i])['image'] }));
  }
  munged['activeDeadlineSeconds'] = oldSpec['activeDeadlineSeconds'];
  munged['tolerations'] = oldSpec['tolerations'];
  munged['schedulingGates'] = oldSpec['schedulingGates'];
  const oldTgps = oldSpec['terminationGracePeriodSeconds'];
  if (typeof oldTgps === 'number' && oldTgps < 0 && munged['terminationGracePeriodSeconds'] === 1) munged['terminationGracePeriodSeconds'] = oldTgps;
  if (!semanticEqual(munged, oldSpec)) {
    const diff = describeDiff(oldSpec, munged).join('\n');
    errs.push(field.forbidden(specPath, `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS.join(',')}\n${diff}`));
  }
  return errs;
}

/** Status writes: metadata rules, and the spec's binding (nodeName) may not move. */
export function validatePodStatusUpdate(pod: Record<string, unknown>, old: Record<string, unknown>): ErrorList {
  const errs = validateObjectMetaUpdate(pod['metadata'], old['metadata'], Path.root('metadata'));
  if (asString(asRecord(pod['spec'])['nodeName']) !== asString(asRecord(old['spec'])['nodeName']))
    errs.push(field.forbidden(Path.root('status', 'nodeName'), 'may not be changed directly'));
  const status = asRecord(pod['status']);
  const nominated = asString(status['nominatedNodeName']);
  if (nominated && nominated !== asString(asRecord(old['status'])['nominatedNodeName']))
    for (const m of nameIsDNSSubdomain(nominated, false)) errs.push(field.invalid(Path.root('status', 'nominatedNodeName'), nominated, m));
  const qos = asRecord(pod['status'])['qosClass'];
  const oldQos = asRecord(old['status'])['qosClass'];
  if (oldQos !== undefined && !semanticEqual(qos, oldQos)) errs.push(field.invalid(Path.root('status', 'qosClass'), qos ?? '', 'field is immutable'));
  return errs;
}

/** The template labels a workload's selector must match. */
export function templateLabels(template: unknown): Record<string, string> {
  return asStringMap(asRecord(asRecord(template)['metadata'])['labels']);
}
