// The scheduler's view of pods and nodes (k8s pkg/scheduler/framework/types.go): a PodInfo
// holds what every plugin needs from a pod, parsed once (requests as numbers, host ports,
// owner); a NodeInfo aggregates a node with the pods on it, including assumed ones, so a
// filter is arithmetic on numbers rather than quantity parsing.
import type { Container, Node, Pod, Taint, Toleration } from 'kubernetes-types/core/v1';
import { parseBytes, parseCpuMilli } from '../../api/quantity.js';

/** What a pod without a request counts as when spreading load (k8s DefaultMilliCPURequest / DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface Resource {
  milliCPU: number;
  memory: number;
  ephemeralStorage: number;
}

export interface HostPort {
  ip: string;
  protocol: string;
  port: number;
}

export interface PodInfo {
  readonly pod: Pod;
  readonly uid: string;
  /** `namespace/name`. */
  readonly key: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly priority: number;
  /** Effective requests: max(sum of containers, largest init container) + overhead. */
  readonly requests: Resource;
  /** Requests with k8s' non-zero defaults per container, for scoring. */
  readonly nonZeroRequests: { milliCPU: number; memory: number };
  readonly hostPorts: readonly HostPort[];
  /** The uid of the pod's first owner (k8s' PodTopologySpread uses it for default spreading). */
  readonly ownerUid: string | undefined;
  readonly tolerations: readonly Toleration[];
}

function quantity(list: Readonly<Record<string, unknown>> | undefined, name: string, parse: (s: string) => number): number {
  const v = list?.[name];
  return v === undefined || v === null ? 0 : parse(String(v));
}

/** A container's requests; a missing request falls back to the limit, as API defaulting does. */
function containerRequests(c: Container): Resource {
  const req = c.resources?.requests as Record<string, unknown> | undefined;
  const lim = c.resources?.limits as Record<string, unknown> | undefined;
  const pick = (name: string, parse: (s: string) => number): number =>
    req?.[name] !== undefined ? quantity(req, name, parse) : quantity(lim, name, parse);
  return { milliCPU: pick('cpu', parseCpuMilli), memory: pick('memory', parseBytes), ephemeralStorage: pick('ephemeral-storage', parseBytes) };
}

function add(a: Resource, b: Resource): Resource {
  return { milliCPU: a.milliCPU + b.milliCPU, memory: a.memory + b.memory, ephemeralStorage: a.ephemeralStorage + b.ephemeralStorage };
}

function max(a: Resource, b: Resource): Resource {
  return {
    milliCPU: Math.max(a.milliCPU, b.milliCPU),
    memory: Math.max(a.memory, b.memory),
    ephemeralStorage: Math.max(a.ephemeralStorage, b.ephemeralStorage),
  };
}

const ZERO: Resource = Object.freeze({ milliCPU: 0, memory: 0, ephemeralStorage: 0 });

/**
 * k8s resourcehelper.PodRequests: app containers are summed; init containers run one at a
 * time, so only the largest counts — except restartable (sidecar) init containers, which keep
 * running and add to everything after them. Pod overhead is added on top.
 */
export function podRequests(pod: Pod, nonZero = false): Resource {
  const spec = pod.spec;
  const one = (c: Container): Resource => {
    const r = containerRequests(c);
    if (!nonZero) return r;
    return { ...r, milliCPU: r.milliCPU || DEFAULT_MILLI_CPU_REQUEST, memory: r.memory || DEFAULT_MEMORY_REQUEST };
  };
  let sum = ZERO;
  for (const c of spec?.containers ?? []) sum = add(sum, one(c));
  let sidecars = ZERO;
  let initMax = ZERO;
  for (const c of spec?.initContainers ?? []) {
    const r = one(c);
    if (c.restartPolicy === 'Always') {
      sidecars = add(sidecars, r);
      initMax = max(initMax, sidecars);
    } else {
      initMax = max(initMax, add(r, sidecars));
    }
  }
  let total = max(add(sum, sidecars), initMax);
  const overhead = spec?.overhead as Record<string, unknown> | undefined;
  if (overhead) {
    total = add(total, {
      milliCPU: quantity(overhead, 'cpu', parseCpuMilli),
      memory: quantity(overhead, 'memory', parseBytes),
      ephemeralStorage: quantity(overhead, 'ephemeral-storage', parseBytes),
    });
  }
  return total;
}

function hostPortsOf(pod: Pod): HostPort[] {
  const out: HostPort[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (p.hostPort && p.hostPort > 0) out.push({ ip: p.hostIP || '0.0.0.0', protocol: p.protocol || 'TCP', port: p.hostPort });
    }
  }
  return out;
}

