// The informer's local cache: objects keyed `namespace/name` plus secondary indexes, like
// client-go's cache.Indexer (thread_safe_store.go). Everything stored is deep-frozen: readers
// share one copy, so a controller that wants to change an object must clone it first
// (`structuredClone(obj)`) — writing to a cached object throws in strict-mode code.
import type { ObjectMeta } from 'kubernetes-types/meta/v1';
import { objectKey } from '../api/types.js';

export type KeyFunc<T> = (obj: T) => string;
/** Returns the index values an object is filed under (none, one or many). */
export type IndexFunc<T> = (obj: T) => string[];
export type Indexers<T> = Record<string, IndexFunc<T>>;

interface HasMeta {
  metadata?: ObjectMeta;
}

export const NAMESPACE_INDEX = 'namespace';
export const NODE_NAME_INDEX = 'spec.nodeName';
export const OWNER_UID_INDEX = 'ownerUid';

/** client-go's MetaNamespaceIndexFunc. */
export function namespaceIndexFunc(obj: HasMeta): string[] {
  return [obj.metadata?.namespace ?? ''];
}

/** Pods by the node they are bound to (unbound pods are not indexed). */
export function nodeNameIndexFunc(obj: { spec?: { nodeName?: string } }): string[] {
  const node = obj.spec?.nodeName;
  return node ? [node] : [];
}

/** Objects by the uid of each owner — how controllers find what they own. */
export function ownerUidIndexFunc(obj: HasMeta): string[] {
  return (obj.metadata?.ownerReferences ?? []).map((r) => r.uid);
}

/** `namespace/name` (or `name` for cluster-scoped objects) — client-go's MetaNamespaceKeyFunc. */
export function metaNamespaceKey(obj: HasMeta): string {
  return objectKey(obj);
}

/** Splits a key back into namespace ('' for cluster-scoped) and name. */
export function splitKey(key: string): { namespace: string; name: string } {
  const i = key.indexOf('/');
  return i < 0 ? { namespace: '', name: key } : { namespace: key.slice(0, i), name: key.slice(i + 1) };
}

export function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const child of Object.values(v as object)) deepFreeze(child);
  }
  return v;
}

/** Read access to a cache: what controllers get (client-go's Lister / Indexer read side). */
export interface Lister<T> {
  get(key: string): T | undefined;
  /** By namespace and name; cluster-scoped objects use namespace ''. */
  getByName(namespace: string, name: string): T | undefined;
  list(): T[];
  listKeys(): string[];
  byIndex(indexName: string, value: string): T[];
  indexKeys(indexName: string, value: string): string[];
  size(): number;
}

export class Store<T extends HasMeta> implements Lister<T> {
  private readonly items = new Map<string, T>();
  /** index name → index value → keys. */
  private readonly indices = new Map<string, Map<string, Set<string>>>();
  private readonly indexers = new Map<string, IndexFunc<T>>();

  constructor(
    indexers: Indexers<T> = {},
    readonly keyFunc: KeyFunc<T> = metaNamespaceKey,
  ) {
    this.addIndexers(indexers);
  }

  /** Adds indexes, filing the objects already stored under them. */
  addIndexers(indexers: Indexers<T>): void {
    for (const [name, fn] of Object.entries(indexers)) {
      if (this.indexers.has(name)) throw new Error(`indexer "${name}" already exists`);
      this.indexers.set(name, fn);
      this.indices.set(name, new Map());
      for (const [key, obj] of this.items) this.fileUnder(name, fn, key, obj);
    }
  }

  hasIndex(name: string): boolean {
    return this.indexers.has(name);
  }

  /** Adds or replaces an object; returns the one it replaced. */
  upsert(obj: T): T | undefined {
    const key = this.keyFunc(obj);
    const old = this.items.get(key);
    if (old) this.unindex(key, old);
    const frozen = deepFreeze(obj);
    this.items.set(key, frozen);
    for (const [name, fn] of this.indexers) this.fileUnder(name, fn, key, frozen);
    return old;
  }

  /** Removes by key; returns what was stored. */
  deleteKey(key: string): T | undefined {
    const old = this.items.get(key);
    if (old) {
      this.unindex(key, old);
      this.items.delete(key);
    }
    return old;
  }

  /** Swaps the whole content (after a relist). */
  replace(objs: T[]): void {
    this.items.clear();
    for (const idx of this.indices.values()) idx.clear();
    for (const obj of objs) this.upsert(obj);
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  getByName(namespace: string, name: string): T | undefined {
    return this.items.get(namespace ? `${namespace}/${name}` : name);
  }

  list(): T[] {
    return [...this.items.values()];
  }

  listKeys(): string[] {
    return [...this.items.keys()];
  }

  size(): number {
    return this.items.size;
  }

  byIndex(indexName: string, value: string): T[] {
    return this.indexKeys(indexName, value).map((k) => this.items.get(k) as T);
  }

  indexKeys(indexName: string, value: string): string[] {
    const index = this.indices.get(indexName);
    if (!index) throw new Error(`index "${indexName}" does not exist`);
    return [...(index.get(value) ?? [])];
  }

  private fileUnder(name: string, fn: IndexFunc<T>, key: string, obj: T): void {
    const index = this.indices.get(name) as Map<string, Set<string>>;
    for (const value of new Set(fn(obj))) {
      let keys = index.get(value);
      if (!keys) index.set(value, (keys = new Set()));
      keys.add(key);
    }
  }

  private unindex(key: string, obj: T): void {
    for (const [name, fn] of this.indexers) {
      const index = this.indices.get(name) as Map<string, Set<string>>;
      for (const value of fn(obj)) {
        const keys = index.get(value);
        keys?.delete(key);
        if (keys?.size === 0) index.delete(value);
      }
    }
  }
}
