// metrics-server's own Prometheus metrics, named as upstream names them (pkg/scraper,
// pkg/storage, pkg/server): kubelet request durations and outcomes, each scrape cycle's duration,
// and the points held.
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export interface ServerMetrics {
  requestDuration: Histogram<'node'>;
  requestTotal: Counter<'success'>;
  lastRequestTime: Gauge<'node'>;
  tickDuration: Histogram;
  storagePoints: Gauge<'type'>;
}

export function newServerMetrics(registry: Registry): ServerMetrics {
  const registers = [registry];
  return {
    requestDuration: new Histogram({
      name: 'metrics_server_kubelet_request_duration_seconds',
      help: 'Duration of requests to Kubelet API in seconds',
      labelNames: ['node'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    requestTotal: new Counter({ name: 'metrics_server_kubelet_request_total', help: 'Number of requests sent to Kubelet API', labelNames: ['success'], registers }),
    lastRequestTime: new Gauge({ name: 'metrics_server_kubelet_last_request_time_seconds', help: 'Time of last request performed to Kubelet API since unix epoch in seconds', labelNames: ['node'], registers }),
    tickDuration: new Histogram({
      name: 'metrics_server_manager_tick_duration_seconds',
      help: 'The total time spent collecting and storing metrics in seconds.',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    storagePoints: new Gauge({ name: 'metrics_server_storage_points', help: 'Number of metrics points stored.', labelNames: ['type'], registers }),
  };
}
