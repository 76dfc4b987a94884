// The etcd edge of the apiserver: objects as JSON values under Kubernetes' key layout, with
// `metadata.resourceVersion` = the key's mod_revision. Every write is a transaction that
// compares a revision, so concurrent writers never lose an update. With
// --encryption-provider-config, values of the configured resources pass through their
// transformer (encryption/) on the way in and out.
import { Etcd3, type IKeyValue, type IOptions } from 'etcd3';
import type { Logger } from 'pino';
import { errors, StatusError } from '../../api/status.js';
import type { KObject } from '../../api/types.js';
import { valuePrefix, type KeyTransformers } from '../encryption/transformer.js';

export interface StoredObject {
  /** Decoded object with metadata.resourceVersion set from mod_revision. */
  obj: KObject;
  modRevision: number;
  /** Read with another than the current write key/provider: an update must rewrite it. */
  stale?: true;
}

export interface StorageOptions {
  /** Per-key value transformers (encryption at rest); without them values are plain JSON. */
  transformers?: KeyTransformers;
  /** Where unreadable values are reported (once per key). */
  log?: Logger;
  /** Converts objects between the version a store serves and the one etcd keeps (custom resources). */
  codec?: ObjectCodec;
}

/** How long one etcd call may take before it fails (Storage.connect's default). */
export const DEFAULT_ETCD_REQUEST_TIMEOUT_MS = 10_000;

/** Object conversion at the etcd edge (k8s' storage codec): a served version ↔ the storage version. */
export interface ObjectCodec {
  toStorage(obj: KObject): KObject;
  fromStorage(obj: KObject): KObject;
}

export interface RangeResult {
  items: StoredObject[];
  /** The store revision the range was read at. */
  revision: number;
  /** Keys remain after the last returned one. */
  more: boolean;
  /** How many keys were left after this page (etcd's `count` minus what was returned). */
  remaining: number;
  /** The last key read (also when its value could not be decoded); undefined for no keys. */
  lastKey?: string;
}

export class CompactedError extends Error {
  constructor(readonly revision: number) {
    super(`required revision ${revision} has been compacted`);
  }
}

/** Strips the resourceVersion (it is the key's revision, never stored) and serialises. */
export function encode(obj: KObject): Buffer {
  const meta = obj.metadata;
  if (meta && meta.resourceVersion !== undefined) {
    const { resourceVersion: _rv, ...rest } = meta;
    return Buffer.from(JSON.stringify({ ...obj, metadata: rest }));
  }
  return Buffer.from(JSON.stringify(obj));
}

function decodeValue(value: Buffer, revision: string): StoredObject {
  const obj = JSON.parse(value.toString()) as KObject;
  const modRevision = Number(revision);
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(modRevision) };
  return { obj, modRevision };
}

function prefixEnd(prefix: string): Buffer {
  const b = Buffer.from(prefix);
  for (let i = b.length - 1; i >= 0; i--) {
    if (b[i]! < 0xff) {
      const end = Buffer.from(b.subarray(0, i + 1));
      end[i]! += 1;
      return end;
    }
  }
  return Buffer.from([0]);
}

function isCompacted(e: unknown): boolean {
  return e instanceof Error && /compacted/i.test(e.message);
}

/** Keys remembered as already reported unreadable; beyond this, reports may repeat. */
const MAX_REPORTED = 10_000;

export class Storage {
  private readonly transformers: KeyTransformers | undefined;
  private readonly log: Logger | undefined;
  private readonly codec: ObjectCodec | undefined;
  private readonly reported = new Set<string>();

  constructor(
    readonly etcd: Etcd3,
    options: StorageOptions = {},
  ) {
    this.transformers = options.transformers;
    this.log = options.log;
    this.codec = options.codec;
  }

  /** The same etcd client and transformers, converting objects through `codec` (never closed on its own). */
  withCodec(codec: ObjectCodec): Storage {
    return new Storage(this.etcd, { ...(this.transformers ? { transformers: this.transformers } : {}), ...(this.log ? { log: this.log } : {}), codec });
  }

  /**
   * Every unary call gets a deadline of `requestTimeoutMs`: without a quorum etcd never
   * answers a write or a linearizable read from a member that lost its leader (etcd itself
   * gives up after ~7 s only when the client reached a live member), and a request must not
   * hang for ever. Watches are streams and have none; they resume on their own.
   */
  static connect(endpoints: string[], options: StorageOptions & { requestTimeoutMs?: number } = {}): Storage {
    const { requestTimeoutMs = DEFAULT_ETCD_REQUEST_TIMEOUT_MS, ...rest } = options;
    return new Storage(
      new Etcd3({
        hosts: endpoints,
        grpcOptions: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
        defaultCallOptions: (ctx) => (ctx.isStream ? {} : { deadline: Date.now() + requestTimeoutMs }),
        faultHandling: { watchBackoff: watchBackoff(), global: retryUnsent },
      }),
      rest,
    );
  }

