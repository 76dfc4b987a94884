// The ranges Service allocations come from, as pure values: an IPv4 CIDR for ClusterIPs
// (`--service-cluster-ip-range`) and a port span for NodePorts (`--service-node-port-range`).
// Each maps offsets ↔ items so one allocator (etcd.ts) serves both. Offsets stay numbers (the
// allocator's bitmap-like scan); the address math is api/net.ts's.
import { cidrAddress, ipToBigInt, tryParseCidr, type Cidr } from '../../api/net.js';

/** A finite set of allocatable items addressed by offset 0..size-1. */
export interface AllocationRange {
  /** How many items the range holds. */
  readonly size: number;
  /** The range as the flag spelled it, for error messages (`10.96.0.0/12`, `30000-32767`). */
  readonly text: string;
  itemAt(offset: number): string;
  /** The offset of `item`, or undefined when it is not in the range. */
  offsetOf(item: string): number | undefined;
  /** Offsets never handed out dynamically, only when asked for by name. */
  readonly reserved: ReadonlySet<number>;
}

/** `--service-cluster-ip-range`: IPv4 only here (no dual-stack Services). */
function parseServiceCidr(text: string): Cidr {
  const cidr = tryParseCidr(text);
  if (cidr?.family !== 'IPv4') throw new Error(`invalid IPv4 CIDR: ${JSON.stringify(text)}`);
  return cidr;
}

/**
 * ClusterIPs: every address of the CIDR but the network and broadcast addresses (as k8s'
 * bitmap allocator). The first usable address belongs to the `kubernetes` Service and the
 * tenth to cluster DNS, so dynamic allocation skips both.
 */
export class ServiceIPRange implements AllocationRange {
  readonly cidr: Cidr;
  readonly size: number;
  readonly reserved: ReadonlySet<number>;

  constructor(text: string) {
    this.cidr = parseServiceCidr(text);
    const total = Number(this.cidr.size);
    if (total < 4) throw new Error(`service IP range ${text} is too small`);
    this.size = total - 2;
    // Offsets 0 and 9 are .1 and .10 of the range.
    this.reserved = new Set([0, 9].filter((o) => o < this.size));
  }

  get text(): string {
    return this.cidr.text;
  }

  /** Offset 0 is the address after the network address. */
  itemAt(offset: number): string {
    return cidrAddress(this.cidr, offset + 1);
  }

  offsetOf(item: string): number | undefined {
    const n = ipToBigInt(item);
    if (n === undefined || n.family !== 'IPv4') return undefined;
    const off = Number(n.value - this.cidr.base) - 1;
    return off >= 0 && off < this.size ? off : undefined;
  }

  /** The address the `kubernetes` Service gets. */
  get kubernetesServiceIP(): string {
    return this.itemAt(0);
  }
}

/** NodePorts: `30000-32767` (inclusive), or a single port. */
export class NodePortRange implements AllocationRange {
  readonly base: number;
  readonly size: number;
  readonly text: string;
  readonly reserved: ReadonlySet<number> = new Set();

  constructor(text: string) {
    const m = /^\s*(\d+)\s*(?:-\s*(\d+)\s*)?$/.exec(text);
    const lo = m ? Number(m[1]) : NaN;
    const hi = m ? Number(m[2] ?? m[1]) : NaN;
    if (!m || !(lo >= 1 && hi <= 65535 && lo <= hi)) throw new Error(`invalid port range: ${JSON.stringify(text)}`);
    this.base = lo;
    this.size = hi - lo + 1;
    this.text = `${lo}-${hi}`;
  }

  itemAt(offset: number): string {
    return String(this.base + offset);
  }

  offsetOf(item: string): number | undefined {
    if (!/^\d+$/.test(item)) return undefined;
    const off = Number(item) - this.base;
    return off >= 0 && off < this.size ? off : undefined;
  }
}
