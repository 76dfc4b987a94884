// The node lifecycle controller (pkg/controller/nodelifecycle) and its NoExecute taint manager
// (pkg/controller/tainteviction):
// - health: a node whose kubelet has neither renewed its Lease (kube-node-lease/<node>) nor
//   posted status for --node-monitor-grace-period gets Ready (and the pressure conditions)
//   Unknown, "Kubelet stopped posting node status.", and its pods are marked not ready;
// - taints: the Ready condition maps to node.kubernetes.io/not-ready or /unreachable
//   (NoSchedule and NoExecute), pressure conditions and spec.unschedulable to their NoSchedule
//   taints; they are removed when the condition clears (the returning kubelet posts Ready);
// - eviction: a pod on a node with NoExecute taints it does not tolerate is deleted — at once,
//   or after the smallest tolerationSeconds of the tolerations it uses. Pods without their own
//   not-ready/unreachable toleration get the DefaultTolerationSeconds admission defaults
//   (--default-not-ready-toleration-seconds / --default-unreachable-toleration-seconds, 300).
// - disruption: when no node of any zone is Ready, evicting is stopped and NoExecute taints are
//   lifted (k8s' full-disruption mode); eviction rate limits per zone are not implemented.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { WorkQueue, metaNamespaceKey, deletedObject, isNotFound, sleep, type EventRecorder, type ResourceClient, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import { metaTime } from '../../api/time.js';
import { isPodReady } from '../controller/controller-utils.js';
import { controllerFlags, durationFlag, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { runQueue } from '../run-queue.js';
import {
  NODE_LEASE_NAMESPACE,
  ZONE_LABEL,
  condition,
  conditionsAfterGrace,
  fullyDisruptedZones,
  managedTaints,
  observeHealth,
  reconcileTaints,
  type NodeHealth,
  type NoExecuteMode,
} from './health.js';
import { TaintEviction } from './taint-eviction.js';

export class NodeLifecycleController implements Controller {
  static readonly controllerName = 'node-lifecycle';
  static readonly flags = {
    'node-monitor-period': durationFlag('5s', 'How often node health is checked'),
    'node-monitor-grace-period': durationFlag('40s', 'A node silent this long (no Lease renewal, no status) becomes Unknown'),
    'node-startup-grace-period': durationFlag('1m', 'Grace for a node that never posted status'),
    'default-not-ready-toleration-seconds': intFlag(300, 'tolerationSeconds of the default not-ready:NoExecute toleration'),
    'default-unreachable-toleration-seconds': intFlag(300, 'tolerationSeconds of the default unreachable:NoExecute toleration'),
    'concurrent-taint-eviction-syncs': intFlag(5, 'Pods whose NoExecute eviction is decided at once'),
  } satisfies FlagDeclarations;
  readonly name = NodeLifecycleController.controllerName;
  private readonly flags: FlagValues<typeof NodeLifecycleController.flags>;
  private readonly recorder: EventRecorder;
  private readonly nodes: SharedInformer<Node>;
  private readonly pods: SharedInformer<Pod>;
  private readonly leases: SharedInformer<Lease>;
  private readonly nodeClient: ResourceClient<Node>;
  private readonly podClient: ResourceClient<Pod>;
  /** What the controller last saw of each node's kubelet (its own clock). */
  private readonly health = new Map<string, NodeHealth>();
  private readonly taintQueue = new WorkQueue<string>({ name: 'node_lifecycle_taints' });
  private readonly taintEviction: TaintEviction;
  /** The fully-disrupted picture of the last pass: a change re-evaluates every node's taints. */
  private lastDisruption = '';

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, NodeLifecycleController.flags);
    this.recorder = ctx.recorder('node-controller');
    this.nodes = ctx.factory.informerFor('nodes');
    this.pods = ctx.factory.informerFor('pods');
    this.leases = ctx.factory.informerFor('leases.coordination.k8s.io', { namespace: NODE_LEASE_NAMESPACE });
    this.nodeClient = ctx.client.resource('nodes');
    this.podClient = ctx.client.resource('pods');
    this.taintEviction = new TaintEviction(ctx, this.nodes, this.pods, this.recorder, {
      defaults: {
        notReadySeconds: this.flags['default-not-ready-toleration-seconds'],
        unreachableSeconds: this.flags['default-unreachable-toleration-seconds'],
      },
      workers: this.flags['concurrent-taint-eviction-syncs'],
    });
    this.nodes.addEventHandler({
      onAdd: (n) => {
        this.observe(n);
        this.taintQueue.add(n.metadata?.name ?? '');
      },
      onUpdate: (old, n) => {
        this.observe(n);
        this.taintQueue.add(n.metadata?.name ?? '');
        this.taintEviction.nodeTaintsChanged(old, n);
      },
      onDelete: (obj) => void this.health.delete(deletedObject(obj).metadata?.name ?? ''),
    });
    const onLease = (l: Lease): void => {
      const n = this.nodes.lister.getByName('', l.metadata?.name ?? '');
      if (n) this.observe(n);
    };
    this.leases.addEventHandler({ onAdd: onLease, onUpdate: (_o, l) => onLease(l) });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    await Promise.all([
      this.monitorLoop(signal),
      runQueue(this.ctx, signal, { name: 'node-lifecycle', queue: this.taintQueue, workers: 1, reconcile: (name) => this.syncTaints(name) }),
      this.taintEviction.run(signal),
    ]);
  }

  private observe(node: Node): void {
    const name = node.metadata?.name ?? '';
    this.health.set(name, observeHealth(this.health.get(name), node, this.leases.lister.getByName(NODE_LEASE_NAMESPACE, name), Date.now()));
  }

  private async monitorLoop(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      await this.monitorNodeHealth().catch((e: unknown) => this.ctx.log.error({ err: e }, 'node health pass failed'));
      await sleep(this.flags['node-monitor-period'], signal).catch(() => undefined);
    }
  }

  /** One monitorNodeHealth pass: overdue nodes become Unknown. */
  private async monitorNodeHealth(): Promise<void> {
    const now = Date.now();
    const disrupted = fullyDisruptedZones(this.nodes.lister.list());
    const picture = JSON.stringify([disrupted.all, [...disrupted.zones].sort()]);
    if (picture !== this.lastDisruption) {
      if (this.lastDisruption && disrupted.all) this.ctx.log.warn({ zones: [...disrupted.zones] }, 'all zones fully disrupted: not evicting, NoExecute taints removed');
      this.lastDisruption = picture;
      for (const n of this.nodes.lister.list()) this.taintQueue.add(n.metadata?.name ?? '');
    }
    for (const node of this.nodes.lister.list()) await this.checkNode(node, now);
  }

  /** Marks a node whose kubelet is overdue Unknown (and, if it was Ready, its pods not ready). */
  private async checkNode(node: Node, now: number): Promise<void> {
    const name = node.metadata?.name ?? '';
    this.observe(node);
    const conditions = conditionsAfterGrace(node, this.health.get(name)!, now, this.flags['node-monitor-grace-period'], this.flags['node-startup-grace-period']);
    if (!conditions) return;
    const wasReady = condition(node, 'Ready')?.status === 'True';
    try {
      await this.nodeClient.updateStatus({ ...structuredClone(node), status: { ...node.status, conditions } });
    } catch (e) {
      // A conflict means the kubelet just wrote: fine, look again next pass.
      this.ctx.log.debug({ node: name, err: e }, 'could not update node health');
      return;
    }
    this.ctx.log.info({ node: name }, 'node stopped posting status: conditions Unknown');
    if (wasReady) {
      this.recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
      await this.markPodsNotReady(name);
    }
  }

  private async markPodsNotReady(node: string): Promise<void> {
    for (const p of this.pods.lister.byIndex('spec.nodeName', node)) {
      if (!isPodReady(p)) continue;
      await this.podClient
        .inNamespace(p.metadata?.namespace)
        .patch(p.metadata?.name ?? '', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: metaTime() }] } }, { subresource: 'status' })
        .catch((e: unknown) => this.ctx.log.warn({ pod: metaNamespaceKey(p), err: e }, 'could not mark pod not ready'));
    }
  }

  /** The taints this controller manages, made to match the node's conditions and the disruption state. */
  private async syncTaints(name: string): Promise<void> {
    const node = this.nodes.lister.getByName('', name);
    if (!node) return;
    const disrupted = fullyDisruptedZones(this.nodes.lister.list());
    const mode: NoExecuteMode = disrupted.all ? 'none' : disrupted.zones.has(node.metadata?.labels?.[ZONE_LABEL] ?? '') ? 'hold' : 'normal';
    const next = reconcileTaints(node.spec?.taints ?? [], managedTaints(node, mode), metaTime());
    if (!next) return;
    // PUT with the cached resourceVersion: a concurrent kubelet write makes it 409 and we retry.
    await this.nodeClient.update({ ...structuredClone(node), spec: { ...node.spec, taints: next } }).catch((e: unknown) => {
      if (!isNotFound(e)) throw e;
    });
    this.ctx.log.info({ node: name, taints: next.map((t) => `${t.key}:${t.effect}`) }, 'node taints updated');
  }
}
