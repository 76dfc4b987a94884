// The etcd edge of the apiserver: objects as JSON values under Kubernetes' key layout, with
// `metadata.resourceVersion` = the key's mod_revision. Every write is a transaction that
// compares a revision, so concurrent writers never lose an update.
import { Etcd3, type IKeyValue } from 'etcd3';
import type { KObject } from '../api/types.js';

export interface StoredObject {
  /** Decoded object with metadata.resourceVersion set from mod_revision. */
  obj: KObject;
  modRevision: number;
}

export interface RangeResult {
  items: StoredObject[];
  /** The store revision the range was read at. */
  revision: number;
  /** Keys remain after the last returned one. */
  more: boolean;
  /** How many keys were left after this page (etcd's `count` minus what was returned). */
  remaining: number;
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

export function decode(kv: IKeyValue): StoredObject {
  const obj = JSON.parse(kv.value.toString()) as KObject;
  const modRevision = Number(kv.mod_revision);
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

export class Storage {
  constructor(readonly etcd: Etcd3) {}

  static connect(endpoints: string[]): Storage {
    return new Storage(
      new Etcd3({
        hosts: endpoints,
        grpcOptions: { 'grpc.max_receive_message_length': 64 * 1024 * 1024 },
      }),
    );
  }

  async close(): Promise<void> {
    this.etcd.close();
  }

  async get(key: string): Promise<StoredObject | undefined> {
    const res = await this.etcd.kv.range({ key: Buffer.from(key) });
    const kv = res.kvs[0];
    return kv ? decode(kv) : undefined;
  }

  /** Creates `key` only if absent. Returns the stored object, or undefined if it exists. */
  async create(key: string, obj: KObject): Promise<StoredObject | undefined> {
    const k = Buffer.from(key);
    const res = await this.etcd.kv.txn({
      compare: [{ key: k, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key: k, value: encode(obj) } }],
      failure: [],
    });
    if (!res.succeeded) return undefined;
    const rev = Number(res.header.revision);
    return { obj: withRV(obj, rev), modRevision: rev };
  }

  /** Writes `key` only if its mod_revision is still `expected`. Undefined on conflict. */
  async update(key: string, obj: KObject, expected: number): Promise<StoredObject | undefined> {
    const k = Buffer.from(key);
    const res = await this.etcd.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expected }],
      success: [{ request_put: { key: k, value: encode(obj) } }],
      failure: [],
    });
    if (!res.succeeded) return undefined;
    const rev = Number(res.header.revision);
    return { obj: withRV(obj, rev), modRevision: rev };
  }

  /** Deletes `key` only if its mod_revision is still `expected`. Returns the delete revision. */
  async delete(key: string, expected: number): Promise<number | undefined> {
    const k = Buffer.from(key);
    const res = await this.etcd.kv.txn({
      compare: [{ key: k, target: 'Mod', result: 'Equal', mod_revision: expected }],
      success: [{ request_delete_range: { key: k } }],
      failure: [],
    });
    return res.succeeded ? Number(res.header.revision) : undefined;
  }

  /**
   * Reads keys under `prefix` from `startKey` (inclusive), at `revision` (0 = newest).
   * Throws CompactedError when the revision is gone.
   */
  async range(prefix: string, opts: { startKey?: string; limit?: number; revision?: number } = {}): Promise<RangeResult> {
    try {
      const res = await this.etcd.kv.range({
        key: Buffer.from(opts.startKey ?? prefix),
        range_end: prefixEnd(prefix),
        limit: opts.limit ?? 0,
        revision: opts.revision ?? 0,
      });
      const items = res.kvs.map(decode);
      const count = Number(res.count);
      return { items, revision: Number(res.header.revision), more: res.more, remaining: Math.max(0, count - items.length) };
    } catch (e) {
      if (isCompacted(e)) throw new CompactedError(opts.revision ?? 0);
      throw e;
    }
  }

  /** The newest revision of the store (a one-key read costs one round trip). */
  async currentRevision(): Promise<number> {
    const res = await this.etcd.kv.range({ key: Buffer.from('\0'), limit: 1, keys_only: true, count_only: true });
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

function withRV(obj: KObject, rev: number): KObject {
  return { ...obj, metadata: { ...(obj.metadata ?? {}), resourceVersion: String(rev) } };
}

export { prefixEnd };
