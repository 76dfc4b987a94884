// Small helpers for the metadata every stored object carries.
import { randomUUID } from 'node:crypto';
import { apiVersionOf, type ResourceInfo } from '../../api/resources.js';
import { errors } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { metaTime } from '../../api/time.js';

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function nowTime(offsetSeconds = 0): string {
  return metaTime(Date.now() + offsetSeconds * 1000);
}

export function newUID(): string {
  return randomUUID();
}

/**
 * Checks that a request body is an object of this resource's kind, and fills in the
 * apiVersion/kind when omitted (Kubernetes infers them from the path).
 */
export function checkKind(info: ResourceInfo, body: unknown): KObject {
  if (!isObject(body)) throw errors.badRequest('the body of the request was not a JSON object');
  const obj = body as KObject;
  const want = apiVersionOf(info);
  const kind = obj.kind ?? info.kind;
  const apiVersion = obj.apiVersion ?? want;
  if (typeof kind !== 'string' || typeof apiVersion !== 'string') {
    throw errors.badRequest('Object kind and apiVersion must be strings');
  }
  if (kind !== info.kind) {
    throw errors.badRequest(`${kind} in version "${apiVersion}" cannot be handled as a ${info.kind}: the object kind does not match the resource`);
  }
  if (apiVersion !== want) {
    throw errors.badRequest(`the API version in the data (${apiVersion}) does not match the expected API version (${want})`);
  }
  if (obj.metadata !== undefined && !isObject(obj.metadata)) {
    throw errors.badRequest(`${info.kind} in version "${want}" cannot be handled as a ${info.kind}: metadata must be an object`);
  }
  obj.kind = kind;
  obj.apiVersion = apiVersion;
  obj.metadata = { ...(obj.metadata ?? {}) };
  return obj;
}

/** Puts the URL's namespace on the object, refusing a different one in the body. */
export function setNamespace(info: ResourceInfo, obj: KObject, namespace: string | undefined): void {
  const meta = obj.metadata!;
  if (!info.namespaced) {
    delete meta.namespace;
    return;
  }
  if (meta.namespace && namespace && meta.namespace !== namespace) {
    throw errors.badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.namespace = namespace ?? meta.namespace;
  if (!meta.namespace) throw errors.badRequest('a namespace is required for this resource');
}

/** Fields clients may not set on create: the server owns them. */
export function resetServerFields(obj: KObject): void {
  const meta = obj.metadata!;
  meta.uid = newUID();
  meta.creationTimestamp = nowTime();
  delete meta.resourceVersion;
  delete meta.deletionTimestamp;
  delete meta.deletionGracePeriodSeconds;
  delete meta.selfLink;
  delete meta.managedFields;
}

/** On update the server-owned metadata comes from the stored object. */
export function keepServerFields(obj: KObject, old: KObject): void {
  const meta = obj.metadata!;
  const o = old.metadata ?? {};
  meta.uid = o.uid;
  meta.creationTimestamp = o.creationTimestamp;
  meta.name = o.name;
  if (o.namespace !== undefined) meta.namespace = o.namespace;
  if (o.deletionTimestamp) meta.deletionTimestamp = o.deletionTimestamp;
  else delete meta.deletionTimestamp;
  if (o.deletionGracePeriodSeconds !== undefined) meta.deletionGracePeriodSeconds = o.deletionGracePeriodSeconds;
  else delete meta.deletionGracePeriodSeconds;
  if (o.generateName !== undefined) meta.generateName = o.generateName;
  delete meta.managedFields;
  delete meta.selfLink;
}

/** Equal when their stored form would be equal (ignoring resourceVersion). */
export function sameStored(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => JSON.stringify({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return strip(a) === strip(b);
}