  /**
   * A stored value → the object, with its resourceVersion. Throws an InternalError Status
   * when the value's transformer cannot read it (a missing or wrong key: a server fault).
   */
  decode(kv: IKeyValue): StoredObject {
    let value = kv.value;
    let stale = false;
    if (this.transformers) {
      const key = kv.key.toString();
      const t = this.transformers.forKey(key);
      if (t) {
        try {
          ({ data: value, stale } = t.fromStorage(value, key));
        } catch (e) {
          throw this.unreadable(key, e);
        }
      }
    }
    try {
      const stored = decodeValue(value, kv.mod_revision);
      if (this.codec) stored.obj = this.codec.fromStorage(stored.obj);
      if (stale) stored.stale = true;
      return stored;
    } catch (e) {
      // Checked only on failure, so plain JSON pays nothing: an encrypted value read without
      // its transformer means the config lost the resource (or the flag was left off).
      const prefix = valuePrefix(value);
      if (prefix) throw this.unreadable(kv.key.toString(), new Error(`identity transformer tried to read encrypted data (value prefix "${prefix}")`));
      throw e;
    }
  }

  /** The bytes to store for `obj` under `key`. */
  private encodeFor(key: string, obj: KObject): Buffer {
    const data = encode(this.codec ? this.codec.toStorage(obj) : obj);
    const t = this.transformers?.forKey(key);
    return t ? t.toStorage(data, key) : data;
  }

  private unreadable(key: string, e: unknown): StatusError {
    const why = e instanceof Error ? e.message : String(e);
    if (!this.reported.has(key)) {
      if (this.reported.size >= MAX_REPORTED) this.reported.clear();
      this.reported.add(key);
      this.log?.error({ key, err: why }, 'cannot read a value from etcd: check --encryption-provider-config');
    }
    return errors.internal(`unable to transform key "${key}": ${why}`);
  }

  async close(): Promise<void> {
    this.etcd.close();
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const res = await etcdCall(this.etcd.kv.range({ key: Buffer.from(key) }));
    const kv = res.kvs[0];
    return kv ? this.decode(kv) : undefined;
  }

  /** Creates `key` only if absent. Returns the stored object, or undefined if it exists. */
  async create(key: string, obj: KObject): Promise<StoredObject | undefined> {
    const k = Buffer.from(key);
    const res = await etcdCall(this.etcd.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: this.encodeFor(key, obj) } }],
      failure: [],
    }), true);
    if (!res.succeeded) return undefined;
    const rev = Number(res.header.revision);
    return { obj: withRV(obj, rev), modRevision: rev };
  }

  /** Writes `key` only if its mod_revision is still `expected`. Undefined on conflict. */
  async update(key: string, obj: KObject, expected: number): Promise<StoredObject | undefined> {
    const k = Buffer.from(key);
    const res = await etcdCall(this.etcd.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expected }],
      success: [{ request_put: { key: k, value: this.encodeFor(key, obj) } }],
      failure: [],
    }), true);
    if (!res.succeeded) return undefined;
    const rev = Number(res.header.revision);
    return { obj: withRV(obj, rev), modRevision: rev };
  }

  /** Deletes `key` only if its mod_revision is still `expected`. Returns the delete revision. */
  async delete(key: string, expected: number): Promise<number | undefined> {
    const k = Buffer.from(key);
    const res = await etcdCall(this.etcd.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expected }],
      success: [{ request_delete_range: { key: k } }],
      failure: [],
    }), true);
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /**
   * Reads keys under `prefix` from `startKey` (inclusive), at `revision` (0 = newest).
   * Throws CompactedError when the revision is gone.
   */
  async range(
    prefix: string,
    opts: {
      startKey?: string;
      limit?: number;
      revision?: number;
      /** Given: values that cannot be decoded are reported here and left out, not thrown. */
      onUndecodable?: (key: string, err: StatusError) => void;
    } = {},
  ): Promise<RangeResult> {
    let res;
    try {
      res = await this.etcd.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      });
    } catch (e) {
      if (isCompacted(e)) throw new CompactedError(opts.revision ?? 0);
      throw unavailable(e);
    }
    const onUndecodable = opts.onUndecodable;
    const items = onUndecodable ? this.decodeEach(res.kvs, onUndecodable) : res.kvs.map((kv) => this.decode(kv));
    const count = Number(res.count);
    const last = res.kvs[res.kvs.length - 1];
    return {
      items,
      revision: Number(res.header.revision),
      more: res.more,
      remaining: Math.max(0, count - res.kvs.length),
      ...(last ? { lastKey: last.key.toString() } : {}),
    };
  }

  private decodeEach(kvs: IKeyValue[], onUndecodable: (key: string, err: StatusError) => void): StoredObject[] {
    const items: StoredObject[] = [];
    for (const kv of kvs) {
      try {
        items.push(this.decode(kv));
      } catch (e) {
        onUndecodable(kv.key.toString(), e instanceof StatusError ? e : errors.internal(String(e)));
      }
    }
    return items;
  }

  /**
   * The newest revision of the store (a one-key read costs one round trip). The read is
   * linearizable, so it needs a quorum: /readyz's etcd check (with a shorter `timeoutMs`).
   */
  async currentRevision(timeoutMs?: number): Promise<number> {
    const req = { key: Buffer.from('\0'), limit: 1, keys_only: true, count_only: true };
    const res = await etcdCall(timeoutMs ? this.etcd.kv.range(req, { deadline: Date.now() + timeoutMs }) : this.etcd.kv.range(req));
    return Number(res.header.revision);
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.etcd.kv.compact({ revision, physical: false });
    } catch (e) {
      if (!isCompacted(e)) throw e;
    }
  }
}

