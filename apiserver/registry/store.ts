// The generic REST store (k8s' genericregistry.Store): one per resource. It turns API verbs
// into compare-and-swap etcd writes with defaulting, validation, admission and the per-kind
// strategy applied, and serves reads from etcd or the watch cache as resourceVersion asks.
import type { Logger } from 'pino';
import { type ResourceInfo, storageKey, storagePrefix } from '../../api/resources.js';
import { errors, StatusError } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { decodeContinue, encodeContinue, matcher, type ListOptions } from './list-options.js';
import { checkKind, keepServerFields, nowTime, resetServerFields, sameStored, setNamespace } from './object-meta.js';
import { generatedName } from '../../api/names.js';
import { CompactedError, type Storage, type StoredObject } from '../storage/storage.js';
import { gracePeriod } from './strategy.js';
import { builtinStrategy, type RESTStrategy } from './rest-strategy.js';
import { WatchCache, type CacheEntry } from '../storage/watch-cache.js';
import type { UserInfo } from '../../api/user.js';
import type { AdmissionAttributes, AdmissionFinisher, AdmissionPlugin, Operation } from '../admission/interfaces.js';

export interface WriteOptions {
  dryRun?: boolean;
  /** Strict | Warn | Ignore: what to do with fields the schema does not declare. */
  fieldValidation?: string;
  /** The requesting user, for admission (undefined: the apiserver itself). */
  user?: UserInfo;
  /** The subresource written through, for admission (`status`, `binding`…). */
  admissionSubresource?: string;
}

export interface DeleteOptions extends WriteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Background' | 'Foreground' | 'Orphan';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListResult {
  items: { obj: KObject; json: string }[];
  resourceVersion: number;
  continueToken?: string;
  remainingItemCount?: number;
}

/** Resources a PUT may create when missing (k8s AllowCreateOnUpdate). */
const CREATE_ON_UPDATE = new Set(['Lease', 'Endpoints', 'Event']);

export type UpdateFn = (current: KObject) => KObject | Promise<KObject>;

export class ResourceStore {
  readonly cache: WatchCache;
  readonly prefix: string;

  constructor(
    readonly info: ResourceInfo,
    private readonly storage: Storage,
    private readonly etcdPrefix: string,
    private readonly admission: AdmissionPlugin[],
    log: Logger,
    cacheCapacity?: number,
    readonly strategy: RESTStrategy = builtinStrategy(info),
  ) {
    this.prefix = storagePrefix(etcdPrefix, info);
    this.cache = new WatchCache(storage, this.prefix, log, cacheCapacity);
  }

  get gr(): { group: string; resource: string } {
    return { group: this.info.group, resource: this.info.resource };
  }

  key(namespace: string | undefined, name: string): string {
    return storageKey(this.etcdPrefix, this.info, namespace, name);
  }

  private async mustGet(namespace: string | undefined, name: string): Promise<StoredObject> {
    const cur = await this.storage.get(this.key(namespace, name));
    if (!cur) throw errors.notFound(this.gr, name);
    return cur;
  }

  async get(namespace: string | undefined, name: string, resourceVersion?: string): Promise<KObject> {
    if (resourceVersion === '0') {
      await this.cache.ready;
      const hit = this.cache.get(this.info.namespaced ? `${namespace}/${name}` : name);
      if (hit) return structuredClone(hit.obj);
    }
    return (await this.mustGet(namespace, name)).obj;
  }

  // ---- reads ---------------------------------------------------------------------------

  async list(namespace: string | undefined, opts: ListOptions): Promise<ListResult> {
    const matches = matcher(this.info, opts);
    const nsPrefix = namespace && this.info.namespaced ? `${namespace}/` : '';
    const rv = opts.resourceVersion;
    const fromCache = !opts.continueToken && opts.resourceVersionMatch !== 'Exact' && rv !== undefined && (rv === '0' || (!opts.limit && Number(rv) <= this.cache.rv));
    if (fromCache) {
      await this.cache.ready;
      const items = this.cache.list(nsPrefix).filter((e) => matches(e.obj));
      return { items, resourceVersion: this.cache.rv };
    }
    return this.listFromEtcd(nsPrefix, opts, matches);
  }

