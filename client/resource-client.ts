// Typed calls on one resource (client-go's dynamic ResourceInterface, typed by
// kubernetes-types): CRUD, the four patch kinds, watch as an async iterable of events, and
// subresources. Built by RestClient.resource(); all I/O goes through its Transport (a RestClient).
import type { Readable } from 'node:stream';
import type { Status } from 'kubernetes-types/meta/v1';
import { findResource, apiVersionOf, type ResourceInfo } from '../api/resources.js';
import { JsonStreamDecoder } from './watch-decoder.js';
import type { ObjectLike, ListOf, ResourceName } from './typed.js';
import type { RequestSpec, ResponseBody, Transport } from './transport.js';

/** A resource as callers name it: `'pods'`, `'deployments.apps'`, `{group, resource}`, or a ResourceInfo. */
export type ResourceRef = ResourceName | string | { group: string; resource: string };

export type PatchType = 'merge' | 'json' | 'strategic' | 'apply';

const patchContentType: Record<PatchType, string> = {
  merge: 'application/merge-patch+json',
  json: 'application/json-patch+json',
  strategic: 'application/strategic-merge-patch+json',
  apply: 'application/apply-patch+yaml',
};

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  limit?: number;
  continue?: string;
  /** '' (default) is a consistent read from etcd; '0' any cached state; else not older than. */
  resourceVersion?: string;
  resourceVersionMatch?: 'NotOlderThan' | 'Exact';
  timeoutSeconds?: number;
  signal?: AbortSignal;
}

export interface WatchOptions {
  labelSelector?: string;
  fieldSelector?: string;
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks?: boolean;
  signal?: AbortSignal;
}

export interface WriteOptions {
  dryRun?: boolean;
  fieldManager?: string;
  fieldValidation?: 'Ignore' | 'Warn' | 'Strict';
  signal?: AbortSignal;
}

export interface PatchOptions extends WriteOptions {
  /** Server-side apply: take over fields owned by other managers. */
  force?: boolean;
  /** Patch a subresource, e.g. `status` or `scale`. */
  subresource?: string;
}

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: boolean;
  signal?: AbortSignal;
}

