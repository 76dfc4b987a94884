// The DNS server's milestone for `kc trace` and the dashboard (tskube's own; CoreDNS writes no
// such Event): the first time a Service's name answers with its current ClusterIP — when the
// informer delivered it, which is when the resolver reads it — a `DNSRecordsServed` Event on
// the Service, once per (Service, ClusterIP). Pure: ClusterDns feeds it the informer's events.
import type { ObjectReference, Service } from 'kubernetes-types/core/v1';
import { toReference } from '../client/events.js';
import { isHeadless, serviceClusterIPs } from './cluster-state.js';

export const DNS_RECORDS_SERVED = 'DNSRecordsServed';

export interface RecordsServed {
  service: ObjectReference;
  /** e.g. `web.default.svc.cluster.local answers 10.96.0.12` */
  message: string;
}

export class RecordsServedTracker {
  /** Service uid → the ClusterIPs last reported. */
  private readonly reported = new Map<string, string>();

  constructor(private readonly zone: string) {}

  /**
   * A Service the informer delivered. `seed` (the initial list at start-up) remembers without
   * reporting: a restarted server answering old Services is not news for their traces.
   * Headless and ExternalName Services have no ClusterIP to report.
   */
  observe(svc: Service, seed = false): RecordsServed | undefined {
    const m = svc.metadata ?? {};
    if (!m.uid || !m.name || isHeadless(svc) || svc.spec?.type === 'ExternalName') return undefined;
    const ips = serviceClusterIPs(svc);
    if (ips.length === 0) return undefined;
    const key = ips.join(',');
    if (this.reported.get(m.uid) === key) return undefined;
    this.reported.set(m.uid, key);
    if (seed) return undefined;
    return { service: toReference({ ...svc, kind: 'Service', apiVersion: 'v1' }), message: `${m.name}.${m.namespace ?? ''}.svc.${this.zone} answers ${ips.join(', ')}` };
  }

  forget(uid: string | undefined): void {
    if (uid) this.reported.delete(uid);
  }
}
