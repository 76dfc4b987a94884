// The served form of a version stored as another (api/resources.ts `storedAs`): request bodies
// are converted to the stored form on the way in and every object back on the way out, so the
// registry, storage and watch cache only ever hold the stored version (k8s' codec conversion).
import { converterFor } from '../../api/conversion/index.js';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { isObject, type KObject } from '../../api/types.js';

/** A body of another kind or version is passed on unconverted, for the registry to reject. */
export function toStored(info: ResourceInfo, body: unknown): unknown {
  const c = converterFor(info);
  if (!c || !isObject(body)) return body;
  const ours = (body.kind === undefined || body.kind === info.kind) && (body.apiVersion === undefined || body.apiVersion === apiVersionOf(info));
  return ours ? c.toStorage(body as KObject) : body;
}

export function toServed(info: ResourceInfo, obj: KObject): KObject {
  const c = converterFor(info);
  return c ? c.fromStorage(obj) : obj;
}

/** A patch applied to the served form of a stored object, giving a stored object. */
export function patchServed(info: ResourceInfo, stored: KObject, patch: (served: KObject) => KObject): KObject {
  const c = converterFor(info);
  return c ? c.toStorage(patch(c.fromStorage(stored))) : patch(stored);
}
