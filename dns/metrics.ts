// Prometheus metrics of the DNS server, named after CoreDNS's (`coredns_dns_*`) with our prefix.
import { Counter, Histogram, type Registry } from 'prom-client';
import type { Transport } from './server.js';

export interface DnsMetrics {
  observe(transport: Transport, qtype: string, rcode: string, seconds: number): void;
  forwarded(result: 'success' | 'error'): void;
}

export function newDnsMetrics(registry: Registry): DnsMetrics {
  const requests = new Counter({
    name: 'tskube_dns_requests_total',
    help: 'DNS queries answered, by transport and query type.',
    labelNames: ['proto', 'type'],
    registers: [registry],
  });
  const responses = new Counter({
    name: 'tskube_dns_responses_total',
    help: 'DNS responses sent, by response code.',
    labelNames: ['rcode'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'tskube_dns_request_duration_seconds',
    help: 'Time from query received to response ready, by query type.',
    labelNames: ['type'],
    buckets: [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const forwards = new Counter({
    name: 'tskube_dns_forward_requests_total',
    help: 'Queries forwarded to the upstream, by result.',
    labelNames: ['result'],
    registers: [registry],
  });
  // Query types are bounded to the known set so a client cannot grow the label space.
  const known = new Set(['A', 'AAAA', 'SRV', 'PTR', 'CNAME', 'TXT', 'SOA', 'NS', 'ANY', 'MX']);
  return {
    observe(transport, qtype, rcode, seconds) {
      const type = known.has(qtype) ? qtype : 'other';
      requests.inc({ proto: transport, type });
      responses.inc({ rcode });
      duration.observe({ type }, seconds);
    },
    forwarded(result) {
      forwards.inc({ result });
    },
  };
}
