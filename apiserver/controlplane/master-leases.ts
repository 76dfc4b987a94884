// The apiservers' leases in etcd (k8s' reconcilers.storageLeases): each live apiserver keeps a
// key `<prefix>/masterleases/<ip>:<port>` attached to an etcd lease of --endpoint-reconciler
// TTL (15 s), refreshed every reconcile (10 s). An apiserver that dies stops refreshing and
// etcd drops its key when the TTL runs out; a clean stop deletes it at once.
// Upstream keys by IP alone (one apiserver per host, all on one port). tskube's one-box HA
// topology runs two apiservers on the same IP on different ports, so the key (and the value,
// an Endpoints object as upstream stores) carries the port too.
import type { Logger } from 'pino';
import type { Storage } from '../storage/storage.js';
import { prefixEnd, unavailable } from '../storage/storage.js';

export interface Master {
  ip: string;
  port: number;
}

export function masterKey(m: Master): string {
  return m.ip.includes(':') ? `[${m.ip}]:${m.port}` : `${m.ip}:${m.port}`;
}

/** The Endpoints object upstream stores per lease (one address), with our port. */
function leaseValue(m: Master, generation: number): Buffer {
  return Buffer.from(JSON.stringify({
    kind: 'Endpoints',
    apiVersion: 'v1',
    metadata: { name: masterKey(m), generation },
    subsets: [{ addresses: [{ ip: m.ip }], ports: [{ port: m.port, protocol: 'TCP' }] }],
  }));
}

/** A stored lease value → its master, or undefined when it does not hold one. */
export function parseLease(value: Buffer): Master | undefined {
  try {
    const ep = JSON.parse(value.toString()) as { subsets?: { addresses?: { ip?: string }[]; ports?: { port?: number }[] }[] };
    const sub = ep.subsets?.[0];
    const ip = sub?.addresses?.[0]?.ip;
    const port = sub?.ports?.[0]?.port;
    return ip && typeof port === 'number' ? { ip, port } : undefined;
  } catch {
    return undefined;
  }
}

export class MasterLeases {
  private readonly baseKey: string;
  /** The etcd lease our key is attached to now; revoked once the next one holds it. */
  private leaseID: string | undefined;
  private generation = 0;

  constructor(
    private readonly storage: Storage,
    etcdPrefix: string,
    private readonly ttlSeconds: number,
    private readonly log: Logger,
  ) {
    this.baseKey = `${etcdPrefix.replace(/\/+$/, '')}/masterleases/`;
  }

  /** Writes our key again on a fresh etcd lease of the full TTL (upstream's UpdateLease). */
  async update(m: Master): Promise<void> {
    const etcd = this.storage.etcd;
    try {
      const grant = await etcd.leaseClient.leaseGrant({ TTL: this.ttlSeconds });
      await etcd.kv.put({ key: Buffer.from(this.baseKey + masterKey(m)), value: leaseValue(m, ++this.generation), lease: grant.ID });
      const previous = this.leaseID;
      this.leaseID = grant.ID;
      // The key moved to the new lease: the old one holds nothing; revoking it keeps etcd tidy.
      if (previous) await etcd.leaseClient.leaseRevoke({ ID: previous }).catch((e: unknown) => this.log.debug({ err: e }, 'could not revoke the previous master lease'));
    } catch (e) {
      throw unavailable(e);
    }
  }

  /** Every apiserver whose lease is live, in key order. */
  async list(): Promise<Master[]> {
    let res;
    try {
      res = await this.storage.etcd.kv.range({ key: Buffer.from(this.baseKey), range_end: prefixEnd(this.baseKey) });
    } catch (e) {
      throw unavailable(e);
    }
    const masters: Master[] = [];
    for (const kv of res.kvs) {
      const m = parseLease(kv.value);
      if (m) masters.push(m);
    }
    return masters;
  }

  /** Deletes our key now (a clean stop), and the lease it was on. */
  async remove(m: Master): Promise<void> {
    const etcd = this.storage.etcd;
    try {
      await etcd.kv.deleteRange({ key: Buffer.from(this.baseKey + masterKey(m)) });
      if (this.leaseID) await etcd.leaseClient.leaseRevoke({ ID: this.leaseID }).catch(() => undefined);
      this.leaseID = undefined;
    } catch (e) {
      throw unavailable(e);
    }
  }
}
