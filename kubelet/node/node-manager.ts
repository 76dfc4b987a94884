// Registers this kubelet's Node and keeps it alive: a Lease in kube-node-lease renewed every
// leaseRenewInterval (what the node lifecycle controller watches), and the NodeStatus posted
// when it changes or at least every statusReportFrequency (k8s: 10 s checks, 1 min reports).
import { metaMicroTime } from '../../api/time.js';
import type { Lease } from 'kubernetes-types/coordination/v1';
import type { Node, NodeStatus } from 'kubernetes-types/core/v1';
import { isAlreadyExists, isNotFound, type RestClient } from '../../client/index.js';
import type { Logger } from 'pino';
import { readHostFacts, type HostFacts } from './host.js';
import { allocatable, buildNodeStatus, initialNode, nodeStatusChanged } from './node-status.js';
import type { Threshold } from '../eviction/api.js';

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const LEASE_DURATION_SECONDS = 40;

export interface NodeManagerOptions {
  client: RestClient;
  log: Logger;
  nodeName: string;
  nodeIP: string;
  rootDir: string;
  maxPods: number;
  kubeletPort: number;
  runtimeVersion(): Promise<string>;
  /** '' when healthy, else why the node is not ready. */
  notReadyReason(): string;
  /** The pressure conditions that are True (the eviction manager's). */
  pressure?(): readonly string[];
  /** The hard eviction thresholds, held back from allocatable. */
  hardThresholds?: readonly Threshold[];
  leaseRenewIntervalMs: number;
  statusUpdateFrequencyMs: number;
  statusReportFrequencyMs: number;
}

export class NodeManager {
  private facts: HostFacts | undefined;
  private lastPosted: NodeStatus | undefined;
  private lastPostedAt = 0;
  private nodeUid = '';
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private stopped = false;
  private runtimeVersion = '';

  constructor(private readonly opts: NodeManagerOptions) {}

  /** Node allocatable for admission and the downward API (after register()). */
  allocatable(): ReturnType<typeof allocatable> {
    if (!this.facts) throw new Error('node not registered yet');
    return allocatable(this.facts, this.opts.maxPods, this.opts.hardThresholds);
  }

  async register(): Promise<void> {
    const { client, nodeName } = this.opts;
    const nodes = client.resource('nodes');
    this.facts = await readHostFacts(this.opts.rootDir);
    this.runtimeVersion = await this.opts.runtimeVersion().catch(() => '');
    const desired = initialNode(nodeName, this.facts);
    let node: Node;
    try {
      node = await nodes.create(desired);
      this.opts.log.info({ node: nodeName }, 'registered node');
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // Re-registration after a restart: make sure our labels are there, keep everything else.
      node = await nodes.patch(nodeName, 'merge', { metadata: { labels: desired.metadata?.labels } });
      this.opts.log.info({ node: nodeName }, 'node already registered');
    }
    this.nodeUid = node.metadata?.uid ?? '';
    if (node.spec?.podCIDR) {
      this.opts.log.info({ podCIDR: node.spec.podCIDR }, 'node has a podCIDR; pod IPs come from the shared Docker pod network instead');
    }
    await this.postStatus(true);
    await this.renewLease();
  }

  start(): void {
    this.loop('lease', this.opts.leaseRenewIntervalMs, () => this.renewLease());
    this.loop('status', this.opts.statusUpdateFrequencyMs, () => this.postStatus(false));
  }

  stop(): void {
    this.stopped = true;
    for (const t of this.timers.values()) clearTimeout(t);
  }

  private loop(name: string, ms: number, fn: () => Promise<void>): void {
    const schedule = (): void => {
      if (this.stopped) return;
      const t = setTimeout(() => {
        fn()
          .catch((err: unknown) => this.opts.log.warn({ err, what: name }, 'node heartbeat failed'))
          .finally(schedule);
      }, ms);
      t.unref();
      this.timers.set(name, t);
    };
    schedule();
  }

  /** Posts the status if it changed, or if the report interval has passed. */
  async postStatus(force: boolean): Promise<void> {
    const facts = await readHostFacts(this.opts.rootDir);
    this.facts = facts;
    if (!this.runtimeVersion) this.runtimeVersion = await this.opts.runtimeVersion().catch(() => '');
    const status = buildNodeStatus({
      nodeName: this.opts.nodeName,
      nodeIP: this.opts.nodeIP,
      facts,
      maxPods: this.opts.maxPods,
      kubeletPort: this.opts.kubeletPort,
      runtimeVersion: this.runtimeVersion ? `docker://${this.runtimeVersion}` : '',
      notReadyReason: this.opts.notReadyReason(),
      pressure: this.opts.pressure?.() ?? [],
      ...(this.opts.hardThresholds ? { hardThresholds: this.opts.hardThresholds } : {}),
      now: new Date(),
      old: this.lastPosted,
    });
    const due = Date.now() - this.lastPostedAt >= this.opts.statusReportFrequencyMs;
    if (!force && !due && !nodeStatusChanged(this.lastPosted, status)) return;
    await this.opts.client.resource('nodes').patch(this.opts.nodeName, 'merge', { status }, { subresource: 'status' });
    this.lastPosted = status;
    this.lastPostedAt = Date.now();
  }

  async renewLease(): Promise<void> {
    const leases = this.opts.client.resource('leases.coordination.k8s.io', NODE_LEASE_NAMESPACE);
    const now = metaMicroTime();
    try {
      await leases.patch(this.opts.nodeName, 'merge', { spec: { holderIdentity: this.opts.nodeName, renewTime: now, leaseDurationSeconds: LEASE_DURATION_SECONDS } });
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    const lease: Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: {
        name: this.opts.nodeName,
        namespace: NODE_LEASE_NAMESPACE,
        ...(this.nodeUid ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: this.opts.nodeName, uid: this.nodeUid }] } : {}),
      },
      spec: { holderIdentity: this.opts.nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: now },
    };
    try {
      await leases.create(lease);
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
  }
}