  private async listFromEtcd(nsPrefix: string, opts: ListOptions, matches: (o: KObject) => boolean): Promise<ListResult> {
    let revision = 0;
    let startKey = this.prefix + nsPrefix;
    if (opts.continueToken) {
      const t = decodeContinue(opts.continueToken);
      revision = t.rv;
      startKey = this.prefix + t.start;
      if (!startKey.startsWith(this.prefix + nsPrefix)) throw errors.badRequest('continue key is not valid: it does not belong to this list');
    } else if (opts.resourceVersionMatch === 'Exact') {
      revision = Number(opts.resourceVersion);
    }
    const limit = opts.limit;
    const items: { obj: KObject; json: string }[] = [];
    const prefix = this.prefix + nsPrefix;
    for (;;) {
      let page;
      try {
        page = await this.storage.range(prefix, { startKey, revision, limit: limit ? Math.max(limit - items.length, 1) + 1 : 0 });
      } catch (e) {
        if (e instanceof CompactedError) {
          throw opts.continueToken
            ? errors.expired('The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.')
            : errors.expired(`The resourceVersion for the provided list is too old.`);
        }
        throw e;
      }
      if (revision === 0 && opts.resourceVersion && Number(opts.resourceVersion) > page.revision) {
        // Kubernetes answers 504 Timeout here; a client's input must never cause a 5xx in
        // tskube, so it is a 400 that keeps Kubernetes' cause name for clients that check it.
        const e = errors.badRequest(`Too large resource version: ${opts.resourceVersion}, current: ${page.revision}`);
        e.status.details = { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 };
        throw e;
      }
      if (revision === 0) revision = page.revision;
      for (let i = 0; i < page.items.length; i++) {
        const { obj } = page.items[i]!;
        if (!matches(obj)) continue;
        if (limit && items.length === limit) {
          // One more match exists: hand out a token that starts at it.
          const start = this.relKey(obj);
          const noSelectors = opts.labelSelector.empty && opts.fieldSelector.empty;
          return {
            items,
            resourceVersion: revision,
            continueToken: encodeContinue(revision, start),
            ...(noSelectors ? { remainingItemCount: page.items.length - i + page.remaining } : {}),
          };
        }
        items.push({ obj, json: JSON.stringify(obj) });
      }
      if (!page.more || page.items.length === 0) break;
      startKey = this.prefix + this.relKey(page.items[page.items.length - 1]!.obj) + '\0';
    }
    return { items, resourceVersion: revision };
  }

  private relKey(obj: KObject): string {
    const m = obj.metadata ?? {};
    return this.info.namespaced ? `${m.namespace}/${m.name}` : `${m.name}`;
  }

  // ---- writes --------------------------------------------------------------------------

  private async admit(op: Operation, obj: KObject, old: KObject | undefined, opts: WriteOptions): Promise<AdmissionFinisher> {
    const attrs: AdmissionAttributes = { user: opts.user, subresource: opts.admissionSubresource, dryRun: !!opts.dryRun };
    const finishers: AdmissionFinisher[] = [];
    const finish = async (committed: boolean): Promise<void> => {
      for (const f of finishers.reverse()) await f(committed);
    };
    try {
      for (const p of this.admission) {
        const f = await p.admit(op, this.info, obj, old, attrs);
        if (f) finishers.push(f);
      }
    } catch (e) {
      await finish(false);
      throw e;
    }
    return finish;
  }

  private invalidIf(causes: { field?: string; message?: string; reason?: string }[], obj: KObject): void {
    if (causes.length) throw errors.invalid(this.info.kind, this.gr, obj.metadata?.name ?? obj.metadata?.generateName ?? '', causes);
  }

  async create(namespace: string | undefined, body: unknown, opts: WriteOptions = {}): Promise<KObject> {
    const obj = checkKind(this.info, body);
    setNamespace(this.info, obj, namespace);
    resetServerFields(obj);
    const meta = obj.metadata!;
    const generate = !meta.name && !!meta.generateName;
    if (generate) meta.name = generatedName(meta.generateName!);
    this.strategy.prepareForCreate(obj);
    this.invalidIf(this.strategy.validateCreate(obj), obj);
    const finish = await this.admit('CREATE', obj, undefined, opts);
    if (opts.dryRun) {
      await finish(false);
      return obj;
    }
    let committed = false;
    try {
      for (let attempt = 0; ; attempt++) {
        const stored = await this.storage.create(this.key(meta.namespace, meta.name!), obj);
        if (stored) {
          committed = true;
          return stored.obj;
        }
        if (!generate || attempt >= 5) throw errors.alreadyExists(this.gr, meta.name!);
        meta.name = generatedName(meta.generateName!);
      }
    } finally {
      await finish(committed);
    }
  }

