// The registry strategy of one served version of a custom resource (k8s apiextensions-apiserver
// pkg/registry/customresource/strategy.go and status_strategy.go): unknown fields pruned and
// schema defaults applied (as k8s' decoder does), metadata validated as for built-ins, the
// version's schema checked with every violation reported, metadata.generation bumped on spec
// changes, and with the status subresource the main resource and /status each ignore the
// other's part.
import type { StatusCause } from 'kubernetes-types/meta/v1';
import type { ResourceInfo } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';
import { Path } from '../../api/validation/field.js';
import { validateObjectMeta, validateObjectMetaUpdate } from '../../api/validation/meta.js';
import { nameIsDNSSubdomain } from '../../api/validation/names.js';
import type { RESTStrategy } from '../registry/rest-strategy.js';
import { compileSchema, type CompiledSchema } from './schema/index.js';

/** Everything but metadata (and status, when a subresource owns it): what "the spec changed" means. */
function specPart(obj: KObject, statusOwned: boolean): string {
  const { metadata: _m, status, ...rest } = obj;
  return JSON.stringify(statusOwned ? rest : { ...rest, status });
}

/**
 * For a custom resource: the fields its schema would prune, which fieldValidation=Strict
 * refuses and Warn reports (k8s' unknown-field detection in the CR decoder). Undefined for
 * built-ins, whose fields are checked against their generated schema.
 */
export function customUnknownFields(info: ResourceInfo): ((obj: Record<string, unknown>) => string[]) | undefined {
  const schema = info.custom?.schema;
  if (!schema) return info.custom ? () => [] : undefined;
  const compiled = compileSchema(schema);
  return (obj) => compiled.prune(structuredClone(obj));
}

export function customResourceStrategy(info: ResourceInfo): RESTStrategy {
  const custom = info.custom;
  const schema: CompiledSchema | undefined = custom?.schema ? compileSchema(custom.schema) : undefined;
  const statusOwned = info.subresources.includes('status');
  /** k8s' decoder order: prune, then default. */
  const normalize = (obj: KObject): void => {
    if (!schema) return;
    schema.prune(obj);
    schema.applyDefaults(obj);
  };
  const validate = (obj: KObject): StatusCause[] => (schema ? schema.validate(obj) : []);
  return {
    prepareForCreate(obj) {
      if (statusOwned) delete obj.status;
      normalize(obj);
      obj.metadata = { ...obj.metadata, generation: 1 };
    },
    validateCreate: (obj) => [...validateObjectMeta(obj.metadata, info.namespaced, nameIsDNSSubdomain, Path.root('metadata')), ...validate(obj)],
    prepareForUpdate(obj, old) {
      if (statusOwned) {
        if (old.status === undefined) delete obj.status;
        else obj.status = old.status;
      }
      normalize(obj);
      const changed = specPart(obj, statusOwned) !== specPart(old, statusOwned);
      obj.metadata = { ...obj.metadata, generation: (old.metadata?.generation ?? 1) + (changed ? 1 : 0) };
    },
    validateUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, Path.root('metadata')), ...validate(obj)],
    prepareForStatusUpdate(obj, old) {
      const next: KObject = structuredClone(old);
      if (obj.status === undefined) delete next.status;
      else next.status = obj.status;
      next.metadata = { ...next.metadata, resourceVersion: obj.metadata?.resourceVersion };
      normalize(next);
      return next;
    },
    validateStatusUpdate: (obj, old) => [...validateObjectMetaUpdate(obj.metadata, old.metadata, Path.root('metadata')), ...validate(obj)],
  };
}
