// What the generic store asks of a kind around its writes (k8s' RESTCreateStrategy,
// RESTUpdateStrategy and the status strategy), as one object. Built-ins get theirs from the
// per-kind tables (api/defaults, api/validation, strategy.ts); custom resources and
// CustomResourceDefinitions bring their own (apiserver/apiextensions/).
import type { StatusCause } from 'kubernetes-types/meta/v1';
import { applyDefaults, preserveServiceAllocations } from '../../api/defaults/index.js';
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { validateObjectCreate, validateObjectUpdate, validateStatusUpdate } from '../../api/validation/index.js';
import { prepareForCreate, prepareForStatusUpdate, prepareForUpdate } from './strategy.js';

export interface RESTStrategy {
  /** Defaults and server-owned fields of a new object (after metadata was reset). */
  prepareForCreate(obj: KObject): void;
  validateCreate(obj: KObject): StatusCause[];
  /** Defaults and what an update of the main resource may not change (status, generation…). */
  prepareForUpdate(obj: KObject, old: KObject): void;
  validateUpdate(obj: KObject, old: KObject): StatusCause[];
  /** The object a status write produces from the old one. */
  prepareForStatusUpdate(obj: KObject, old: KObject): KObject;
  validateStatusUpdate(obj: KObject, old: KObject): StatusCause[];
  /** Called on a DELETE before finalizers are looked at (the CRD's cleanup finalizer). */
  prepareForDelete?(obj: KObject): void;
}

/** The strategy of a built-in kind, from the per-kind tables. */
export function builtinStrategy(info: ResourceInfo): RESTStrategy {
  return {
    prepareForCreate(obj) {
      applyDefaults(info, obj);
      prepareForCreate(info, obj);
    },
    validateCreate: (obj) => validateObjectCreate(info, obj),
    prepareForUpdate(obj, old) {
      if (info.kind === 'Service') preserveServiceAllocations(obj, old);
      applyDefaults(info, obj);
      prepareForUpdate(info, obj, old);
    },
    validateUpdate: (obj, old) => validateObjectUpdate(info, obj, old),
    prepareForStatusUpdate: (obj, old) => prepareForStatusUpdate(obj, old),
    validateStatusUpdate: (obj, old) => validateStatusUpdate(info, obj, old),
  };
}