  /**
   * Read-modify-write with compare-and-swap, retried on conflict (k8s GuaranteedUpdate).
   * `fn` gets a private copy of the current object. If the returned object carries a
   * resourceVersion different from the stored one, that is a stale write: 409.
   */
  async guaranteedUpdate(
    namespace: string | undefined,
    name: string,
    fn: UpdateFn,
    opts: WriteOptions & {
      subresource?: 'status' | 'raw';
      createIfMissing?: () => Promise<KObject>;
      /** The caller's own last write of this object: a better first guess than a cache that may not have seen it yet. */
      guess?: KObject;
    } = {},
  ): Promise<{ obj: KObject; created: boolean }> {
    const key = this.key(namespace, name);
    // First try against the watch cache's copy (no etcd read, as k8s' GuaranteedUpdate with a
    // cached object): the compare-and-swap tells if it was stale, and only then do we read
    // etcd. Decisions that must not rest on a stale copy (409, no-op, not found) re-read.
    let guess = newer(this.cachedGuess(namespace, name), opts.guess);
    for (;;) {
      const fromCache = guess !== undefined;
      const cur = guess ?? (await this.storage.get(key));
      guess = undefined;
      if (!cur) {
        if (opts.createIfMissing) return { obj: await opts.createIfMissing(), created: true };
        throw errors.notFound(this.gr, name);
      }
      const proposed = await fn(structuredClone(cur.obj));
      const wantRV = proposed.metadata?.resourceVersion;
      if (wantRV && wantRV !== String(cur.modRevision)) {
        if (fromCache) continue;
        throw errors.staleResourceVersion(this.gr, name);
      }
      const next = this.prepareUpdate(proposed, cur.obj, opts.subresource);
      // An unchanged object is not written — unless etcd holds it under an old encryption key
      // (stale), where rewriting it is how Kubernetes migrates data to the new key.
      if (sameStored(next, cur.obj) && !cur.stale) {
        if (fromCache) continue;
        return { obj: cur.obj, created: false };
      }
      const finish = await this.admit('UPDATE', next, cur.obj, opts);
      if (opts.dryRun) {
        await finish(false);
        return { obj: next, created: false };
      }
      const finished = finishedDeleting(next);
      let result: { obj: KObject; created: boolean } | undefined;
      try {
        if (finished) {
          const rev = await this.storage.delete(key, cur.modRevision);
          if (rev !== undefined) result = { obj: next, created: false };
        } else {
          const stored = await this.storage.update(key, next, cur.modRevision);
          if (stored) result = { obj: stored.obj, created: false };
        }
      } finally {
        await finish(result !== undefined);
      }
      if (result) return result;
      // Lost a race: read again. A caller-given resourceVersion now mismatches → 409 above.
    }
  }

  /** The watch cache's copy of an object, when the cache is serving, as a first guess. */
  private cachedGuess(namespace: string | undefined, name: string): StoredObject | undefined {
    if (!this.cache.isReady) return undefined;
    const e = this.cache.get(this.info.namespaced ? `${namespace}/${name}` : name);
    return e ? { obj: e.obj, modRevision: e.rev } : undefined;
  }

  private prepareUpdate(proposed: KObject, old: KObject, subresource?: 'status' | 'raw'): KObject {
    // Server-internal writes (binding, finalize) that bypass the main resource's rules.
    if (subresource === 'raw') return proposed;
    if (subresource === 'status') {
      const next = this.strategy.prepareForStatusUpdate(proposed, old);
      this.invalidIf(this.strategy.validateStatusUpdate(next, old), next);
      return next;
    }
    const next = checkKind(this.info, proposed);
    if (next.metadata!.name !== undefined && next.metadata!.name !== old.metadata?.name) {
      throw errors.badRequest(`the name of the object (${next.metadata!.name}) does not match the name on the URL (${old.metadata?.name})`);
    }
    keepServerFields(next, old);
    this.strategy.prepareForUpdate(next, old);
    this.invalidIf(this.strategy.validateUpdate(next, old), next);
    return next;
  }

  /** PUT: replace the object (or its status). */
  async update(namespace: string | undefined, name: string, body: unknown, opts: WriteOptions & { subresource?: 'status' } = {}): Promise<{ obj: KObject; created: boolean }> {
    const obj = checkKind(this.info, body);
    if (obj.metadata!.name !== undefined && obj.metadata!.name !== name) {
      throw errors.badRequest(`the name of the object (${obj.metadata!.name}) does not match the name on the URL (${name})`);
    }
    setNamespace(this.info, obj, namespace);
    const createIfMissing = CREATE_ON_UPDATE.has(this.info.kind) && !opts.subresource ? () => this.create(namespace, { ...obj, metadata: { ...obj.metadata, name } }, opts) : undefined;
    return this.guaranteedUpdate(namespace, name, (cur) => {
      const next = structuredClone(obj);
      next.metadata = { ...next.metadata, name };
      // A PUT without resourceVersion is unconditional, as in Kubernetes.
      if (!next.metadata.resourceVersion) next.metadata.resourceVersion = cur.metadata?.resourceVersion;
      return next;
    }, { ...opts, createIfMissing });
  }