export function newPodInfo(pod: Pod): PodInfo {
  const m = pod.metadata ?? {};
  const nz = podRequests(pod, true);
  return {
    pod,
    uid: m.uid ?? `${m.namespace}/${m.name}`,
    key: `${m.namespace ?? ''}/${m.name ?? ''}`,
    namespace: m.namespace ?? '',
    labels: m.labels ?? {},
    priority: pod.spec?.priority ?? 0,
    requests: podRequests(pod),
    nonZeroRequests: { milliCPU: nz.milliCPU, memory: nz.memory },
    hostPorts: hostPortsOf(pod),
    ownerUid: m.ownerReferences?.[0]?.uid,
    tolerations: pod.spec?.tolerations ?? [],
  };
}

/** Allocatable of a node as numbers (allocatable, or capacity when allocatable is missing). */
export interface Allocatable extends Resource {
  pods: number;
}

export function nodeAllocatable(node: Node): Allocatable {
  const a = (node.status?.allocatable ?? node.status?.capacity ?? {}) as Record<string, unknown>;
  return {
    milliCPU: quantity(a, 'cpu', parseCpuMilli),
    memory: quantity(a, 'memory', parseBytes),
    ephemeralStorage: quantity(a, 'ephemeral-storage', parseBytes),
    pods: quantity(a, 'pods', parseBytes),
  };
}

const portKey = (protocol: string, port: number): string => `${protocol}/${port}`;

/**
 * A node and everything the scheduler counts against it. `node` is undefined for a node that
 * was deleted while pods were still on it (k8s keeps such "ghost" NodeInfos until they drain).
 */
export class NodeInfo {
  node: Node | undefined;
  allocatable: Allocatable = { milliCPU: 0, memory: 0, ephemeralStorage: 0, pods: 0 };
  readonly requested: Resource = { milliCPU: 0, memory: 0, ephemeralStorage: 0 };
  readonly nonZeroRequested = { milliCPU: 0, memory: 0 };
  readonly pods = new Map<string, PodInfo>();
  /** `protocol/port` → host IPs using it. */
  readonly usedPorts = new Map<string, Map<string, number>>();
  /** owner uid → pods of that owner on this node. */
  readonly podsWithOwner = new Map<string, number>();
  /** Bumped on every change, so per-cycle memos know when to recompute. */
  generation = 0;
  labels: Readonly<Record<string, string>> = {};
  taints: readonly Taint[] = [];
  /** spec.unschedulable (cordoned). */
  unschedulable = false;
  /** The Ready condition's status ('' when the node has none), read once per node update rather than per pod. */
  readyStatus = '';

  constructor(readonly name: string, node?: Node) {
    if (node) this.setNode(node);
  }

  setNode(node: Node): void {
    this.node = node;
    this.allocatable = nodeAllocatable(node);
    this.labels = node.metadata?.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = node.spec?.unschedulable === true;
    this.readyStatus = node.status?.conditions?.find((c) => c.type === 'Ready')?.status ?? '';
    this.generation++;
  }

  removeNode(): void {
    this.node = undefined;
    this.generation++;
  }

  addPod(p: PodInfo): void {
    if (this.pods.has(p.uid)) this.removePod(p.uid);
    this.pods.set(p.uid, p);
    this.update(p, 1);
  }

  removePod(uid: string): PodInfo | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    this.pods.delete(uid);
    this.update(p, -1);
    return p;
  }

  private update(p: PodInfo, sign: 1 | -1): void {
    this.requested.milliCPU += sign * p.requests.milliCPU;
    this.requested.memory += sign * p.requests.memory;
    this.requested.ephemeralStorage += sign * p.requests.ephemeralStorage;
    this.nonZeroRequested.milliCPU += sign * p.nonZeroRequests.milliCPU;
    this.nonZeroRequested.memory += sign * p.nonZeroRequests.memory;
    for (const hp of p.hostPorts) {
      const k = portKey(hp.protocol, hp.port);
      let ips = this.usedPorts.get(k);
      if (!ips) this.usedPorts.set(k, (ips = new Map()));
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n > 0) ips.set(hp.ip, n);
      else ips.delete(hp.ip);
      if (ips.size === 0) this.usedPorts.delete(k);
    }
    if (p.ownerUid) {
      const n = (this.podsWithOwner.get(p.ownerUid) ?? 0) + sign;
      if (n > 0) this.podsWithOwner.set(p.ownerUid, n);
      else this.podsWithOwner.delete(p.ownerUid);
    }
    this.generation++;
  }

  /** HostPortInfo.CheckConflict: 0.0.0.0 conflicts with every IP on the same protocol/port. */
  portConflicts(hp: HostPort): boolean {
    const ips = this.usedPorts.get(portKey(hp.protocol, hp.port));
    if (!ips) return false;
    if (hp.ip === '0.0.0.0') return ips.size > 0;
    return ips.has('0.0.0.0') || ips.has(hp.ip);
  }
}
