// scheduling.k8s.io/v1 PriorityClass (pkg/apis/scheduling/validation/validation.go): reserved
// `system-` names, the highest user value, the preemptionPolicy enum, and value and
// preemptionPolicy immutable on update.
import { type ErrorList, Path, field, asRecord, FIELD_IMMUTABLE } from './field.js';
import { nameIsDNSSubdomain } from './names.js';
import { validateObjectMeta, validateObjectMetaUpdate } from './meta.js';
import {
  HIGHEST_USER_DEFINABLE_PRIORITY,
  PREEMPTION_POLICIES,
  SYSTEM_PRIORITY_CLASS_PREFIX,
  systemPriorityClassMismatch,
} from '../scheduling/priority.js';

type Obj = Record<string, unknown>;

export function validatePriorityClass(o: Obj): ErrorList {
  const errs = validateObjectMeta(o['metadata'], false, nameIsDNSSubdomain, Path.root('metadata'));
  const name = String(asRecord(o['metadata'])['name'] ?? '');
  const value = o['value'];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < -2147483648 || value > 2147483647) {
    errs.push(field.invalid(Path.root('value'), value, 'must be a 32-bit integer'));
  } else if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const why = systemPriorityClassMismatch(name, value, o['globalDefault']);
    if (why)
      errs.push(field.forbidden(Path.root('metadata', 'name'), `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${why}`));
  } else if (value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errs.push(field.forbidden(Path.root('value'), `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`));
  }
  const policy = o['preemptionPolicy'];
  if (policy === undefined || policy === null) errs.push(field.required(Path.root('preemptionPolicy')));
  else if (!(PREEMPTION_POLICIES as readonly unknown[]).includes(policy)) errs.push(field.notSupported(Path.root('preemptionPolicy'), policy, PREEMPTION_POLICIES));
  return errs;
}

export function validatePriorityClassUpdate(o: Obj, old: Obj): ErrorList {
  const errs = validateObjectMetaUpdate(o['metadata'], old['metadata'], Path.root('metadata'));
  errs.push(...validatePriorityClass(o).filter((e) => !e.field.startsWith('metadata.')));
  if (o['value'] !== old['value']) errs.push(field.forbidden(Path.root('value'), 'may not be changed in an update.'));
  if (o['preemptionPolicy'] !== old['preemptionPolicy']) errs.push(field.invalid(Path.root('preemptionPolicy'), o['preemptionPolicy'], FIELD_IMMUTABLE));
  return errs;
}