export type WatchEventOf<T> =
  | { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK'; object: T }
  | { type: 'ERROR'; object: Status };

/** An open watch: iterate it once; `close()` (or the request's signal) ends the iteration quietly. */
export interface WatchStream<T> extends AsyncIterable<WatchEventOf<T>> {
  close(): void;
}

export interface LogOptions {
  container?: string;
  follow?: boolean;
  previous?: boolean;
  tailLines?: number;
  sinceSeconds?: number;
  timestamps?: boolean;
  signal?: AbortSignal;
}

export class ResourceClient<T extends ObjectLike> {
  constructor(
    private readonly rest: Transport,
    readonly info: ResourceInfo,
    readonly namespace?: string,
  ) {}

  /** The same resource in another namespace (`undefined`: all namespaces). */
  inNamespace(namespace: string | undefined): ResourceClient<T> {
    return new ResourceClient<T>(this.rest, this.info, namespace);
  }

  async get(name: string, opts: { resourceVersion?: string; signal?: AbortSignal } = {}): Promise<T> {
    const obj = await this.rest.json<T>({
      method: 'GET',
      path: this.path(this.namespace, name),
      query: { resourceVersion: opts.resourceVersion },
      signal: opts.signal,
    });
    return this.typed(obj);
  }

  async list(opts: ListOptions = {}): Promise<ListOf<T>> {
    const list = await this.rest.json<ListOf<T>>({
      method: 'GET',
      path: this.collectionPath(this.namespace),
      query: listQuery(opts),
      signal: opts.signal,
    });
    list.metadata ??= {};
    list.items ??= [];
    // List items come without kind/apiVersion on the wire; later code (event recorder,
    // owner references) needs them, as client-go gets them from its scheme.
    for (const item of list.items) this.typed(item);
    return list;
  }

  async create(obj: T, opts: WriteOptions = {}): Promise<T> {
    const created = await this.rest.json<T>({
      method: 'POST',
      path: this.collectionPath(this.namespaceOf(obj)),
      query: writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
    });
    return this.typed(created);
  }

  /** PUT; `metadata.resourceVersion` makes it compare-and-swap (409 Conflict when stale). */
  async update(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, undefined, opts);
  }

  /** PUT to the status subresource: only `.status` changes. */
  async updateStatus(obj: T, opts: WriteOptions = {}): Promise<T> {
    return this.put(obj, 'status', opts);
  }

  async patch(name: string, type: PatchType, patch: unknown, opts: PatchOptions = {}): Promise<T> {
    if (type === 'apply' && !opts.fieldManager) throw new Error('server-side apply needs a fieldManager');
    const obj = await this.rest.json<T>({
      method: 'PATCH',
      path: this.path(this.namespace, name, opts.subresource),
      query: { ...writeQuery(opts), force: opts.force },
      body: patch,
      contentType: patchContentType[type],
      signal: opts.signal,
    });
    return opts.subresource && opts.subresource !== 'status' ? obj : this.typed(obj);
  }

  /** Returns the object as the server left it (graceful deletion, finalizers) or a Status. */
  async delete(name: string, opts: DeleteOptions = {}): Promise<T | Status> {
    return this.rest.json<T | Status>({
      method: 'DELETE',
      path: this.path(this.namespace, name),
      query: { dryRun: opts.dryRun ? 'All' : undefined },
      body: deleteBody(opts),
      signal: opts.signal,
    });
  }

  async deleteCollection(listOpts: ListOptions = {}, opts: DeleteOptions = {}): Promise<ListOf<T> | Status> {
    return this.rest.json<ListOf<T> | Status>({
      method: 'DELETE',
      path: this.collectionPath(this.namespace),
      query: { ...listQuery(listOpts), dryRun: opts.dryRun ? 'All' : undefined },
      body: deleteBody(opts),
      signal: opts.signal ?? listOpts.signal,
    });
  }

  /** Opens a watch; resolves once the server accepted it (HTTP errors such as 410 throw here). */
  async watch(opts: WatchOptions = {}): Promise<WatchStream<T>> {
    const abort = new AbortController();
    const onOuterAbort = (): void => abort.abort();
    if (opts.signal?.aborted) abort.abort();
    opts.signal?.addEventListener('abort', onOuterAbort, { once: true });
    let body: ResponseBody;
    try {
      body = await this.rest.send({
        method: 'GET',
        path: this.collectionPath(this.namespace),
        query: {
          watch: 'true',
          labelSelector: opts.labelSelector,
          fieldSelector: opts.fieldSelector,
          resourceVersion: opts.resourceVersion,
          timeoutSeconds: opts.timeoutSeconds,
          allowWatchBookmarks: opts.allowWatchBookmarks ? 'true' : undefined,
        },
        signal: abort.signal,
        streaming: true,
      });
    } catch (e) {
      opts.signal?.removeEventListener('abort', onOuterAbort);
      throw e;
    }
    const typed = (o: T): T => this.typed(o);
    return {
      close: () => abort.abort(),
      async *[Symbol.asyncIterator]() {
        const decoder = new JsonStreamDecoder();
        try {
          for await (const chunk of body) {
            for (const v of decoder.push(chunk as Buffer)) {
              const ev = v as WatchEventOf<T>;
              if (ev.type === 'ADDED' || ev.type === 'MODIFIED' || ev.type === 'DELETED') typed(ev.object);
              yield ev;
            }
          }
        } catch (e) {
          if (!abort.signal.aborted) throw e;
        } finally {
          opts.signal?.removeEventListener('abort', onOuterAbort);
          if (!abort.signal.aborted) abort.abort();
        }
      },
    };
  }

  /** Any call on a subresource: `subresource(name, 'binding', {method: 'POST', body})`, GET/PUT `scale`, … */
  async subresource<R = unknown>(
    name: string,
    sub: string,
    spec: { method?: RequestSpec['method']; body?: unknown; query?: RequestSpec['query']; signal?: AbortSignal } = {},
  ): Promise<R> {
    return this.rest.json<R>({
      method: spec.method ?? 'GET',
      path: this.path(this.namespace, name, sub),
      query: spec.query,
      body: spec.body,
      signal: spec.signal,
    });
  }

  /** A subresource's raw body as a stream, e.g. `pods/<n>/log?follow=true`. */
  async stream(name: string, sub: string, query: RequestSpec['query'] = {}, signal?: AbortSignal): Promise<Readable> {
    return this.rest.send({
      method: 'GET',
      path: this.path(this.namespace, name, sub),
      query,
      accept: '*/*',
      signal,
      streaming: true,
    });
  }

  /** `GET pods/<name>/log` as a byte stream (text/plain); with `follow` it ends when the server closes. */
  async log(name: string, opts: LogOptions = {}): Promise<Readable> {
    const { signal, ...q } = opts;
    return this.stream(name, 'log', { ...q }, signal);
  }

  private async put(obj: T, sub: string | undefined, opts: WriteOptions): Promise<T> {
    const name = obj.metadata?.name;
    if (!name) throw new Error(`${this.info.resource}: update needs metadata.name`);
    const updated = await this.rest.json<T>({
      method: 'PUT',
      path: this.path(this.namespaceOf(obj), name, sub),
      query: writeQuery(opts),
      body: this.withTypeMeta(obj),
      signal: opts.signal,
    });
    return this.typed(updated);
  }

  private namespaceOf(obj: T): string | undefined {
    return this.namespace ?? obj.metadata?.namespace;
  }

  private collectionPath(namespace: string | undefined): string {
    const { info } = this;
    const root = info.group ? `/apis/${info.group}/${info.version}` : `/api/${info.version}`;
    const ns = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
    return `${root}${ns}/${info.resource}`;
  }

  private path(namespace: string | undefined, name: string, sub?: string): string {
    if (this.info.namespaced && !namespace) throw new Error(`${this.info.resource} "${name}": a namespace is required`);
    if (!name) throw new Error(`${this.info.resource}: a name is required`);
    return `${this.collectionPath(namespace)}/${encodeURIComponent(name)}${sub ? `/${sub}` : ''}`;
  }

  /** The caller's object with apiVersion/kind set, without touching the original. */
  private withTypeMeta(obj: T): T {
    return { ...obj, apiVersion: obj.apiVersion ?? apiVersionOf(this.info), kind: obj.kind ?? this.info.kind };
  }

  /** Fills in apiVersion/kind when missing, in place (replies we parsed ourselves). */
  private typed<O extends ObjectLike>(obj: O): O {
    if (obj && typeof obj === 'object' && !Object.isFrozen(obj)) {
      obj.apiVersion ??= apiVersionOf(this.info);
      obj.kind ??= this.info.kind;
    }
    return obj;
  }
}

