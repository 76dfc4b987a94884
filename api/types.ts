// API object types come from `kubernetes-types`; this file adds the generic shapes the
// machinery needs for objects of any kind.
import type { ObjectMeta, ListMeta, Status, StatusCause, OwnerReference } from 'kubernetes-types/meta/v1';

export type { ObjectMeta, ListMeta, Status, StatusCause, OwnerReference };
export type * as core from 'kubernetes-types/core/v1';
export type * as apps from 'kubernetes-types/apps/v1';

/** kubernetes-types marks server-set fields readonly; the server and controllers set them. */
export type Mutable<T> = { -readonly [K in keyof T]: T[K] };
export type MutableObjectMeta = Mutable<ObjectMeta>;

/** Any API object: typed metadata, everything else open. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: MutableObjectMeta;
  [field: string]: unknown;
}

export interface KList<T extends KObject = KObject> {
  apiVersion: string;
  kind: string;
  metadata: ListMeta;
  items: T[];
}

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KObject> {
  type: WatchEventType;
  object: T;
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `namespace/name`, or `name` for cluster-scoped objects: the key informers and logs use. */
export function objectKey(obj: { metadata?: ObjectMeta }): string {
  const m = obj.metadata ?? {};
  return m.namespace ? `${m.namespace}/${m.name}` : `${m.name ?? ''}`;
}
