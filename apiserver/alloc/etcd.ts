// One etcd key per allocated item (like k8s' IPAddress objects): `<prefix>/<item>` holding its
// owner. A create-if-absent transaction is the whole allocation protocol, so concurrent creates
// — in one apiserver or several on the same etcd — can never hand out an item twice.
import { randomInt } from 'node:crypto';
import type { Etcd3 } from 'etcd3';
import { prefixEnd } from '../storage/storage.js';
import type { AllocationRange } from './range.js';

/** Who holds an allocation: the Service, by name and uid (a recreated Service is another owner). */
export interface AllocationOwner {
  namespace: string;
  name: string;
  uid: string;
}

export interface Allocation {
  item: string;
  owner: AllocationOwner;
  /** etcd create_revision of the key: the same allocation across repair passes has the same one. */
  createRevision: number;
  modRevision: number;
}

/** k8s ipallocator/portallocator ErrAllocated ("provided IP/port is already allocated"). */
export class AllocatedError extends Error {}
/** k8s ErrNotInRange. */
export class NotInRangeError extends Error {}
/** k8s ErrFull. */
export class RangeFullError extends Error {
  constructor() {
    super('range is full');
  }
}

/** Random guesses before reading the whole range: cheap while the range is mostly free. */
const RANDOM_TRIES = 8;

export class EtcdAllocator {
  constructor(
    private readonly etcd: Etcd3,
    /** e.g. `/registry/ipallocations/` (with the trailing slash). */
    readonly prefix: string,
    readonly range: AllocationRange,
    /** Noun for messages: `IP` or `port`. */
    private readonly noun: 'IP' | 'port',
  ) {}

  private key(item: string): Buffer {
    return Buffer.from(this.prefix + item);
  }

  inRange(item: string): boolean {
    return this.range.offsetOf(item) !== undefined;
  }

  notInRange(item: string): NotInRangeError {
    return this.noun === 'IP'
      ? new NotInRangeError(`the provided IP (${item}) is not in the valid range. The range of valid IPs is ${this.range.text}`)
      : new NotInRangeError(`provided port is not in the valid range. The range of valid ports is ${this.range.text}`);
  }

  /**
   * Takes `item` for `owner`. Already held by the same owner counts as success (a retried
   * write re-admits what it already holds). Throws NotInRangeError or AllocatedError.
   */
  async allocate(item: string, owner: AllocationOwner): Promise<void> {
    if (!this.inRange(item)) throw this.notInRange(item);
    if (!(await this.tryCreate(item, owner))) throw new AllocatedError(`provided ${this.noun} is already allocated`);
  }

  /** Takes any free, unreserved item. Throws RangeFullError. */
  async allocateNext(owner: AllocationOwner): Promise<string> {
    const { size, reserved } = this.range;
    const usable = size - reserved.size;
    if (usable <= 0) throw new RangeFullError();
    for (let i = 0; i < Math.min(RANDOM_TRIES, usable); i++) {
      const off = randomInt(size);
      if (reserved.has(off)) continue;
      const item = this.range.itemAt(off);
      if (await this.tryCreate(item, owner, true)) return item;
    }
    // Crowded: read what is taken and walk the free offsets from a random start.
    const taken = new Set((await this.list()).map((a) => this.range.offsetOf(a.item)));
    const start = randomInt(size);
    for (let i = 0; i < size; i++) {
      const off = (start + i) % size;
      if (reserved.has(off) || taken.has(off)) continue;
      const item = this.range.itemAt(off);
      if (await this.tryCreate(item, owner, true)) return item;
    }
    throw new RangeFullError();
  }

  /** Create-if-absent. `fresh`: a key that already exists never counts as ours. */
  private async tryCreate(item: string, owner: AllocationOwner, fresh = false): Promise<boolean> {
    const key = this.key(item);
    const res = await this.etcd.kv.txn({
      compare: [{ key, target: 'Create', result: 'Equal', create_revision: 0 }],
      success: [{ request_put: { key, value: Buffer.from(JSON.stringify(owner)) } }],
      failure: [{ request_range: { key } }],
    });
    if (res.succeeded) return true;
    if (fresh) return false;
    const kv = res.responses[0]?.response_range?.kvs[0];
    return !!kv && parseOwner(kv.value)?.uid === owner.uid;
  }

  /** Frees `item` if `uid` still holds it. Returns whether a key was deleted. */
  async release(item: string, uid: string): Promise<boolean> {
    const key = this.key(item);
    const res = await this.etcd.kv.range({ key });
    const kv = res.kvs[0];
    if (!kv || parseOwner(kv.value)?.uid !== uid) return false;
    return this.deleteAt(item, Number(kv.mod_revision));
  }

  /** Deletes `item` only if unchanged since `modRevision` (repair uses what it listed). */
  async deleteAt(item: string, modRevision: number): Promise<boolean> {
    const key = this.key(item);
    const res = await this.etcd.kv.txn({
      compare: [{ key, target: 'Mod', result: 'Equal', mod_revision: modRevision }],
      success: [{ request_delete_range: { key } }],
      failure: [],
    });
    return res.succeeded;
  }

  /** Every allocation (keys_only would not tell owners apart). */
  async list(): Promise<Allocation[]> {
    const res = await this.etcd.kv.range({ key: Buffer.from(this.prefix), range_end: prefixEnd(this.prefix) });
    const out: Allocation[] = [];
    for (const kv of res.kvs) {
      const owner = parseOwner(kv.value);
      out.push({
        item: kv.key.toString().slice(this.prefix.length),
        owner: owner ?? { namespace: '', name: '', uid: '' },
        createRevision: Number(kv.create_revision),
        modRevision: Number(kv.mod_revision),
      });
    }
    return out;
  }
}

function parseOwner(value: Buffer): AllocationOwner | undefined {
  try {
    const v = JSON.parse(value.toString()) as Partial<AllocationOwner>;
    if (typeof v.uid !== 'string') return undefined;
    return { namespace: String(v.namespace ?? ''), name: String(v.name ?? ''), uid: v.uid };
  } catch {
    return undefined;
  }
}
