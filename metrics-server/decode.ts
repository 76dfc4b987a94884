// A kubelet's /stats/summary (k8s.io/kubelet/pkg/apis/stats/v1alpha1) turned into points
// (metrics-server's decodeBatch for the Summary API): the node's and each container's cumulative
// CPU and working set. A node or pod with a missing figure is left out, whole, as upstream does,
// so a half-measured pod never shows a partial sum. Pure.
import type { MetricsBatch, MetricsPoint, PodMetricsPoint } from './types.js';
import { emptyBatch } from './types.js';

/** The parts of the Summary API read here; everything optional, as on the wire. */
export interface SummaryCPU {
  time?: string;
  usageCoreNanoSeconds?: number;
}
export interface SummaryMemory {
  time?: string;
  workingSetBytes?: number;
}
export interface StatsSummary {
  node?: { nodeName?: string; startTime?: string; cpu?: SummaryCPU; memory?: SummaryMemory };
  pods?: {
    podRef?: { name?: string; namespace?: string };
    containers?: { name?: string; startTime?: string; cpu?: SummaryCPU; memory?: SummaryMemory }[];
  }[];
}

function date(s: string | undefined): Date | undefined {
  if (!s) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** The earlier of the CPU and memory times (upstream's getScrapeTime), or undefined. */
function scrapeTime(cpu: SummaryCPU | undefined, memory: SummaryMemory | undefined): Date | undefined {
  const times = [date(cpu?.time), date(memory?.time)].filter((d): d is Date => d !== undefined);
  return times.length ? new Date(Math.min(...times.map((t) => t.getTime()))) : undefined;
}

function point(startTime: string | undefined, cpu: SummaryCPU | undefined, memory: SummaryMemory | undefined): MetricsPoint | undefined {
  const timestamp = scrapeTime(cpu, memory);
  const used = cpu?.usageCoreNanoSeconds;
  const ws = memory?.workingSetBytes;
  if (!timestamp || typeof used !== 'number' || typeof ws !== 'number' || !Number.isFinite(used) || !Number.isFinite(ws)) return undefined;
  const start = date(startTime);
  return { ...(start ? { startTime: start } : {}), timestamp, cumulativeCpuUsed: used, memoryUsage: ws };
}

/** The batch of one node's summary; `nodeName` is the Node it was scraped for (the summary's own name is not trusted). */
export function decodeSummary(nodeName: string, s: StatsSummary): MetricsBatch {
  const batch = emptyBatch();
  const node = point(s.node?.startTime, s.node?.cpu, s.node?.memory);
  if (node) batch.nodes.set(nodeName, node);
  for (const pod of s.pods ?? []) {
    const ns = pod.podRef?.namespace;
    const name = pod.podRef?.name;
    if (!ns || !name) continue;
    const containers = new Map<string, MetricsPoint>();
    let complete = true;
    for (const c of pod.containers ?? []) {
      const p = c.name ? point(c.startTime, c.cpu, c.memory) : undefined;
      if (!p || !c.name) {
        complete = false;
        break;
      }
      containers.set(c.name, p);
    }
    if (complete && containers.size > 0) batch.pods.set(`${ns}/${name}`, { containers } satisfies PodMetricsPoint);
  }
  return batch;
}

/** Merges the nodes' batches; a node or pod reported twice keeps its first point (upstream logs and drops duplicates). */
export function mergeBatches(batches: readonly MetricsBatch[]): { batch: MetricsBatch; duplicates: string[] } {
  const out = emptyBatch();
  const duplicates: string[] = [];
  for (const b of batches) {
    for (const [k, v] of b.nodes) {
      if (out.nodes.has(k)) duplicates.push(`node ${k}`);
      else out.nodes.set(k, v);
    }
    for (const [k, v] of b.pods) {
      if (out.pods.has(k)) duplicates.push(`pod ${k}`);
      else out.pods.set(k, v);
    }
  }
  return { batch: out, duplicates };
}
