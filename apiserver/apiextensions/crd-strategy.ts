// The registry strategy of CustomResourceDefinitions (k8s apiextensions-apiserver
// pkg/registry/customresourcedefinition/strategy.go and etcd.go): v1 defaults, storedVersions
// on create, conditions kept from status writes only, and a DELETE that adds the cleanup
// finalizer and the Terminating condition so the CRD controller can remove every object first.
import type { StatusCause } from 'kubernetes-types/meta/v1';
import { isObject, type KObject } from '../../api/types.js';
import { asArray, asRecord, asString } from '../../api/validation/field.js';
import type { RESTStrategy } from '../registry/rest-strategy.js';
import { nowTime } from '../registry/object-meta.js';
import { setCondition } from './conditions.js';
import { validateCustomResourceDefinition, validateCustomResourceDefinitionStatusUpdate, validateCustomResourceDefinitionUpdate } from './validation.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

type Obj = Record<string, unknown>;

/** SetDefaults_CustomResourceDefinitionSpec (v1): singular, listKind, conversion None. */
export function defaultCustomResourceDefinition(crd: Obj): void {
  if (!isObject(crd['spec'])) return;
  const spec = crd['spec'] as Obj;
  if (isObject(spec['names'])) {
    const names = spec['names'] as Obj;
    const kind = asString(names['kind']);
    if (!names['singular'] && kind) names['singular'] = kind.toLowerCase();
    if (!names['listKind'] && kind) names['listKind'] = `${kind}List`;
  }
  if (!isObject(spec['conversion'])) spec['conversion'] = { strategy: 'None' };
  else if (!(spec['conversion'] as Obj)['strategy']) (spec['conversion'] as Obj)['strategy'] = 'None';
}

function storageVersion(crd: Obj): string | undefined {
  const v = asArray(asRecord(crd['spec'])['versions']).map(asRecord).find((x) => x['storage'] === true);
  return v ? asString(v['name']) : undefined;
}

/** Every version ever stored stays listed until an admin removes it (k8s' storage migration contract). */
function withStoredVersion(status: Obj, crd: Obj): Obj {
  const stored = asArray(status['storedVersions']).map(asString);
  const sv = storageVersion(crd);
  if (sv && !stored.includes(sv)) stored.push(sv);
  return { ...status, storedVersions: stored };
}

const EMPTY_STATUS = (): Obj => ({ conditions: [], acceptedNames: { plural: '', kind: '' }, storedVersions: [] });

export const crdStrategy: RESTStrategy = {
  prepareForCreate(obj) {
    defaultCustomResourceDefinition(obj as Obj);
    obj.status = withStoredVersion(EMPTY_STATUS(), obj as Obj);
    obj.metadata = { ...obj.metadata, generation: 1 };
  },
  validateCreate: (obj): StatusCause[] => validateCustomResourceDefinition(obj as Obj),
  prepareForUpdate(obj, old) {
    defaultCustomResourceDefinition(obj as Obj);
    obj.status = withStoredVersion(asRecord(old.status), obj as Obj);
    const changed = JSON.stringify(obj.spec) !== JSON.stringify(old.spec);
    obj.metadata = { ...obj.metadata, generation: (old.metadata?.generation ?? 1) + (changed ? 1 : 0) };
  },
  validateUpdate: (obj, old) => validateCustomResourceDefinitionUpdate(obj as Obj, old as Obj),
  prepareForStatusUpdate(obj, old) {
    const next: KObject = structuredClone(old);
    next.status = obj.status;
    next.metadata = { ...next.metadata, resourceVersion: obj.metadata?.resourceVersion };
    return next;
  },
  validateStatusUpdate: (obj, old) => validateCustomResourceDefinitionStatusUpdate(obj as Obj, old as Obj),
  prepareForDelete(obj) {
    const meta = obj.metadata!;
    const finalizers = meta.finalizers ?? [];
    if (!finalizers.includes(CLEANUP_FINALIZER)) meta.finalizers = [...finalizers, CLEANUP_FINALIZER];
    obj.status = setCondition(asRecord(obj.status), {
      type: 'Terminating',
      status: 'True',
      reason: 'InstanceDeletionInProgress',
      message: 'CustomResource deletion is in progress',
      lastTransitionTime: nowTime(),
    });
  },
};
