// Which pod goes first, and what it is told (pkg/kubelet/eviction/helpers.go rank* and
// evictionMessage). Under memory pressure pods are ordered by whether their usage exceeds
// their request, then by priority (lowest first), then by usage above the request — so a
// BestEffort pod (request 0, any usage exceeds it) goes before a Guaranteed pod within its
// request. Disk pressure does the same with ephemeral-storage. A pod with no stats goes first.
// Pure: the stats come in.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { formatBytes, formatQuantity, parseQuantity } from '../../api/quantity.js';
import type { ReclaimResource, Signal, Threshold } from './api.js';
import { SIGNAL_TO_RESOURCE } from './api.js';
import { thresholdMetInfo, type SignalObservations } from './helpers.js';

export interface ContainerUsage {
  name: string;
  memoryWorkingSetBytes?: number;
  /** The writable layer. */
  rootfsBytes?: number;
  logsBytes?: number;
}

/** What the kubelet measured of one pod (a slice of the Summary API's PodStats). */
export interface PodUsage {
  memoryWorkingSetBytes: number;
  containers: ContainerUsage[];
  /** Local ephemeral volumes (emptyDir on disk, configMap…) by volume name. */
  volumeBytes: Record<string, number>;
}

export type StatsFunc = (pod: Pod) => PodUsage | undefined;

/** What disk ranking counts (fsStatsType): with a dedicated imagefs, nodefs counts logs and volumes, imagefs the writable layers. */
export type FsStatsType = 'root' | 'logs' | 'localVolumeSource';

type Cmp = (a: Pod, b: Pod) => number;

/** cmpBool: true before false. */
function cmpBool(a: boolean, b: boolean): number {
  return a === b ? 0 : a ? -1 : 1;
}

function orderedBy(pods: Pod[], ...cmps: Cmp[]): Pod[] {
  return [...pods].sort((a, b) => {
    for (const c of cmps) {
      const r = c(a, b);
      if (r !== 0) return r;
    }
    return 0;
  });
}

/** GetResourceRequestQuantity, in bytes: the sum over containers, at least the largest init container, plus overhead. */
export function podRequestBytes(pod: Pod, resource: 'memory' | 'ephemeral-storage'): number {
  const req = (c: Container): number => {
    const v = c.resources?.requests?.[resource];
    return v === undefined ? 0 : Number(parseQuantity(String(v)).nanos / 1_000_000_000n);
  };
  let sum = 0;
  for (const c of pod.spec?.containers ?? []) sum += req(c);
  for (const c of pod.spec?.initContainers ?? []) sum = Math.max(sum, req(c));
  const overhead = pod.spec?.overhead?.[resource];
  if (overhead !== undefined) sum += Number(parseQuantity(String(overhead)).nanos / 1_000_000_000n);
  return sum;
}

/** priority: lower priority first. */
const priority: Cmp = (a, b) => (a.spec?.priority ?? 0) - (b.spec?.priority ?? 0);

/** Wraps a comparison of two pods' stats: a pod without stats goes first. */
function withStats(stats: StatsFunc, cmp: (a: Pod, sa: PodUsage, b: Pod, sb: PodUsage) => number): Cmp {
  return (a, b) => {
    const sa = stats(a);
    const sb = stats(b);
    if (!sa || !sb) return cmpBool(!sa, !sb);
    return cmp(a, sa, b, sb);
  };
}

export function rankMemoryPressure(pods: Pod[], stats: StatsFunc): Pod[] {
  const exceeds = withStats(stats, (a, sa, b, sb) => cmpBool(sa.memoryWorkingSetBytes > podRequestBytes(a, 'memory'), sb.memoryWorkingSetBytes > podRequestBytes(b, 'memory')));
  const usage = withStats(stats, (a, sa, b, sb) => sb.memoryWorkingSetBytes - podRequestBytes(b, 'memory') - (sa.memoryWorkingSetBytes - podRequestBytes(a, 'memory')));
  return orderedBy(pods, exceeds, priority, usage);
}

