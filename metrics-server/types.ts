// What one scrape yields (metrics-server's storage.MetricsBatch): a point per node and per
// container, each a cumulative CPU reading and a working-set figure at a time.

/** One reading (storage.MetricsPoint). */
export interface MetricsPoint {
  /** When the node/container started, if known: cumulative CPU counts from there. */
  startTime?: Date;
  /** When the reading was taken (the earlier of the CPU and memory times, as upstream). */
  timestamp: Date;
  /** Cumulative CPU since startTime, in core-nanoseconds. */
  cumulativeCpuUsed: number;
  /** Working set, in bytes. */
  memoryUsage: number;
}

export interface PodMetricsPoint {
  /** By container name. */
  containers: Map<string, MetricsPoint>;
}

/** `namespace/name`. */
export type PodKey = string;

export interface MetricsBatch {
  nodes: Map<string, MetricsPoint>;
  pods: Map<PodKey, PodMetricsPoint>;
}

export function emptyBatch(): MetricsBatch {
  return { nodes: new Map(), pods: new Map() };
}

/** A ResourceList of usage as the metrics API serves it. */
export interface Usage {
  cpu: string;
  memory: string;
}

/** When a rate was measured: the later point's time and the interval it spans. */
export interface TimeInfo {
  timestamp: Date;
  windowMs: number;
}
