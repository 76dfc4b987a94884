// Node IPAM (pkg/controller/nodeipam, the "RangeAllocator"): every node gets `spec.podCIDR`
// (and `podCIDRs`) — a /--node-cidr-mask-size block of --cluster-cidr — that the kubelet and
// the pod network use for its pods. Blocks are released when a node is deleted. The
// allocator is rebuilt from the nodes' existing podCIDRs at start, so a restarted controller
// never hands out a block twice.
import type { Node } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, isNotFound } from '../client/index.js';
import { cidrAddress, parseCidr, type Cidr } from '../api/net.js';
import type { Controller, ControllerContext } from './controller.js';
import { intOption } from './options.js';
import { runQueue } from './run-queue.js';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

/** An IPv4 CIDR with host bits cleared, as a number (the allocator is IPv4-only), or undefined. */
export function parseCIDR(cidr: string): { base: number; prefix: number } | undefined {
  const c = tryParseCidr(cidr);
  return c?.family === 'IPv4' ? { base: Number(c.base), prefix: c.prefix } : undefined;
}

function tryParseCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text);
  } catch {
    return undefined;
  }
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

const podCIDRsOf = (node: Node): string[] => (node.spec?.podCIDRs?.length ? [...node.spec.podCIDRs] : node.spec?.podCIDR ? [node.spec.podCIDR] : []);

export const nodeIpamController: Controller = {
  name: 'node-ipam',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    if (ctx.options['allocate-node-cidrs'] === false || ctx.options['allocate-node-cidrs'] === 'false') return;
    const log = ctx.log;
    const recorder = ctx.recorder('cidrAllocator');
    const clusterCIDR = String(ctx.options['cluster-cidr'] ?? DEFAULT_CLUSTER_CIDR).split(',')[0] ?? DEFAULT_CLUSTER_CIDR;
    const set = new CidrSet(clusterCIDR, intOption(ctx, 'node-cidr-mask-size', DEFAULT_NODE_CIDR_MASK_SIZE));
    const nodes = ctx.factory.informerFor('nodes');
    const client = ctx.client.resource('nodes');
    const queue = new WorkQueue<string>({ name: 'nodeipam' });
    /** Blocks handed to a node whose patch the cache has not shown yet (k8s nodesInProcessing). */
    const pending = new Map<string, string>();
    let synced = false;
    nodes.addEventHandler({
      onAdd: (n) => queue.add(n.metadata?.name ?? ''),
      onUpdate: (_o, n) => {
        const name = n.metadata?.name ?? '';
        if (!podCIDRsOf(n).length) return queue.add(name);
        if (!synced) return;
        podCIDRsOf(n).forEach((c) => set.occupy(c));
        if (podCIDRsOf(n).includes(pending.get(name) ?? '')) pending.delete(name);
      },
      onDelete: (obj) => {
        const n = deletedObject(obj);
        for (const c of podCIDRsOf(n)) set.release(c);
        const p = pending.get(n.metadata?.name ?? '');
        if (p) set.release(p);
        pending.delete(n.metadata?.name ?? '');
        // A block came free: nodes still waiting for one need not wait for their backoff.
        if (synced) for (const other of nodes.lister.list()) if (!podCIDRsOf(other).length) queue.add(other.metadata?.name ?? '');
      },
    });
    try {
      await ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    // Rebuild from what nodes already have before allocating anything.
    for (const n of nodes.lister.list()) {
      for (const c of podCIDRsOf(n)) {
        if (!set.occupy(c)) log.warn({ node: n.metadata?.name, podCIDR: c }, 'node podCIDR is outside the cluster CIDR');
      }
    }
    synced = true;
    log.info({ clusterCIDR, nodeMaskSize: set.nodeMaskSize, allocated: set.allocatedCount }, 'node CIDR allocator ready');

    const reconcile = async (name: string): Promise<void> => {
      const node = nodes.lister.getByName('', name);
      if (!node) return;
      const have = podCIDRsOf(node);
      if (have.length) {
        have.forEach((c) => set.occupy(c));
        const p = pending.get(name);
        if (p && !have.includes(p)) set.release(p);
        pending.delete(name);
        return;
      }
      let cidr = pending.get(name);
      if (!cidr) {
        cidr = set.allocateNext();
        if (!cidr) {
          recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
          throw new Error(`no remaining CIDRs in ${clusterCIDR} for node ${name}`);
        }
        pending.set(name, cidr);
      }
      try {
        await client.patch(name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
        log.info({ node: name, podCIDR: cidr }, 'allocated pod CIDR');
      } catch (e) {
        if (isNotFound(e)) {
          set.release(cidr);
          pending.delete(name);
          return;
        }
        // Most likely the node got a CIDR meanwhile (they cannot change once set): look again.
        recorder.event(node, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
        set.release(cidr);
        pending.delete(name);
        throw e;
      }
    };
    await runQueue(ctx, signal, { name: 'node-ipam', queue, workers: 1, reconcile });
  },
};
