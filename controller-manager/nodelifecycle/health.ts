// Node health and taints, the pure half of the node lifecycle controller
// (pkg/controller/nodelifecycle): which zones are fully disrupted, which NoSchedule/NoExecute
// taints a node's conditions call for, when a silent kubelet's node turns Unknown.
import type { Node, NodeCondition, Taint } from 'kubernetes-types/core/v1';
import type { Lease } from 'kubernetes-types/coordination/v1';
import { metaTime } from '../../api/time.js';
import { TAINT_NODE_NOT_READY, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE } from '../../api/scheduling/taints.js';

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

export const condition = (node: Node, type: string): NodeCondition | undefined => (node.status?.conditions ?? []).find((c) => c.type === type);
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