  async delete(namespace: string | undefined, name: string, opts: DeleteOptions = {}): Promise<{ obj: KObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    for (;;) {
      const cur = await this.mustGet(namespace, name);
      const obj = structuredClone(cur.obj);
      const meta = obj.metadata!;
      checkPreconditions(this.gr, name, meta, opts.preconditions);
      this.strategy.prepareForDelete?.(obj);
      const finish = await this.admit('DELETE', obj, cur.obj, opts);
      const finalizers = [...(meta.finalizers ?? [])];
      const policy = opts.propagationPolicy ?? (opts.orphanDependents === true ? 'Orphan' : opts.orphanDependents === false ? 'Background' : undefined);
      if (policy === 'Orphan' && !finalizers.includes('orphan')) finalizers.push('orphan');
      if (policy === 'Foreground' && !finalizers.includes('foregroundDeletion')) finalizers.push('foregroundDeletion');
      let grace = gracePeriod(this.info, obj, opts.gracePeriodSeconds);
      if (this.info.kind === 'Namespace') {
        const spec = isObject(obj.spec) ? obj.spec : {};
        const specFinalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
        if (specFinalizers.length) finalizers.push(...specFinalizers.map((f) => `spec:${String(f)}`));
        obj.status = { ...(isObject(obj.status) ? obj.status : {}), phase: 'Terminating' };
      }
      const realFinalizers = finalizers.filter((f) => !f.startsWith('spec:'));
      if (finalizers.length === 0 && grace === 0) {
        if (opts.dryRun) {
          await finish(false);
          return { obj, deleted: true };
        }
        let rev: number | undefined;
        try {
          rev = await this.storage.delete(key, cur.modRevision);
        } finally {
          await finish(rev !== undefined);
        }
        if (rev === undefined) continue;
        return { obj, deleted: true };
      }
      // Not removed now (graceful or finalizers): the UPDATE that finally removes it commits.
      await finish(false);
      // Graceful: mark, and let the kubelet / controllers / finalizers finish it.
      if (meta.deletionTimestamp) {
        const prevGrace = meta.deletionGracePeriodSeconds ?? 0;
        if (grace >= prevGrace && sameList(realFinalizers, meta.finalizers ?? [])) return { obj: cur.obj, deleted: false };
        grace = Math.min(grace, prevGrace);
      }
      meta.deletionTimestamp = nowTime(grace);
      meta.deletionGracePeriodSeconds = grace;
      if (realFinalizers.length) meta.finalizers = realFinalizers;
      if (opts.dryRun) return { obj, deleted: false };
      const stored = await this.storage.update(key, obj, cur.modRevision);
      if (stored) return { obj: stored.obj, deleted: false };
    }
  }
}

function sameList(a: string[], b: string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** An object whose deletion was pending and nothing holds it any more. */
function finishedDeleting(obj: KObject): boolean {
  const meta = obj.metadata ?? {};
  if (!meta.deletionTimestamp || (meta.finalizers ?? []).length) return false;
  if (obj.kind === 'Namespace') {
    const spec = isObject(obj.spec) ? obj.spec : {};
    if (Array.isArray(spec.finalizers) && spec.finalizers.length) return false;
    return true;
  }
  return (meta.deletionGracePeriodSeconds ?? 0) === 0;
}

function checkPreconditions(
  gr: { group: string; resource: string },
  name: string,
  meta: NonNullable<KObject['metadata']>,
  pre: DeleteOptions['preconditions'],
): void {
  if (!pre) return;
  if (pre.uid && pre.uid !== meta.uid) {
    throw errors.conflict(gr, name, `Precondition failed: UID in precondition: ${pre.uid}, UID in object meta: ${meta.uid}`);
  }
  if (pre.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
    throw errors.conflict(gr, name, `Precondition failed: ResourceVersion in precondition: ${pre.resourceVersion}, ResourceVersion in object meta: ${meta.resourceVersion}`);
  }
}

export { StatusError, type CacheEntry };

/** The fresher of the cache's copy and a caller's guess (by resourceVersion). */
function newer(cached: StoredObject | undefined, given: KObject | undefined): StoredObject | undefined {
  const rv = Number(given?.metadata?.resourceVersion);
  if (!given || !Number.isSafeInteger(rv) || (cached && cached.modRevision >= rv)) return cached;
  return { obj: given, modRevision: rv };
}
