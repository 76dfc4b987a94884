// Namespace, Node, Event, Lease and the other kinds with only a few rules of their own.
import { type ErrorList, Path, field, asArray, asRecord, asString, validateNonnegative } from './field.js';
import { isQualifiedName, isValidLabelValue, nameIsDNSLabel, nameIsDNSSubdomain, isDNS1123Subdomain } from './names.js';
import { validateLabelName, validateObjectMeta } from './meta.js';

type Obj = Record<string, unknown>;
const TAINT_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

export function validateNamespace(ns: Obj): ErrorList {
  const errs = validateObjectMeta(ns['metadata'], false, nameIsDNSLabel, Path.root('metadata'));
  const finalizers = asArray(asRecord(ns['spec'])['finalizers']).map(asString);
  finalizers.forEach((f, i) => {
    for (const m of isQualifiedName(f)) errs.push(field.invalid(Path.root('spec', 'finalizers').index(i), f, m));
  });
  return errs;
}

export function validateNode(node: Obj): ErrorList {
  const errs = validateObjectMeta(node['metadata'], false, nameIsDNSSubdomain, Path.root('metadata'));
  const seen = new Set<string>();
  asArray(asRecord(node['spec'])['taints']).forEach((raw, i) => {
    const t = asRecord(raw);
    // k8s reports taint errors under metadata.taints (sic).
    const p = Path.root('metadata', 'taints').index(i);
    errs.push(...validateLabelName(asString(t['key']), p.child('key')));
    const msgs = isValidLabelValue(asString(t['value']));
    if (msgs.length) errs.push(field.invalid(p.child('value'), asString(t['value']), msgs.join(';')));
    const effect = asString(t['effect']);
    if (!effect) errs.push(field.required(p.child('effect')));
    else if (!TAINT_EFFECTS.includes(effect)) errs.push(field.notSupported(p.child('effect'), effect, TAINT_EFFECTS));
    const key = `${effect}/${asString(t['key'])}`;
    if (seen.has(key)) errs.push({ ...field.duplicate(p, t), message: `Duplicate value: ${JSON.stringify(t)}: taints must be unique by key and effect pair` });
    seen.add(key);
  });
  return errs;
}

/** Node updates may set podCIDRs and providerID once, but never change them afterwards. */
export function validateNodeUpdate(node: Obj, old: Obj): ErrorList {
  const errs: ErrorList = [];
  const spec = asRecord(node['spec']);
  const oldSpec = asRecord(old['spec']);
  const oldCIDRs = asArray(oldSpec['podCIDRs']).map(asString);
  const newCIDRs = asArray(spec['podCIDRs']).map(asString);
  if (oldCIDRs.length > 0 && (oldCIDRs.length !== newCIDRs.length || oldCIDRs.some((c, i) => c !== newCIDRs[i])))
    errs.push(field.forbidden(Path.root('spec', 'podCIDRs'), 'node updates may not change podCIDR except from "" to valid'));
  const oldProvider = asString(oldSpec['providerID']);
  if (oldProvider && oldProvider !== asString(spec['providerID']))
    errs.push(field.forbidden(Path.root('spec', 'providerID'), 'node updates may not change providerID except from "" to valid'));
  return errs;
}

/** core/v1 Events: the legacy rule that event and involved object share a namespace. */
export function validateEvent(ev: Obj): ErrorList {
  const meta = asRecord(ev['metadata']);
  const errs = validateObjectMeta(meta, true, nameIsDNSSubdomain, Path.root('metadata'));
  const namespace = asString(meta['namespace']);
  const involvedNs = asString(asRecord(ev['involvedObject'])['namespace']);
  if (!ev['eventTime']) {
    if (!involvedNs ? namespace !== '' && namespace !== 'default' : namespace !== involvedNs)
      errs.push(field.invalid(Path.root('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace'));
  } else {
    if (!involvedNs && namespace !== 'kube-system')
      errs.push(field.invalid(Path.root('involvedObject', 'namespace'), involvedNs, 'does not match event.namespace'));
    const controller = asString(ev['reportingComponent']);
    if (!controller) errs.push(field.required(Path.root('reportingComponent')));
    else for (const m of isQualifiedName(controller)) errs.push(field.invalid(Path.root('reportingComponent'), controller, m));
    if (!asString(ev['reportingInstance'])) errs.push(field.required(Path.root('reportingInstance')));
    if (!asString(ev['action'])) errs.push(field.required(Path.root('action')));
    if (!asString(ev['reason'])) errs.push(field.required(Path.root('reason')));
  }
  return errs;
}

export function validateLease(lease: Obj): ErrorList {
  const errs = validateObjectMeta(lease['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(lease['spec']);
  const duration = spec['leaseDurationSeconds'];
  if (typeof duration === 'number' && duration <= 0)
    errs.push(field.invalid(Path.root('spec', 'leaseDurationSeconds'), duration, 'must be greater than 0'));
  errs.push(...validateNonnegative(spec['leaseTransitions'], Path.root('spec', 'leaseTransitions')));
  return errs;
}

export function validatePersistentVolumeClaim(pvc: Obj): ErrorList {
  const errs = validateObjectMeta(pvc['metadata'], true, nameIsDNSSubdomain, Path.root('metadata'));
  const spec = asRecord(pvc['spec']);
  if (asArray(spec['accessModes']).length === 0) errs.push(field.required(Path.root('spec', 'accessModes'), 'at least 1 access mode is required'));
  if (!asRecord(asRecord(spec['resources'])['requests'])['storage']) errs.push(field.required(Path.root('spec', 'resources').key('storage')));
  const sc = spec['storageClassName'];
  if (typeof sc === 'string' && sc) for (const m of isDNS1123Subdomain(sc)) errs.push(field.invalid(Path.root('spec', 'storageClassName'), sc, m));
  return errs;
}
