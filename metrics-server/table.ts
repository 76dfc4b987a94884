// NodeMetrics and PodMetrics as a meta.k8s.io Table (metrics-server's pkg/api/table.go), for
// `kubectl get nodes.metrics.k8s.io` / `podmetrics`: Name, one column per resource (cpu, memory;
// a pod's the sum of its containers), Window; each row carries the object's metadata. Pure.
import { formatQuantity, parseQuantity } from '../api/quantity.js';
import type { NodeMetrics, PodMetrics } from './objects.js';
import type { Usage } from './types.js';

const column = (name: string, format: string, description = '') => ({ name, type: 'string', format, description, priority: 0 });

function sum(quantities: string[]): string {
  if (quantities.length === 0) return '0';
  const parsed = quantities.map((q) => parseQuantity(q));
  return formatQuantity({ nanos: parsed.reduce((a, q) => a + q.nanos, 0n), format: parsed[0]!.format });
}

function usageOf(o: NodeMetrics | PodMetrics): Usage {
  if (o.kind === 'NodeMetrics') return o.usage;
  return { cpu: sum(o.containers.map((c) => c.usage.cpu)), memory: sum(o.containers.map((c) => c.usage.memory)) };
}

export function metricsTable(objects: (NodeMetrics | PodMetrics)[], includeObject: 'None' | 'Metadata' | 'Object' = 'Metadata'): Record<string, unknown> {
  return {
    kind: 'Table',
    apiVersion: 'meta.k8s.io/v1',
    metadata: {},
    columnDefinitions: [column('Name', 'name', 'Name of the resource'), column('cpu', 'quantity'), column('memory', 'quantity'), column('Window', 'duration')],
    rows: objects.map((o) => {
      const u = usageOf(o);
      const object = includeObject === 'None' ? undefined : includeObject === 'Object' ? o : { kind: 'PartialObjectMetadata', apiVersion: 'meta.k8s.io/v1', metadata: o.metadata };
      return { cells: [o.metadata.name, u.cpu, u.memory, o.window], ...(object ? { object } : {}) };
    }),
  };
}
