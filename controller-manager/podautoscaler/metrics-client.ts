// The HPA controller's view of the resource metrics API (Kubernetes'
// pkg/controller/podautoscaler/metrics: MetricsClient, PodMetricsInfo, and the resource metrics
// client over metrics.k8s.io/v1beta1). The controller only sees this interface, so tests feed
// it fixed numbers; the REST implementation below is what the controller-manager uses: it lists
// PodMetrics through the apiserver, which proxies the group to metrics-server.
import type { RestClient } from '../../client/index.js';
import { milliValue } from '../../api/quantity.js';
import { parseDurationMs } from '../../client/duration.js';

/** One pod's usage of one resource, in milli-units (millicores, milli-bytes), as PodMetric. */
export interface PodMetric {
  /** When the sample was taken (ms since the epoch). */
  timestamp: number;
  /** The window the sample was averaged over (ms). */
  windowMs: number;
  /** Usage in milli-units. */
  value: number;
}

/** Pod name → its metric. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface ResourceMetrics {
  metrics: PodMetricsInfo;
  /** The timestamp of the first sample (upstream reports that one). */
  timestamp: number;
}

export interface MetricsClient {
  /**
   * Usage of `resource` (`cpu`, `memory`) per pod matching `labelSelector` in `namespace`;
   * only `container`'s usage when it is non-empty (ContainerResource metrics).
   */
  getResourceMetric(resource: string, namespace: string, labelSelector: string, container: string): Promise<ResourceMetrics>;
}

/** metrics.k8s.io/v1beta1 PodMetrics, as far as the HPA reads it. */
export interface PodMetrics {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name?: string; usage?: Record<string, string> }[];
}

export const METRICS_API_PATH = '/apis/metrics.k8s.io/v1beta1';

/**
 * Sums each pod's container usage of one resource (getPodMetrics / getContainerMetrics). A
 * pod with no containers, or with a container that lacks the resource, has no metric: the
 * calculator then treats it as missing.
 */
export function podMetricsInfo(items: readonly PodMetrics[], resource: string, container: string): PodMetricsInfo {
  const out: PodMetricsInfo = new Map();
  for (const m of items) {
    const name = m.metadata?.name;
    if (!name) continue;
    const containers = container ? (m.containers ?? []).filter((c) => c.name === container) : (m.containers ?? []);
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      const usage = c.usage?.[resource];
      if (usage === undefined) {
        missing = true;
        break;
      }
      try {
        sum += milliValue(usage);
      } catch {
        missing = true;
        break;
      }
    }
    if (missing) continue;
    out.set(name, { timestamp: Date.parse(m.timestamp ?? '') || 0, windowMs: parseDurationMs(m.window ?? '') ?? 0, value: sum });
  }
  return out;
}

/** The real client: PodMetrics through the apiserver's aggregation of metrics.k8s.io. */
export class RestMetricsClient implements MetricsClient {
  constructor(private readonly client: RestClient) {}

  async getResourceMetric(resource: string, namespace: string, labelSelector: string, container: string): Promise<ResourceMetrics> {
    const list = await this.client.json<{ items?: PodMetrics[] }>({
      method: 'GET',
      path: `${METRICS_API_PATH}/namespaces/${encodeURIComponent(namespace)}/pods`,
      query: { labelSelector },
    });
    const items = list.items ?? [];
    if (items.length === 0) throw new Error('no metrics returned from resource metrics API');
    const metrics = podMetricsInfo(items, resource, container);
    if (container && metrics.size === 0) throw new Error(`failed to get container metrics: container ${container} not present in metrics`);
    return { metrics, timestamp: Date.parse(items[0]?.timestamp ?? '') || 0 };
  }
}
