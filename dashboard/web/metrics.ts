// Real usage from metrics.k8s.io when it is served: polled (metrics are not watchable).
// A 404/503 means metrics-server is not there; the views then show allocation only.
import { useEffect, useState } from 'preact/hooks';
import { ApiError, k8s } from './api.js';
import { parseQuantity } from './format.js';

export interface Usage { cpu: number; memory: number }
interface MetricsItem { metadata: { name: string; namespace?: string }; timestamp?: string; usage?: Record<string, string>; containers?: Array<{ usage?: Record<string, string> }> }

export function usageOf(m: MetricsItem): Usage {
  if (m.usage) return { cpu: parseQuantity(m.usage['cpu']), memory: parseQuantity(m.usage['memory']) };
  const u = { cpu: 0, memory: 0 };
  for (const c of m.containers ?? []) { u.cpu += parseQuantity(c.usage?.['cpu']); u.memory += parseQuantity(c.usage?.['memory']); }
  return u;
}

export async function fetchUsage(path: string): Promise<Usage> {
  return usageOf(await k8s<MetricsItem>(path));
}

/** Node usage by node name; null while unknown or when metrics.k8s.io is not served. */
export function useNodeMetrics(intervalMs = 15_000): Map<string, Usage> | null {
  const [m, setM] = useState<Map<string, Usage> | null>(null);
  useEffect(() => {
    let stop = false;
    let t: ReturnType<typeof setTimeout> | undefined;
    const poll = async () => {
      try {
        const list = await k8s<{ items: MetricsItem[] }>('/apis/metrics.k8s.io/v1beta1/nodes');
        if (!stop) setM(new Map(list.items.map((i) => [i.metadata.name, usageOf(i)])));
      } catch (e) {
        if (!stop) setM(null);
        if (e instanceof ApiError && (e.code === 404 || e.code === 403)) return; // not served / not allowed: stop polling
      }
      if (!stop) t = setTimeout(poll, intervalMs);
    };
    void poll();
    return () => { stop = true; if (t) clearTimeout(t); };
  }, [intervalMs]);
  return m;
}