/**
 * etcd failures (no quorum, no member reachable, a deadline passed) as the 500 Status
 * Kubernetes answers with (its responsewriters turn a storage error into an InternalError
 * carrying etcd's message, e.g. "etcdserver: request timed out"). Other errors pass through.
 *
 * details.retryAfterSeconds only when resending is safe: a read, or a write that never
 * reached etcd. A write that timed out may still commit (its raft entry can be applied once
 * quorum is back): resent, a create with generateName would make a second object.
 */
export function unavailable(e: unknown, write = false): unknown {
  if (e instanceof StatusError || !(e instanceof Error)) return e;
  const grpc = /^(GRPC|Etcd|BrokenCircuit)/.test(e.constructor.name) || /deadline|unavailable|etcdserver|no connection|ECONNREFUSED|circuit breaker/i.test(e.message);
  if (!grpc) return e;
  const why = /deadline/i.test(e.message)
    ? 'etcdserver: request timed out (context deadline exceeded)'
    : /^etcdserver:/.test(e.message)
      ? e.message
      : `etcd cluster is unavailable: ${/circuit breaker/i.test(e.message) ? 'no member answered recently' : e.message}`;
  return new StatusError(500, 'InternalError', `Internal error occurred: ${why}`, !write || notSent(e) ? { retryAfterSeconds: 1 } : undefined);
}

type FaultHandling = NonNullable<IOptions['faultHandling']>;
type WatchBackoff = NonNullable<FaultHandling['watchBackoff']>;

/** The call surely never reached etcd: no connection to the member, or its circuit breaker open. */
function notSent(e: unknown): boolean {
  return e instanceof Error && /No connection established|ECONNREFUSED|circuit breaker/i.test(e.message);
}

/**
 * etcd3's global retry policy, made safe. Its default retries every "recoverable" error three
 * times, also when a transaction was sent and the member died before answering: the retried
 * create then finds its own key (409 AlreadyExists for a create that worked) and a retried
 * compare-and-swap update reports a conflict for an update that landed. Like clientv3 (which
 * retries a mutation only when it was never sent), this retries, on another member, only calls
 * that never left. Only `execute` is called on the global policy.
 */
const retryUnsent = {
  async execute<T>(fn: (context: { signal: AbortSignal }) => PromiseLike<T> | T): Promise<T> {
    const signal = new AbortController().signal;
    for (let attempt = 1; ; attempt++) {
      try {
        return await fn({ signal });
      } catch (e) {
        if (attempt >= 3 || !notSent(e)) throw e;
      }
    }
  },
} as unknown as NonNullable<FaultHandling['global']>;

/**
 * When the member a watch stream is on dies, reconnect after 100 ms, doubling up to 2 s:
 * etcd3's default grows to 30 s, and the watch caches would lag that long behind etcd after
 * one member of a healthy cluster is killed.
 */
function watchBackoff(delayMs = 100): WatchBackoff {
  return { duration: delayMs, next: () => watchBackoff(Math.min(delayMs * 2, 2000)) };
}

/** `write`: the call changes etcd, so its failure may not mean it did not happen (see unavailable). */
async function etcdCall<T>(call: Promise<T>, write = false): Promise<T> {
  try {
    return await call;
  } catch (e) {
    throw unavailable(e, write);
  }
}

function withRV(obj: KObject, rev: number): KObject {
  return { ...obj, metadata: { ...(obj.metadata ?? {}), resourceVersion: String(rev) } };
}

export { prefixEnd };