/** podDiskUsage for the measured fs stats. */
export function podDiskUsage(s: PodUsage, measure: readonly FsStatsType[]): number {
  let n = 0;
  for (const c of s.containers) {
    if (measure.includes('root')) n += c.rootfsBytes ?? 0;
    if (measure.includes('logs')) n += c.logsBytes ?? 0;
  }
  if (measure.includes('localVolumeSource')) for (const v of Object.values(s.volumeBytes)) n += v;
  return n;
}

export function rankDiskPressure(pods: Pod[], stats: StatsFunc, measure: readonly FsStatsType[]): Pod[] {
  const use = (p: Pod, s: PodUsage): number => podDiskUsage(s, measure);
  const exceeds = withStats(stats, (a, sa, b, sb) => cmpBool(use(a, sa) > podRequestBytes(a, 'ephemeral-storage'), use(b, sb) > podRequestBytes(b, 'ephemeral-storage')));
  const usage = withStats(stats, (a, sa, b, sb) => use(b, sb) - podRequestBytes(b, 'ephemeral-storage') - (use(a, sa) - podRequestBytes(a, 'ephemeral-storage')));
  return orderedBy(pods, exceeds, priority, usage);
}

/** rankPIDPressure: by priority (per-pod process counts are not measured here). */
export function rankPIDPressure(pods: Pod[]): Pod[] {
  return orderedBy(pods, priority);
}

/** The ranking for a signal (buildSignalToRankFunc); `dedicatedImageFs`: Docker's data root is on another filesystem than the kubelet's root dir. */
export function rankPods(signal: Signal, pods: Pod[], stats: StatsFunc, dedicatedImageFs: boolean): Pod[] {
  switch (signal) {
    case 'memory.available':
      return rankMemoryPressure(pods, stats);
    case 'pid.available':
      return rankPIDPressure(pods);
    case 'nodefs.available':
    case 'nodefs.inodesFree':
      return rankDiskPressure(pods, stats, dedicatedImageFs ? ['logs', 'localVolumeSource'] : ['root', 'logs', 'localVolumeSource']);
    case 'imagefs.available':
    case 'imagefs.inodesFree':
      return rankDiskPressure(pods, stats, dedicatedImageFs ? ['root'] : ['root', 'logs', 'localVolumeSource']);
  }
}

/** A container's request as k8s prints a Quantity ("64Mi"; "0" when there is none). */
function requestString(c: Container, resource: ReclaimResource): string {
  const v = c.resources?.requests?.[resource];
  return v === undefined ? '0' : formatQuantity(parseQuantity(String(v)));
}

/**
 * evictionMessage: "The node was low on resource: memory. Threshold quantity: 100Mi,
 * available: 12345Ki. Container app was using 20Mi, request is 0, has larger consumption of
 * memory. " (each sentence ends with a space, as upstream's).
 */
export function evictionMessage(resource: ReclaimResource, pod: Pod, stats: StatsFunc, thresholds: readonly Threshold[], observations: SignalObservations): string {
  let message = `The node was low on resource: ${resource}. `;
  const info = thresholdMetInfo(thresholds, observations, (t) => SIGNAL_TO_RESOURCE[t.signal] === resource);
  if (info) message += `Threshold quantity: ${info.quantity}, available: ${info.available}. `;
  const s = stats(pod);
  if (!s) return message;
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  for (const cs of s.containers) {
    const c = containers.find((x) => x.name === cs.name);
    if (!c) continue;
    let usage: number | undefined;
    if (resource === 'memory') usage = cs.memoryWorkingSetBytes;
    else if (resource === 'ephemeral-storage' && cs.rootfsBytes !== undefined && cs.logsBytes !== undefined) usage = cs.rootfsBytes + cs.logsBytes;
    if (usage === undefined) continue;
    const req = c.resources?.requests?.[resource];
    const reqBytes = req === undefined ? 0 : Number(parseQuantity(String(req)).nanos / 1_000_000_000n);
    if (usage > reqBytes) message += `Container ${c.name} was using ${formatBytes(usage)}, request is ${requestString(c, resource)}, has larger consumption of ${resource}. `;
  }
  return message;
}
