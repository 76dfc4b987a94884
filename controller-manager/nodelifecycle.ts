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
import type { Node, NodeCondition, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { WorkQueue, metaNamespaceKey, deletedObject, isNotFound, splitKey, sleep, type ReconcileResult } from '../client/index.js';
import type { Controller, ControllerContext } from './controller.js';
import { metaTime } from '../api/time.js';
import { isPodReady } from './controller/controller-utils.js';
import { durationOption, intOption } from './options.js';
import { runQueue } from './run-queue.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE, toleratesTaint } from '../api/scheduling/taints.js';


export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

/** NoSchedule taints for a condition in a given status (doNoScheduleTaintingPass). */
const CONDITION_TAINTS: { type: string; status: string; key: string }[] = [
  { type: 'Ready', status: 'False', key: TAINT_NODE_NOT_READY },
  { type: 'Ready', status: 'Unknown', key: TAINT_NODE_UNREACHABLE },
  { type: 'MemoryPressure', status: 'True', key: 'node.kubernetes.io/memory-pressure' },
  { type: 'DiskPressure', status: 'True', key: 'node.kubernetes.io/disk-pressure' },
  { type: 'NetworkUnavailable', status: 'True', key: 'node.kubernetes.io/network-unavailable' },
  { type: 'PIDPressure', status: 'True', key: 'node.kubernetes.io/pid-pressure' },
];
const MANAGED_KEYS = new Set([...CONDITION_TAINTS.map((c) => c.key), TAINT_NODE_UNSCHEDULABLE]);
/** Conditions set to Unknown alongside Ready when the kubelet goes quiet. */
const HEALTH_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

const condition = (node: Node, type: string): NodeCondition | undefined => (node.status?.conditions ?? []).find((c) => c.type === type);
const isManaged = (t: Taint): boolean => MANAGED_KEYS.has(t.key) && (t.effect === 'NoSchedule' || (t.effect === 'NoExecute' && (t.key === TAINT_NODE_NOT_READY || t.key === TAINT_NODE_UNREACHABLE)));

/**
 * How NoExecute (evicting) taints are handled, from the disruption state (handleDisruption):
 * `normal` follows the Ready condition; `hold` adds none but keeps those present (this node's
 * zone is fully disrupted); `none` removes them (every zone is fully disrupted: more likely
 * the control plane lost the nodes than all nodes died, so evicting everything would only hurt).
 */
export type NoExecuteMode = 'normal' | 'hold' | 'none';

export const ZONE_LABEL = 'topology.kubernetes.io/zone';

/** Zones where no node is Ready (ComputeZoneState's full disruption), and whether that is all of them. */
export function fullyDisruptedZones(nodes: readonly Node[]): { zones: Set<string>; all: boolean } {
  const ready = new Map<string, number>();
  const total = new Map<string, number>();
  for (const n of nodes) {
    const zone = n.metadata?.labels?.[ZONE_LABEL] ?? '';
    total.set(zone, (total.get(zone) ?? 0) + 1);
    if (condition(n, 'Ready')?.status === 'True') ready.set(zone, (ready.get(zone) ?? 0) + 1);
  }
  const zones = new Set([...total.keys()].filter((z) => !ready.get(z)));
  return { zones, all: total.size > 0 && zones.size === total.size };
}

/** The taints this controller owns that the node should carry now. */
export function managedTaints(node: Node, noExecute: NoExecuteMode = 'normal'): Taint[] {
  const out: Taint[] = [];
  for (const c of CONDITION_TAINTS) if (condition(node, c.type)?.status === c.status) out.push({ key: c.key, effect: 'NoSchedule' });
  if (node.spec?.unschedulable) out.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
  const ready = condition(node, 'Ready')?.status;
  const want = ready === 'False' ? TAINT_NODE_NOT_READY : ready === 'Unknown' ? TAINT_NODE_UNREACHABLE : undefined;
  const has = (key: string): boolean => (node.spec?.taints ?? []).some((t) => t.key === key && t.effect === 'NoExecute');
  if (want && (noExecute === 'normal' || (noExecute === 'hold' && has(want)))) out.push({ key: want, effect: 'NoExecute' });
  return out;
}

/** The node's taints with the managed ones made to match `desired`; undefined when nothing changes. */
export function reconcileTaints(current: readonly Taint[], desired: readonly Taint[], now: string): Taint[] | undefined {
  const same = (a: Taint, b: Taint): boolean => a.key === b.key && a.effect === b.effect;
  const next: Taint[] = current.filter((t) => !isManaged(t) || desired.some((d) => same(d, t)));
  for (const d of desired) {
    if (next.some((t) => same(t, d))) continue;
    next.push(d.effect === 'NoExecute' ? { ...d, timeAdded: now } : { ...d });
  }
  return next.length === current.length && next.every((t, i) => t === current[i]) ? undefined : next;
}

/** What the controller last saw of a node's kubelet, and when (its own clock, so skew does not matter). */
export interface NodeHealth {
  probeTimestamp: number;
  heartbeat: string;
  leaseRenewTime: string;
}

/** Refreshes the probe time when the kubelet posted status or renewed its Lease since last seen. */
export function observeHealth(prev: NodeHealth | undefined, node: Node, lease: Lease | undefined, now: number): NodeHealth {
  const heartbeat = condition(node, 'Ready')?.lastHeartbeatTime ?? '';
  const leaseRenewTime = lease?.spec?.renewTime ?? '';
  if (!prev) return { probeTimestamp: now, heartbeat, leaseRenewTime };
  const renewed = leaseRenewTime !== '' && (prev.leaseRenewTime === '' || Date.parse(leaseRenewTime) > Date.parse(prev.leaseRenewTime));
  if (heartbeat !== prev.heartbeat || renewed) return { probeTimestamp: now, heartbeat, leaseRenewTime };
  return prev;
}

/**
 * The node's conditions once its kubelet is overdue (Ready, MemoryPressure, DiskPressure,
 * PIDPressure → Unknown), or undefined while within the grace period or already Unknown.
 */
export function conditionsAfterGrace(node: Node, health: NodeHealth, now: number, gracePeriodMs: number, startupGracePeriodMs: number): NodeCondition[] | undefined {
  const grace = condition(node, 'Ready') ? gracePeriodMs : startupGracePeriodMs;
  if (now <= health.probeTimestamp + grace) return undefined;
  const stamp = metaTime(now);
  const conditions = [...(node.status?.conditions ?? [])];
  let changed = false;
  for (const type of HEALTH_CONDITIONS) {
    const i = conditions.findIndex((c) => c.type === type);
    if (i < 0) {
      conditions.push({
        type,
        status: 'Unknown',
        reason: 'NodeStatusNeverUpdated',
        message: 'Kubelet never posted node status.',
        lastHeartbeatTime: node.metadata?.creationTimestamp,
        lastTransitionTime: stamp,
      });
      changed = true;
    } else if (conditions[i].status !== 'Unknown') {
      conditions[i] = { ...conditions[i], status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: stamp };
      changed = true;
    }
  }
  return changed ? conditions : undefined;
}


/** The pod's tolerations plus the DefaultTolerationSeconds admission defaults it lacks. */
export function effectiveTolerations(pod: Pod, defaults: { notReadySeconds: number; unreachableSeconds: number }): Toleration[] {
  const tols = [...(pod.spec?.tolerations ?? [])];
  const has = (key: string): boolean => tols.some((t) => (t.key === key || !t.key) && (t.effect === 'NoExecute' || !t.effect));
  const extra: Toleration[] = [];
  if (!has(TAINT_NODE_NOT_READY)) extra.push({ key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaults.notReadySeconds });
  if (!has(TAINT_NODE_UNREACHABLE)) extra.push({ key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: defaults.unreachableSeconds });
  return [...tols, ...extra];
}

/**
 * Seconds until a pod must go from a node with these NoExecute taints: 0 when some taint is
 * not tolerated, the smallest tolerationSeconds of the tolerations used, undefined = never.
 */
export function evictionDelaySeconds(noExecute: readonly Taint[], tolerations: readonly Toleration[]): number | undefined {
  if (noExecute.length === 0) return undefined;
  const used: Toleration[] = [];
  for (const taint of noExecute) {
    const t = tolerations.find((tol) => toleratesTaint(tol, taint));
    if (!t) return 0;
    used.push(t);
  }
  let min: number | undefined;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = min === undefined ? t.tolerationSeconds : Math.min(min, t.tolerationSeconds);
  }
  return min;
}

