// kubectl top's printer (k8s.io/kubectl/pkg/metricsutil/metrics_printer.go) over the
// metrics.k8s.io/v1beta1 objects: CPU in millicores (MilliValue, rounded up), memory in Mi
// (Value / 2^20), node percentages of allocatable (or capacity), nodes without metrics as
// <unknown>, pods as the sum of their containers. Pure: objects in, tab-separated rows out.
import { parseQuantity, type Quantity } from '../api/quantity.js';
import { CliError } from './errors.js';

export interface ResourceUsage {
  cpu?: string;
  memory?: string;
}

export interface NodeMetrics {
  metadata?: { name?: string };
  usage?: ResourceUsage;
}

export interface PodMetrics {
  metadata?: { name?: string; namespace?: string };
  containers?: { name: string; usage?: ResourceUsage }[];
}

export interface UsageRow {
  name: string;
  namespace?: string;
  cpuNanos: bigint;
  memoryNanos: bigint;
}

const NANO = 1_000_000_000n;
const MILLI = 1_000_000n;

function nanos(q: string | undefined): bigint {
  if (!q) return 0n;
  try {
    return parseQuantity(q).nanos;
  } catch {
    return 0n;
  }
}

const ceilDiv = (a: bigint, b: bigint): bigint => (a % b === 0n ? a / b : a / b + (a > 0n ? 1n : 0n));

/** `123m`: MilliValue, as kubectl prints CPU. */
export const cpuText = (r: Pick<UsageRow, 'cpuNanos'>): string => `${ceilDiv(r.cpuNanos, MILLI)}m`;
/** `45Mi`: Value() / (1024*1024), truncated, as kubectl prints memory. */
export const memText = (r: Pick<UsageRow, 'memoryNanos'>): string => `${ceilDiv(r.memoryNanos, NANO) / 1048576n}Mi`;

function percent(used: bigint, available: Quantity | undefined, scale: bigint): string {
  if (!available || available.nanos === 0n) return '<unknown>';
  const u = Number(ceilDiv(used, scale));
  const a = Number(ceilDiv(available.nanos, scale));
  return `${Math.trunc((u / a) * 100)}%`;
}

/** Orders rows as kubectl's sorters: `cpu`/`memory` descending, otherwise by name (and namespace first when shown). */
export function sortRows<T extends UsageRow>(rows: T[], by: string | undefined, withNamespace = false): T[] {
  const cmp = (a: bigint, b: bigint) => (a > b ? -1 : a < b ? 1 : 0);
  if (by === 'cpu') return [...rows].sort((a, b) => cmp(a.cpuNanos, b.cpuNanos));
  if (by === 'memory') return [...rows].sort((a, b) => cmp(a.memoryNanos, b.memoryNanos));
  if (by) throw new CliError(`--sort-by accepts only cpu or memory`);
  return [...rows].sort((a, b) => (withNamespace && a.namespace !== b.namespace ? (a.namespace ?? '').localeCompare(b.namespace ?? '') : a.name.localeCompare(b.name)));
}

export const NODE_HEADER = 'NAME\tCPU(cores)\tCPU(%)\tMEMORY(bytes)\tMEMORY(%)\t\n';

/** kubectl top node's lines: measured nodes first (sorted), then the listed nodes with no metrics. */
export function nodeLines(metrics: NodeMetrics[], available: Map<string, { cpu?: string; memory?: string }>, sortBy: string | undefined): string {
  const rows = sortRows(
    metrics.map((m) => ({ name: m.metadata?.name ?? '', cpuNanos: nanos(m.usage?.cpu), memoryNanos: nanos(m.usage?.memory) })),
    sortBy,
  );
  const missing = new Map(available);
  let text = '';
  for (const r of rows) {
    const a = available.get(r.name);
    const q = (s: string | undefined) => (s ? parseQuantity(s) : undefined);
    text += `${r.name}\t${cpuText(r)}\t${percent(r.cpuNanos, q(a?.cpu), MILLI)}\t${memText(r)}\t${percent(r.memoryNanos, q(a?.memory), NANO)}\t\n`;
    missing.delete(r.name);
  }
  for (const name of missing.keys()) text += `${name}\t<unknown>\t<unknown>\t<unknown>\t<unknown>\t\n`;
  return text;
}

export interface PodRow extends UsageRow {
  containers: UsageRow[];
}

export function podRow(m: PodMetrics): PodRow {
  const containers = (m.containers ?? []).map((c) => ({ name: c.name, cpuNanos: nanos(c.usage?.cpu), memoryNanos: nanos(c.usage?.memory) }));
  return {
    name: m.metadata?.name ?? '',
    namespace: m.metadata?.namespace ?? '',
    cpuNanos: containers.reduce((s, c) => s + c.cpuNanos, 0n),
    memoryNanos: containers.reduce((s, c) => s + c.memoryNanos, 0n),
    containers,
  };
}

/** kubectl top pod's header and lines (NAMESPACE with -A, POD with --containers). */
export function podLines(metrics: PodMetrics[], o: { allNamespaces: boolean; containers: boolean; noHeaders: boolean; sortBy?: string; sum?: boolean }): string {
  const head = [...(o.allNamespaces ? ['NAMESPACE'] : []), ...(o.containers ? ['POD', 'NAME'] : ['NAME']), 'CPU(cores)', 'MEMORY(bytes)'];
  let text = o.noHeaders ? '' : head.map((h) => `${h}\t`).join('') + '\n';
  const rows = sortRows(metrics.map(podRow), o.sortBy, o.allNamespaces);
  for (const r of rows) {
    const ns = o.allNamespaces ? `${r.namespace}\t` : '';
    if (o.containers) for (const c of sortRows(r.containers, o.sortBy)) text += `${ns}${r.name}\t${c.name}\t${cpuText(c)}\t${memText(c)}\t\n`;
    else text += `${ns}${r.name}\t${cpuText(r)}\t${memText(r)}\t\n`;
  }
  if (o.sum) {
    // kubectl's printPodResourcesSum: a rule under the usage columns, then the totals.
    const pad = '\t'.repeat(head.length - 2);
    const total = { cpuNanos: rows.reduce((a, r) => a + r.cpuNanos, 0n), memoryNanos: rows.reduce((a, r) => a + r.memoryNanos, 0n) };
    text += `${pad}________\t________\t\n${pad}${cpuText(total)}\t${memText(total)}\t\n`;
  }
  return text;
}
