// The Node object the kubelet registers and the status it keeps posting (pkg/kubelet/
// kubelet_node_status.go and nodestatus setters): labels, capacity/allocatable, addresses,
// daemon endpoint, nodeInfo, and the Ready/MemoryPressure/DiskPressure/PIDPressure conditions
// with heartbeat and transition times. The pressure conditions are the eviction manager's
// (kubelet/eviction/), allocatable is capacity minus the hard eviction thresholds. Pure: host
// facts, pressure and "now" come in.
import type { Node, NodeCondition, NodeStatus } from 'kubernetes-types/core/v1';
import { formatBytes } from '../../api/quantity.js';
import type { HostFacts } from './host.js';
import { metaTime } from '../../api/time.js';
import { DEFAULT_EVICTION_HARD, hardEvictionReservation, type Threshold } from '../eviction/api.js';
import { parseThresholdConfig } from '../eviction/config.js';

export const KUBELET_VERSION = 'v1.32.0-tskube';

/** The default --eviction-hard thresholds. */
export const DEFAULT_HARD_THRESHOLDS: readonly Threshold[] = parseThresholdConfig({ evictionHard: DEFAULT_EVICTION_HARD });

export interface NodeStatusInput {
  nodeName: string;
  nodeIP: string;
  facts: HostFacts;
  maxPods: number;
  kubeletPort: number;
  runtimeVersion: string;
  /** Why the node is not ready ('' = ready): runtime down, PLEG stale… */
  notReadyReason: string;
  /** The pressure conditions that are True now (the eviction manager's); none when absent. */
  pressure?: readonly string[];
  /** The hard eviction thresholds allocatable is reduced by (default: --eviction-hard's default). */
  hardThresholds?: readonly Threshold[];
  now: Date;
  old?: NodeStatus;
}

export function nodeLabels(nodeName: string, facts: Pick<HostFacts, 'architecture'>): Record<string, string> {
  return {
    'kubernetes.io/hostname': nodeName,
    'kubernetes.io/os': 'linux',
    'kubernetes.io/arch': facts.architecture,
    'beta.kubernetes.io/os': 'linux',
    'beta.kubernetes.io/arch': facts.architecture,
  };
}

export function initialNode(nodeName: string, facts: HostFacts): Node {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name: nodeName,
      labels: nodeLabels(nodeName, facts),
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' },
    },
    spec: {},
  };
}


/** Allocatable as k8s computes it with no kube/system reservations: capacity minus the hard eviction thresholds. */
export function allocatable(
  facts: HostFacts,
  maxPods: number,
  hardThresholds: readonly Threshold[] = DEFAULT_HARD_THRESHOLDS,
): { cpuMilli: number; memoryBytes: number; ephemeralStorageBytes: number; pods: number } {
  const reserved = hardEvictionReservation(hardThresholds, { memoryBytes: facts.memTotalBytes, ephemeralStorageBytes: facts.fsTotalBytes });
  return {
    cpuMilli: facts.cpus * 1000,
    memoryBytes: Math.max(0, facts.memTotalBytes - reserved.memoryBytes),
    ephemeralStorageBytes: Math.max(0, facts.fsTotalBytes - reserved.ephemeralStorageBytes),
    pods: maxPods,
  };
}

/** Memory as k8s prints it: whole Ki. */
function ki(bytes: number): string {
  const n = Math.floor(bytes / 1024);
  return n === 0 ? '0' : `${n}Ki`;
}

function cond(type: string, status: boolean, reason: string, message: string): NodeCondition {
  return { type, status: status ? 'True' : 'False', reason, message };
}

export function nodeConditions(input: NodeStatusInput): NodeCondition[] {
  const pressure = new Set(input.pressure ?? []);
  const memPressure = pressure.has('MemoryPressure');
  const diskPressure = pressure.has('DiskPressure');
  const pidPressure = pressure.has('PIDPressure');
  const conds = [
    memPressure
      ? cond('MemoryPressure', true, 'KubeletHasInsufficientMemory', 'kubelet has insufficient memory available')
      : cond('MemoryPressure', false, 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    diskPressure
      ? cond('DiskPressure', true, 'KubeletHasDiskPressure', 'kubelet has disk pressure')
      : cond('DiskPressure', false, 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    pidPressure
      ? cond('PIDPressure', true, 'KubeletHasInsufficientPID', 'kubelet has insufficient PID available')
      : cond('PIDPressure', false, 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    input.notReadyReason
      ? cond('Ready', false, 'KubeletNotReady', input.notReadyReason)
      : cond('Ready', true, 'KubeletReady', 'kubelet is posting ready status'),
  ];
  const now = metaTime(input.now);
  return conds.map((c) => {
    const prev = input.old?.conditions?.find((o) => o.type === c.type);
    return { ...c, lastHeartbeatTime: now, lastTransitionTime: prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : now };
  });
}

export function buildNodeStatus(input: NodeStatusInput): NodeStatus {
  const f = input.facts;
  const alloc = allocatable(f, input.maxPods, input.hardThresholds);
  return {
    capacity: {
      cpu: String(f.cpus),
      memory: ki(f.memTotalBytes),
      pods: String(input.maxPods),
      'ephemeral-storage': ki(f.fsTotalBytes),
    },
    allocatable: {
      cpu: String(f.cpus),
      memory: ki(alloc.memoryBytes),
      pods: String(input.maxPods),
      'ephemeral-storage': formatBytes(alloc.ephemeralStorageBytes),
    },
    conditions: nodeConditions(input),
    addresses: [
      { type: 'InternalIP', address: input.nodeIP },
      { type: 'Hostname', address: input.nodeName },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: input.kubeletPort } },
    nodeInfo: {
      machineID: f.machineID,
      systemUUID: f.systemUUID,
      bootID: f.bootID,
      kernelVersion: f.kernelVersion,
      osImage: f.osImage,
      containerRuntimeVersion: input.runtimeVersion,
      kubeletVersion: KUBELET_VERSION,
      kubeProxyVersion: KUBELET_VERSION,
      operatingSystem: 'linux',
      architecture: f.architecture,
    },
  };
}

/** Whether two statuses differ in anything but heartbeat times (then it is posted at once). */
export function nodeStatusChanged(a: NodeStatus | undefined, b: NodeStatus): boolean {
  if (!a) return true;
  const strip = (s: NodeStatus): unknown => ({
    ...s,
    conditions: (s.conditions ?? []).map((c) => ({ type: c.type, status: c.status, reason: c.reason, message: c.message })),
    // Free memory/disk drift constantly; only the conditions derived from them matter.
  });
  return JSON.stringify(strip(a)) !== JSON.stringify(strip(b));
}