const noExecuteTaints = (node: Node | undefined): Taint[] => (node?.spec?.taints ?? []).filter((t) => t.effect === 'NoExecute');

export const nodeLifecycleController: Controller = {
  name: 'node-lifecycle',
  async run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
    const log = ctx.log;
    const recorder = ctx.recorder('node-controller');
    const gracePeriodMs = durationOption(ctx, 'node-monitor-grace-period', 40_000);
    const startupGraceMs = durationOption(ctx, 'node-startup-grace-period', 60_000);
    const monitorPeriodMs = durationOption(ctx, 'node-monitor-period', 5_000);
    const defaults = {
      notReadySeconds: intOption(ctx, 'default-not-ready-toleration-seconds', 300),
      unreachableSeconds: intOption(ctx, 'default-unreachable-toleration-seconds', 300),
    };
    const nodes = ctx.factory.informerFor('nodes');
    const pods = ctx.factory.informerFor('pods');
    const leases = ctx.factory.informerFor('leases.coordination.k8s.io', { namespace: NODE_LEASE_NAMESPACE });
    const nodeClient = ctx.client.resource('nodes');
    const podClient = ctx.client.resource('pods');
    const evictions = new Map<string, number>(); // pod uid → when the eviction was first scheduled
    const health = new Map<string, NodeHealth>();
    const taintQueue = new WorkQueue<string>({ name: 'node_lifecycle_taints' });
    const evictionQueue = new WorkQueue<string>({ name: 'taint_eviction' });

    const observe = (node: Node): void => {
      const name = node.metadata?.name ?? '';
      health.set(name, observeHealth(health.get(name), node, leases.lister.getByName(NODE_LEASE_NAMESPACE, name), Date.now()));
    };
    const enqueuePodsOn = (node: string): void => {
      for (const p of pods.lister.byIndex('spec.nodeName', node)) evictionQueue.add(metaNamespaceKey(p));
    };
    nodes.addEventHandler({
      onAdd: (n) => {
        observe(n);
        taintQueue.add(n.metadata?.name ?? '');
      },
      onUpdate: (old, n) => {
        observe(n);
        taintQueue.add(n.metadata?.name ?? '');
        if (JSON.stringify(noExecuteTaints(old)) !== JSON.stringify(noExecuteTaints(n))) enqueuePodsOn(n.metadata?.name ?? '');
      },
      onDelete: (obj) => void health.delete(deletedObject(obj).metadata?.name ?? ''),
    });
    leases.addEventHandler({
      onAdd: (l) => {
        const n = nodes.lister.getByName('', l.metadata?.name ?? '');
        if (n) observe(n);
      },
      onUpdate: (_o, l) => {
        const n = nodes.lister.getByName('', l.metadata?.name ?? '');
        if (n) observe(n);
      },
    });
    const onPod = (p: Pod): void => {
      if (p.spec?.nodeName && (noExecuteTaints(nodes.lister.getByName('', p.spec.nodeName)).length || evictions.has(p.metadata?.uid ?? ''))) {
        evictionQueue.add(metaNamespaceKey(p));
      }
    };
    pods.addEventHandler({ onAdd: onPod, onUpdate: (_o, p) => onPod(p), onDelete: (p) => void evictions.delete(deletedObject(p).metadata?.uid ?? '') });
    try {
      await ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }

    const markPodsNotReady = async (node: string): Promise<void> => {
      for (const p of pods.lister.byIndex('spec.nodeName', node)) {
        if (!isPodReady(p)) continue;
        await podClient
          .inNamespace(p.metadata?.namespace)
          .patch(p.metadata?.name ?? '', 'strategic', { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: metaTime() }] } }, { subresource: 'status' })
          .catch((e: unknown) => log.warn({ pod: metaNamespaceKey(p), err: e }, 'could not mark pod not ready'));
      }
    };

    /** One monitorNodeHealth pass: overdue nodes become Unknown. */
    let lastDisruption = '';
    const monitor = async (): Promise<void> => {
      const now = Date.now();
      const disrupted = fullyDisruptedZones(nodes.lister.list());
      const picture = JSON.stringify([disrupted.all, [...disrupted.zones].sort()]);
      if (picture !== lastDisruption) {
        if (lastDisruption && disrupted.all) log.warn({ zones: [...disrupted.zones] }, 'all zones fully disrupted: not evicting, NoExecute taints removed');
        lastDisruption = picture;
        for (const n of nodes.lister.list()) taintQueue.add(n.metadata?.name ?? '');
      }
      for (const node of nodes.lister.list()) {
        const name = node.metadata?.name ?? '';
        observe(node);
        const conditions = conditionsAfterGrace(node, health.get(name)!, now, gracePeriodMs, startupGraceMs);
        if (!conditions) continue;
        const wasReady = condition(node, 'Ready')?.status === 'True';
        try {
          await nodeClient.updateStatus({ ...structuredClone(node), status: { ...node.status, conditions } });
        } catch (e) {
          // A conflict means the kubelet just wrote: fine, look again next pass.
          log.debug({ node: name, err: e }, 'could not update node health');
          continue;
        }
        log.info({ node: name }, 'node stopped posting status: conditions Unknown');
        if (wasReady) {
          recorder.event(node, 'Normal', 'NodeNotReady', `Node ${name} status is now: NodeNotReady`);
          await markPodsNotReady(name);
        }
      }
    };
    const monitorLoop = async (): Promise<void> => {
      while (!signal.aborted) {
        await monitor().catch((e: unknown) => log.error({ err: e }, 'node health pass failed'));
        await sleep(monitorPeriodMs, signal).catch(() => undefined);
      }
    };

    const reconcileTaintsOf = async (name: string): Promise<void> => {
      const node = nodes.lister.getByName('', name);
      if (!node) return;
      const disrupted = fullyDisruptedZones(nodes.lister.list());
      const mode: NoExecuteMode = disrupted.all ? 'none' : disrupted.zones.has(node.metadata?.labels?.[ZONE_LABEL] ?? '') ? 'hold' : 'normal';
      const next = reconcileTaints(node.spec?.taints ?? [], managedTaints(node, mode), metaTime());
      if (!next) return;
      // PUT with the cached resourceVersion: a concurrent kubelet write makes it 409 and we retry.
      await nodeClient.update({ ...structuredClone(node), spec: { ...node.spec, taints: next } }).catch((e: unknown) => {
        if (!isNotFound(e)) throw e;
      });
      log.info({ node: name, taints: next.map((t) => `${t.key}:${t.effect}`) }, 'node taints updated');
    };

    const reconcileEviction = async (key: string): Promise<ReconcileResult | void> => {
      const { namespace, name } = splitKey(key);
      const pod = pods.lister.getByName(namespace, name);
      const uid = pod?.metadata?.uid ?? '';
      const node = pod?.spec?.nodeName ? nodes.lister.getByName('', pod.spec.nodeName) : undefined;
      const delay = pod && node && !pod.metadata?.deletionTimestamp ? evictionDelaySeconds(noExecuteTaints(node), effectiveTolerations(pod, defaults)) : undefined;
      if (!pod || delay === undefined) {
        if (uid) evictions.delete(uid);
        return;
      }
      const start = evictions.get(uid) ?? Date.now();
      evictions.set(uid, start);
      const due = start + delay * 1000;
      if (Date.now() < due) return { requeueAfterMs: due - Date.now() };
      recorder.event(pod, 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
      await podClient
        .inNamespace(namespace)
        .patch(
          name,
          'strategic',
          { status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: metaTime() }] } },
          { subresource: 'status' },
        )
        .catch(() => undefined);
      await podClient
        .inNamespace(namespace)
        .delete(name, { preconditions: { uid } })
        .catch((e: unknown) => {
          if (!isNotFound(e)) throw e;
        });
      evictions.delete(uid);
      log.info({ pod: key, node: node?.metadata?.name }, 'evicted pod from tainted node');
    };

    await Promise.all([
      monitorLoop(),
      runQueue(ctx, signal, { name: 'node-lifecycle', queue: taintQueue, workers: 1, reconcile: reconcileTaintsOf }),
      runQueue(ctx, signal, { name: 'taint-eviction', queue: evictionQueue, workers: intOption(ctx, 'concurrent-taint-eviction-syncs', 5), reconcile: reconcileEviction }),
    ]);
  },
};
