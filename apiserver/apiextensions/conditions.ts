// CRD status conditions (k8s apiextensions-apiserver's helpers.SetCRDCondition): one condition
// per type, lastTransitionTime kept while the status does not change.
import { asArray, asRecord } from '../../api/validation/field.js';

export interface CRDCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
}

type Obj = Record<string, unknown>;

export function getCondition(status: Obj, type: string): CRDCondition | undefined {
  return asArray(status['conditions']).map(asRecord).find((c) => c['type'] === type) as CRDCondition | undefined;
}

export function isConditionTrue(status: Obj, type: string): boolean {
  return getCondition(status, type)?.status === 'True';
}

/** The status with `cond` set; an unchanged status keeps the old transition time. */
export function setCondition(status: Obj, cond: CRDCondition): Obj {
  const conditions = asArray(status['conditions']).map(asRecord);
  const i = conditions.findIndex((c) => c['type'] === cond.type);
  const prev = i < 0 ? undefined : conditions[i];
  const next: Obj = { ...cond, ...(prev && prev['status'] === cond.status ? { lastTransitionTime: prev['lastTransitionTime'] } : {}) };
  if (i < 0) conditions.push(next);
  else conditions[i] = next;
  return { ...status, conditions };
}
