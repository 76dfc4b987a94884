// The node CIDR allocator's bitmap (pkg/controller/nodeipam/ipam/cidrset): the node-sized
// blocks of one cluster CIDR, handed out round-robin; the address math is api/net.ts.
import { cidrAddress, tryParseCidr, type Cidr } from '../../api/net.js';

/** An IPv4 CIDR with host bits cleared, as a number (the allocator is IPv4-only), or undefined. */
export function parseCIDR(cidr: string): { base: number; prefix: number } | undefined {
  const c = tryParseCidr(cidr);
  return c?.family === 'IPv4' ? { base: Number(c.base), prefix: c.prefix } : undefined;
}


/** A bitmap of the node-sized blocks of one cluster CIDR (k8s cidrset.CidrSet). */
export class CidrSet {
  private readonly cluster: Cidr;
  readonly base: number;
  readonly clusterPrefix: number;
  readonly maxCIDRs: number;
  private readonly used: Uint8Array;
  private allocated = 0;
  /** Allocation goes round-robin from here, so a just-released block is not reused at once. */
  private next = 0;

  constructor(
    readonly clusterCIDR: string,
    readonly nodeMaskSize: number,
  ) {
    const parsed = tryParseCidr(clusterCIDR);
    if (parsed?.family !== 'IPv4') throw new Error(`invalid --cluster-cidr ${JSON.stringify(clusterCIDR)} (only IPv4 is supported)`);
    if (nodeMaskSize < parsed.prefix || nodeMaskSize > 32) {
      throw new Error(`--node-cidr-mask-size ${nodeMaskSize} must be between the cluster CIDR's prefix ${parsed.prefix} and 32`);
    }
    if (nodeMaskSize - parsed.prefix > 24) throw new Error(`--node-cidr-mask-size ${nodeMaskSize} makes too many blocks of ${clusterCIDR}`);
    this.cluster = parsed;
    this.base = Number(parsed.base);
    this.clusterPrefix = parsed.prefix;
    this.maxCIDRs = 2 ** (nodeMaskSize - parsed.prefix);
    this.used = new Uint8Array(this.maxCIDRs);
  }

  get allocatedCount(): number {
    return this.allocated;
  }

  private blockSize(): number {
    return 2 ** (32 - this.nodeMaskSize);
  }

  private format(index: number): string {
    return `${cidrAddress(this.cluster, index * this.blockSize())}/${this.nodeMaskSize}`;
  }

  /** The block index of a node CIDR of this set, or undefined when it is not one. */
  indexOf(cidr: string): number | undefined {
    const p = parseCIDR(cidr);
    if (p?.prefix !== this.nodeMaskSize) return undefined;
    const offset = p.base - this.base;
    if (offset < 0 || offset >= this.maxCIDRs * this.blockSize()) return undefined;
    return offset / this.blockSize();
  }

  /** The next free block, or undefined when the range is exhausted. */
  allocateNext(): string | undefined {
    for (let i = 0; i < this.maxCIDRs; i++) {
      const idx = (this.next + i) % this.maxCIDRs;
      if (this.used[idx]) continue;
      this.used[idx] = 1;
      this.allocated++;
      this.next = (idx + 1) % this.maxCIDRs;
      return this.format(idx);
    }
    return undefined;
  }

  /** Marks a block as taken (a node already has it). False when it is not a block of this set. */
  occupy(cidr: string): boolean {
    const idx = this.indexOf(cidr);
    if (idx === undefined) return false;
    if (!this.used[idx]) {
      this.used[idx] = 1;
      this.allocated++;
    }
    return true;
  }

  release(cidr: string): void {
    const idx = this.indexOf(cidr);
    if (idx === undefined || !this.used[idx]) return;
    this.used[idx] = 0;
    this.allocated--;
  }
}
