// metrics-server's storage (sigs.k8s.io/metrics-server/pkg/storage): the last two points per
// node and per container. CPU usage is a rate — the growth of the cumulative counter between
// the two points over the time between them — so nothing is served for a node or container
// until it has been scraped twice; memory is the latest working set. A pod is served only
// when every one of its containers has two points. Pure: the scraper feeds it batches.
import { formatBytes, formatQuantity } from '../api/quantity.js';
import type { MetricsBatch, MetricsPoint, PodKey, PodMetricsPoint, TimeInfo, Usage } from './types.js';

/** A container younger than this gives too coarse a rate from its start time (upstream's freshContainerMinMetricsResolution). */
export const FRESH_CONTAINER_MIN_RESOLUTION_MS = 10_000;

/** CPU nanocores as the API writes them: `12345678n`, or `5m` when exact (DecimalSI, scale -9). */
export function cpuQuantity(nanocores: number): string {
  return formatQuantity({ nanos: BigInt(Math.max(0, Math.trunc(nanocores))), format: 'DecimalSI' });
}

/** Bytes as the API writes them: `1234Ki` when a multiple of 1024, else plain (BinarySI). */
export function memoryQuantity(bytes: number): string {
  return formatBytes(Math.max(0, Math.trunc(bytes)));
}

/** Usage between two points (upstream resourceUsage); undefined when the counter went backwards. */
export function resourceUsage(last: MetricsPoint, prev: MetricsPoint): { usage: Usage; time: TimeInfo } | undefined {
  if (last.startTime && prev.startTime && last.startTime < prev.startTime) return undefined;
  if (last.cumulativeCpuUsed < prev.cumulativeCpuUsed) return undefined;
  const windowMs = last.timestamp.getTime() - prev.timestamp.getTime();
  if (windowMs <= 0) return undefined;
  const nanocores = (last.cumulativeCpuUsed - prev.cumulativeCpuUsed) / (windowMs / 1000);
  return { usage: { cpu: cpuQuantity(nanocores), memory: memoryQuantity(last.memoryUsage) }, time: { timestamp: last.timestamp, windowMs } };
}

/** The point to keep as `prev` when `next` arrives and `last`/`prev` are stored (upstream's Store rules). */
function keepPrev(next: MetricsPoint, last: MetricsPoint | undefined, prev: MetricsPoint | undefined): MetricsPoint | undefined {
  if (!last) return undefined;
  // A restart (the new point started after the stored one was taken) starts over.
  if (next.startTime && next.startTime >= last.timestamp) return undefined;
  if (next.timestamp > last.timestamp) return last;
  // The same reading again (the kubelet had nothing newer): keep the older pair.
  if (prev && prev.timestamp < next.timestamp) return prev;
  return undefined;
}

export interface NodeMetricsValue {
  usage: Usage;
  time: TimeInfo;
}

export interface PodMetricsValue {
  containers: { name: string; usage: Usage }[];
  time: TimeInfo;
}

export class MetricsStorage {
  private lastNodes = new Map<string, MetricsPoint>();
  private prevNodes = new Map<string, MetricsPoint>();
  private lastPods = new Map<PodKey, PodMetricsPoint>();
  private prevPods = new Map<PodKey, PodMetricsPoint>();

  constructor(private readonly metricResolutionMs: number) {}

  /** Takes a scrape's batch: what is not in it is forgotten (nodes and pods that are gone). */
  store(batch: MetricsBatch): void {
    const lastNodes = new Map<string, MetricsPoint>();
    const prevNodes = new Map<string, MetricsPoint>();
    for (const [name, point] of batch.nodes) {
      lastNodes.set(name, point);
      const prev = keepPrev(point, this.lastNodes.get(name), this.prevNodes.get(name));
      if (prev) prevNodes.set(name, prev);
    }
    this.lastNodes = lastNodes;
    this.prevNodes = prevNodes;
    const lastPods = new Map<PodKey, PodMetricsPoint>();
    const prevPods = new Map<PodKey, PodMetricsPoint>();
    for (const [key, pod] of batch.pods) {
      const prevContainers = new Map<string, MetricsPoint>();
      for (const [name, point] of pod.containers) {
        const prev = this.freshStart(point) ?? keepPrev(point, this.lastPods.get(key)?.containers.get(name), this.prevPods.get(key)?.containers.get(name));
        if (prev) prevContainers.set(name, prev);
      }
      lastPods.set(key, { containers: new Map(pod.containers) });
      if (prevContainers.size > 0) prevPods.set(key, { containers: prevContainers });
    }
    this.lastPods = lastPods;
    this.prevPods = prevPods;
  }

  /**
   * A container started within the last resolution (but long enough ago to give a fair rate)
   * has used all its CPU since its start: its start is a point with zero usage, so its metrics
   * appear after one scrape instead of two.
   */
  private freshStart(p: MetricsPoint): MetricsPoint | undefined {
    if (!p.startTime) return undefined;
    const age = p.timestamp.getTime() - p.startTime.getTime();
    if (age <= 0 || age >= this.metricResolutionMs || age < FRESH_CONTAINER_MIN_RESOLUTION_MS) return undefined;
    return { ...p, timestamp: p.startTime, cumulativeCpuUsed: 0 };
  }

  nodeMetrics(name: string): NodeMetricsValue | undefined {
    const last = this.lastNodes.get(name);
    const prev = this.prevNodes.get(name);
    return last && prev ? resourceUsage(last, prev) : undefined;
  }

  /** The pod's metrics when every container has two points; the earliest container time. */
  podMetrics(namespace: string, name: string): PodMetricsValue | undefined {
    const key = `${namespace}/${name}`;
    const last = this.lastPods.get(key);
    const prev = this.prevPods.get(key);
    if (!last || !prev) return undefined;
    const containers: PodMetricsValue['containers'] = [];
    let earliest: TimeInfo | undefined;
    for (const [c, point] of last.containers) {
      const before = prev.containers.get(c);
      if (!before) return undefined;
      const u = resourceUsage(point, before);
      // As upstream: a container whose counter went backwards is left out, the pod still served.
      if (!u) continue;
      containers.push({ name: c, usage: u.usage });
      if (!earliest || u.time.timestamp < earliest.timestamp) earliest = u.time;
    }
    return earliest ? { containers, time: earliest } : undefined;
  }

  /** Points held (upstream's metrics_server_storage_points): nodes and containers with a rate. */
  pointCounts(): { node: number; container: number } {
    let container = 0;
    for (const p of this.prevPods.values()) container += p.containers.size;
    return { node: this.prevNodes.size, container };
  }
}
