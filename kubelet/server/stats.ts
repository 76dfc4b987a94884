// /stats/summary: the kubelet's Summary API (k8s.io/kubelet/pkg/apis/stats/v1alpha1) — node
// CPU and memory from /proc, per-container figures from the runtime's stats, summed per pod.
// Instantaneous CPU (usageNanoCores) is the rate between this sample and the previous one,
// so the first scrape of a container carries only its cumulative usage.
import { readFile } from 'node:fs/promises';
import {
  LABEL_CONTAINER_NAME,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  type ContainerStats,
} from '../runtime/runtime.js';

export interface CPUStats {
  time: string;
  usageNanoCores?: number;
  usageCoreNanoSeconds: number;
}

export interface MemoryStats {
  time: string;
  workingSetBytes: number;
  usageBytes?: number;
  availableBytes?: number;
}

export interface ContainerSummary {
  name: string;
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface PodSummary {
  podRef: { name: string; namespace: string; uid: string };
  containers: ContainerSummary[];
  cpu: CPUStats;
  memory: MemoryStats;
}

export interface Summary {
  node: { nodeName: string; cpu: CPUStats; memory: MemoryStats };
  pods: PodSummary[];
}

/** A cumulative CPU reading. */
export interface CpuSample {
  at: Date;
  usageCoreNanoSeconds: number;
}

export interface NodeSample {
  cpu: CpuSample;
  memory: { workingSetBytes: number; usageBytes: number; availableBytes: number };
}

/** USER_HZ is 100 on Linux: one jiffy in /proc/stat is 10 ms. */
const NS_PER_JIFFY = 10_000_000;

/** Cumulative non-idle CPU time from the `cpu` line of /proc/stat. Pure. */
export function parseProcStat(text: string): number {
  const line = text.split('\n').find((l) => l.startsWith('cpu '));
  if (!line) return 0;
  const [user, nice, system, , , irq, softirq, steal] = line.trim().split(/\s+/).slice(1).map(Number);
  return ((user ?? 0) + (nice ?? 0) + (system ?? 0) + (irq ?? 0) + (softirq ?? 0) + (steal ?? 0)) * NS_PER_JIFFY;
}

/** Node memory from /proc/meminfo (values in kB). Pure. */
export function parseMeminfo(text: string): NodeSample['memory'] {
  const kb = (key: string): number => {
    const m = new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(text);
    return m ? Number(m[1]) * 1024 : 0;
  };
  const total = kb('MemTotal');
  const available = kb('MemAvailable');
  return { workingSetBytes: total - available, usageBytes: total - kb('MemFree'), availableBytes: available };
}

export async function readNodeSample(now = new Date()): Promise<NodeSample> {
  const [stat, meminfo] = await Promise.all([readFile('/proc/stat', 'utf8'), readFile('/proc/meminfo', 'utf8')]);
  return { cpu: { at: now, usageCoreNanoSeconds: parseProcStat(stat) }, memory: parseMeminfo(meminfo) };
}

/** Nanocores between two cumulative samples; undefined when there is no usable interval. */
export function cpuRate(prev: CpuSample | undefined, cur: CpuSample): number | undefined {
  if (!prev) return undefined;
  const dtNs = (cur.at.getTime() - prev.at.getTime()) * 1e6;
  const used = cur.usageCoreNanoSeconds - prev.usageCoreNanoSeconds;
  if (dtNs <= 0 || used < 0) return undefined;
  return Math.round((used / dtNs) * 1e9);
}

function cpuStats(sample: CpuSample, prev: CpuSample | undefined): CPUStats {
  const rate = cpuRate(prev, sample);
  return { time: sample.at.toISOString(), ...(rate !== undefined ? { usageNanoCores: rate } : {}), usageCoreNanoSeconds: sample.usageCoreNanoSeconds };
}

/**
 * Builds the summary. `previous` holds the last CPU sample per container id (and 'node');
 * it is updated in place so the next call can compute rates. Pure apart from that map.
 */
export function buildSummary(nodeName: string, node: NodeSample, containers: readonly ContainerStats[], previous: Map<string, CpuSample>): Summary {
  const pods = new Map<string, PodSummary>();
  const seen = new Set<string>(['node']);
  for (const c of containers) {
    const uid = c.labels[LABEL_POD_UID];
    const name = c.labels[LABEL_CONTAINER_NAME];
    if (!uid || !name) continue;
    const sample: CpuSample = { at: c.timestamp, usageCoreNanoSeconds: c.cpuUsageCoreNanoSeconds };
    const cpu = cpuStats(sample, previous.get(c.id));
    previous.set(c.id, sample);
    seen.add(c.id);
    const memory: MemoryStats = { time: c.timestamp.toISOString(), workingSetBytes: c.memoryWorkingSetBytes, usageBytes: c.memoryUsageBytes };
    let pod = pods.get(uid);
    if (!pod) {
      pod = {
        podRef: { name: c.labels[LABEL_POD_NAME] ?? '', namespace: c.labels[LABEL_POD_NAMESPACE] ?? '', uid },
        containers: [],
        cpu: { time: memory.time, usageCoreNanoSeconds: 0 },
        memory: { time: memory.time, workingSetBytes: 0, usageBytes: 0 },
      };
      pods.set(uid, pod);
    }
    pod.containers.push({ name, cpu, memory });
    pod.cpu.usageCoreNanoSeconds += cpu.usageCoreNanoSeconds;
    if (cpu.usageNanoCores !== undefined) pod.cpu.usageNanoCores = (pod.cpu.usageNanoCores ?? 0) + cpu.usageNanoCores;
    pod.memory.workingSetBytes += memory.workingSetBytes;
    pod.memory.usageBytes = (pod.memory.usageBytes ?? 0) + (memory.usageBytes ?? 0);
  }
  const nodeCpu = cpuStats(node.cpu, previous.get('node'));
  previous.set('node', node.cpu);
  // Containers that are gone take their samples with them.
  for (const id of previous.keys()) if (!seen.has(id)) previous.delete(id);
  const sorted = [...pods.values()].sort((a, b) => `${a.podRef.namespace}/${a.podRef.name}`.localeCompare(`${b.podRef.namespace}/${b.podRef.name}`));
  for (const p of sorted) p.containers.sort((a, b) => a.name.localeCompare(b.name));
  return {
    node: { nodeName, cpu: nodeCpu, memory: { time: node.cpu.at.toISOString(), ...node.memory } },
    pods: sorted,
  };
}