export function resolveRef(ref: ResourceRef | ResourceInfo): ResourceInfo {
  if (typeof ref === 'object' && 'kind' in ref) return ref;
  let group: string;
  let resource: string;
  if (typeof ref === 'string') {
    const dot = ref.indexOf('.');
    resource = dot < 0 ? ref : ref.slice(0, dot);
    group = dot < 0 ? '' : ref.slice(dot + 1);
  } else {
    ({ group, resource } = ref);
  }
  const info = findResource(group, resource);
  if (!info) throw new Error(`unknown resource "${group ? `${resource}.${group}` : resource}"`);
  return info;
}

function listQuery(o: ListOptions): RequestSpec['query'] {
  return {
    labelSelector: o.labelSelector,
    fieldSelector: o.fieldSelector,
    limit: o.limit,
    continue: o.continue,
    resourceVersion: o.resourceVersion,
    resourceVersionMatch: o.resourceVersionMatch,
    timeoutSeconds: o.timeoutSeconds,
  };
}

function writeQuery(o: WriteOptions): RequestSpec['query'] {
  return { dryRun: o.dryRun ? 'All' : undefined, fieldManager: o.fieldManager, fieldValidation: o.fieldValidation };
}

function deleteBody(o: DeleteOptions): Record<string, unknown> {
  return {
    kind: 'DeleteOptions',
    apiVersion: 'v1',
    ...(o.gracePeriodSeconds !== undefined ? { gracePeriodSeconds: o.gracePeriodSeconds } : {}),
    ...(o.propagationPolicy ? { propagationPolicy: o.propagationPolicy } : {}),
    ...(o.preconditions ? { preconditions: o.preconditions } : {}),
    ...(o.dryRun ? { dryRun: ['All'] } : {}),
  };
}
