// kube-proxy's Prometheus metrics (names as pkg/proxy/metrics).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export class ProxyMetrics {
  readonly syncDuration: Histogram;
  readonly lastSync: Gauge;
  readonly rules: Gauge;
  readonly syncErrors: Counter;
  readonly listeners: Gauge;

  constructor(registry: Registry) {
    this.syncDuration = new Histogram({
      name: 'kubeproxy_sync_proxy_rules_duration_seconds',
      help: 'SyncProxyRules latency in seconds',
      labelNames: ['full'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    });
    this.lastSync = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_last_timestamp_seconds',
      help: 'The last time proxy rules were successfully synced',
      registers: [registry],
    });
    this.rules = new Gauge({
      name: 'kubeproxy_sync_proxy_rules_iptables_total',
      help: 'Total number of iptables rules owned by kube-proxy',
      labelNames: ['table'],
      registers: [registry],
    });
    this.syncErrors = new Counter({
      name: 'kubeproxy_sync_proxy_rules_errors_total',
      help: 'Syncs that failed (retried as full syncs)',
      registers: [registry],
    });
    this.listeners = new Gauge({
      name: 'kubeproxy_userspace_listeners',
      help: 'TCP listeners the userspace proxy holds open',
      registers: [registry],
    });
  }
}
