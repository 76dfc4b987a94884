// Node IPAM (pkg/controller/nodeipam, the "RangeAllocator"): every node gets `spec.podCIDR`
// (and `podCIDRs`) — a /--node-cidr-mask-size block of --cluster-cidr — that the kubelet and
// the pod network use for its pods. Blocks are released when a node is deleted. The
// allocator is rebuilt from the nodes' existing podCIDRs at start, so a restarted controller
// never hands out a block twice.
import type { Node } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, isNotFound, type EventRecorder, type ResourceClient, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import { boolFlag, controllerFlags, intFlag, stringFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { runQueue } from '../run-queue.js';
import { CidrSet } from './cidrset.js';

export const DEFAULT_CLUSTER_CIDR = '10.244.0.0/16';
export const DEFAULT_NODE_CIDR_MASK_SIZE = 24;

const podCIDRsOf = (node: Node): string[] => (node.spec?.podCIDRs?.length ? [...node.spec.podCIDRs] : node.spec?.podCIDR ? [node.spec.podCIDR] : []);

export class NodeIpamController implements Controller {
  static readonly controllerName = 'node-ipam';
  static readonly flags = {
    'allocate-node-cidrs': boolFlag(true, 'Allocate spec.podCIDR to nodes from --cluster-cidr'),
    'cluster-cidr': stringFlag(DEFAULT_CLUSTER_CIDR, 'Pod CIDR range of the cluster (IPv4)'),
    'node-cidr-mask-size': intFlag(DEFAULT_NODE_CIDR_MASK_SIZE, "Prefix length of each node's pod CIDR"),
  } satisfies FlagDeclarations;
  readonly name = NodeIpamController.controllerName;
  private readonly flags: FlagValues<typeof NodeIpamController.flags>;
  private readonly clusterCIDR: string;
  private readonly set: CidrSet;
  private readonly recorder: EventRecorder;
  private readonly nodes: SharedInformer<Node>;
  private readonly client: ResourceClient<Node>;
  private readonly queue = new WorkQueue<string>({ name: 'nodeipam' });
  /** Blocks handed to a node whose patch the cache has not shown yet (k8s nodesInProcessing). */
  private readonly pending = new Map<string, string>();
  /** The allocator has been rebuilt from the nodes' existing podCIDRs. */
  private synced = false;

  static disabledReason(ctx: ControllerContext): string | undefined {
    return controllerFlags(ctx, NodeIpamController.flags)['allocate-node-cidrs'] ? undefined : 'node IPAM is disabled: --allocate-node-cidrs=false';
  }

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, NodeIpamController.flags);
    this.recorder = ctx.recorder('cidrAllocator');
    this.clusterCIDR = this.flags['cluster-cidr'].split(',')[0] ?? DEFAULT_CLUSTER_CIDR;
    this.set = new CidrSet(this.clusterCIDR, this.flags['node-cidr-mask-size']);
    this.nodes = ctx.factory.informerFor('nodes');
    this.client = ctx.client.resource('nodes');
    this.nodes.addEventHandler({
      onAdd: (n) => this.queue.add(n.metadata?.name ?? ''),
      onUpdate: (_o, n) => this.nodeUpdated(n),
      onDelete: (obj) => this.nodeDeleted(deletedObject(obj)),
    });
  }

  private nodeUpdated(n: Node): void {
    const name = n.metadata?.name ?? '';
    if (!podCIDRsOf(n).length) return this.queue.add(name);
    if (!this.synced) return;
    podCIDRsOf(n).forEach((c) => this.set.occupy(c));
    if (podCIDRsOf(n).includes(this.pending.get(name) ?? '')) this.pending.delete(name);
  }

  private nodeDeleted(n: Node): void {
    for (const c of podCIDRsOf(n)) this.set.release(c);
    const p = this.pending.get(n.metadata?.name ?? '');
    if (p) this.set.release(p);
    this.pending.delete(n.metadata?.name ?? '');
    // A block came free: nodes still waiting for one need not wait for their backoff.
    if (this.synced) for (const other of this.nodes.lister.list()) if (!podCIDRsOf(other).length) this.queue.add(other.metadata?.name ?? '');
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    // Rebuild from what nodes already have before allocating anything.
    for (const n of this.nodes.lister.list()) {
      for (const c of podCIDRsOf(n)) {
        if (!this.set.occupy(c)) this.ctx.log.warn({ node: n.metadata?.name, podCIDR: c }, 'node podCIDR is outside the cluster CIDR');
      }
    }
    this.synced = true;
    this.ctx.log.info({ clusterCIDR: this.clusterCIDR, nodeMaskSize: this.set.nodeMaskSize, allocated: this.set.allocatedCount }, 'node CIDR allocator ready');
    await runQueue(this.ctx, signal, { name: 'node-ipam', queue: this.queue, workers: 1, reconcile: (name) => this.sync(name) });
  }

  private async sync(name: string): Promise<void> {
    const node = this.nodes.lister.getByName('', name);
    if (!node) return;
    const have = podCIDRsOf(node);
    if (have.length) {
      have.forEach((c) => this.set.occupy(c));
      const p = this.pending.get(name);
      if (p && !have.includes(p)) this.set.release(p);
      this.pending.delete(name);
      return;
    }
    let cidr = this.pending.get(name);
    if (!cidr) {
      cidr = this.set.allocateNext();
      if (!cidr) {
        this.recorder.event(node, 'Normal', 'CIDRNotAvailable', `Node ${name} status is now: CIDRNotAvailable`);
        throw new Error(`no remaining CIDRs in ${this.clusterCIDR} for node ${name}`);
      }
      this.pending.set(name, cidr);
    }
    try {
      await this.client.patch(name, 'merge', { spec: { podCIDR: cidr, podCIDRs: [cidr] } });
      this.ctx.log.info({ node: name, podCIDR: cidr }, 'allocated pod CIDR');
    } catch (e) {
      if (isNotFound(e)) {
        this.set.release(cidr);
        this.pending.delete(name);
        return;
      }
      // Most likely the node got a CIDR meanwhile (they cannot change once set): look again.
      this.recorder.event(node, 'Warning', 'CIDRAssignmentFailed', `Node ${name} status is now: CIDRAssignmentFailed`);
      this.set.release(cidr);
      this.pending.delete(name);
      throw e;
    }
  }
}
