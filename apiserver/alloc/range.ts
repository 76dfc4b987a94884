// The ranges Service allocations come from, as pure values: an IPv4 CIDR for ClusterIPs
// (`--service-cluster-ip-range`) and a port span for NodePorts (`--service-node-port-range`).
// Each maps offsets ↔ items so one allocator (etcd.ts) serves both.

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

export function parseIPv4(ip: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(ip);
  if (!m) return undefined;
  const parts = m.slice(1).map(Number);
  if (parts.some((p) => p > 255)) return undefined;
  return ((parts[0]! << 24) >>> 0) + (parts[1]! << 16) + (parts[2]! << 8) + parts[3]!;
}

export function formatIPv4(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export interface Cidr {
  /** Network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
  text: string;
}

export function parseCidr(text: string): Cidr {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text.trim());
  const addr = m ? parseIPv4(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (!m || addr === undefined || !(prefix >= 0 && prefix <= 32)) throw new Error(`invalid IPv4 CIDR: ${JSON.stringify(text)}`);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  const base = (addr & mask) >>> 0;
  return { base, prefix, text: `${formatIPv4(base)}/${prefix}` };
}

export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = parseIPv4(ip);
  if (n === undefined) return false;
  const mask = cidr.prefix === 0 ? 0 : (0xffffffff << (32 - cidr.prefix)) >>> 0;
  return ((n & mask) >>> 0) === cidr.base;
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
  private readonly first: number;

  constructor(text: string) {
    this.cidr = parseCidr(text);
    const total = 2 ** (32 - this.cidr.prefix);
    if (total < 4) throw new Error(`service IP range ${text} is too small`);
    this.first = this.cidr.base + 1;
    this.size = total - 2;
    // Offsets 0 and 9 are .1 and .10 of the range.
    this.reserved = new Set([0, 9].filter((o) => o < this.size));
  }

  get text(): string {
    return this.cidr.text;
  }

  itemAt(offset: number): string {
    return formatIPv4(this.first + offset);
  }

  offsetOf(item: string): number | undefined {
    const n = parseIPv4(item);
    if (n === undefined) return undefined;
    const off = n - this.first;
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
