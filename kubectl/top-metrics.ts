// Resource usage from the kubelet's stats summary (`nodes/<n>/proxy/stats/summary`), turned
// into kubectl top's rows: millicores and Mi, percentages of allocatable for nodes.
import { parseBytes, parseCpuMilli } from '../api/quantity.js';

export interface Usage {
  usageNanoCores?: number;
  workingSetBytes?: number;
}

export interface StatsSummary {
  node?: { nodeName?: string; cpu?: Usage; memory?: Usage };
  pods?: {
    podRef?: { name?: string; namespace?: string; uid?: string };
    cpu?: Usage;
    memory?: Usage;
    containers?: { name: string; cpu?: Usage; memory?: Usage }[];
  }[];
}

export interface UsageRow {
  name: string;
  cpuMilli: number;
  memoryBytes: number;
  cpuPercent?: number;
  memoryPercent?: number;
}

const milli = (u: Usage | undefined): number => Math.trunc((u?.usageNanoCores ?? 0) / 1e6);
const bytes = (u: Usage | undefined): number => u?.workingSetBytes ?? 0;

export function nodeRow(name: string, s: StatsSummary, allocatable: Record<string, string> | undefined): UsageRow {
  const row: UsageRow = { name, cpuMilli: milli(s.node?.cpu), memoryBytes: (s.node?.memory as Usage | undefined)?.workingSetBytes ?? 0 };
  if (allocatable?.cpu) row.cpuPercent = Math.trunc((row.cpuMilli / parseCpuMilli(allocatable.cpu)) * 100);
  if (allocatable?.memory) row.memoryPercent = Math.trunc((row.memoryBytes / parseBytes(allocatable.memory)) * 100);
  return row;
}

/** One row per pod (or per container), keyed `namespace/name`. */
export function podRows(s: StatsSummary): Map<string, { pod: UsageRow; containers: UsageRow[] }> {
  const out = new Map<string, { pod: UsageRow; containers: UsageRow[] }>();
  for (const p of s.pods ?? []) {
    const containers = (p.containers ?? []).map((c) => ({ name: c.name, cpuMilli: milli(c.cpu), memoryBytes: bytes(c.memory) }));
    const pod: UsageRow = {
      name: p.podRef?.name ?? '',
      cpuMilli: p.cpu ? milli(p.cpu) : containers.reduce((a, c) => a + c.cpuMilli, 0),
      memoryBytes: p.memory ? bytes(p.memory) : containers.reduce((a, c) => a + c.memoryBytes, 0),
    };
    out.set(`${p.podRef?.namespace}/${p.podRef?.name}`, { pod, containers });
  }
  return out;
}

export const cpuText = (r: UsageRow): string => `${r.cpuMilli}m`;
export const memText = (r: UsageRow): string => `${Math.trunc(r.memoryBytes / (1024 * 1024))}Mi`;
