// kube-proxy's milestone for `kc trace` and the dashboard (tskube's own; upstream kube-proxy
// writes no such Event): after a sync that first programmed a Service's current set of ready
// endpoints on this node, an `EndpointsProgrammed` Event on the Service. Pure: the Proxier
// feeds it each successful sync's service ports and records what it returns.
import type { ObjectReference, Service } from 'kubernetes-types/core/v1';
import { toReference } from '../client/events.js';
import type { ServicePort } from './service-ports.js';

export const ENDPOINTS_PROGRAMMED = 'EndpointsProgrammed';

export interface EndpointsProgrammed {
  service: ObjectReference;
  /** Distinct endpoint addresses (pods) across the Service's ports. */
  endpoints: number;
}

/** The event's message, e.g. `iptables rules for 3 endpoints programmed on node-1`. */
export function programmedMessage(mode: string, endpoints: number, node: string): string {
  return `${mode} rules for ${endpoints} endpoint${endpoints === 1 ? '' : 's'} programmed on ${node}`;
}

/** Each Service's endpoint set in this sync: uid → its sorted `ip:port` entries and distinct IPs. */
function endpointSets(ports: readonly ServicePort[]): Map<string, { entries: Set<string>; ips: Set<string> }> {
  const out = new Map<string, { entries: Set<string>; ips: Set<string> }>();
  for (const sp of ports) {
    if (sp.endpoints.length === 0) continue;
    const key = `${sp.namespace}/${sp.service}`;
    let set = out.get(key);
    if (!set) out.set(key, (set = { entries: new Set(), ips: new Set() }));
    for (const ep of sp.endpoints) {
      set.entries.add(`${sp.portName}=${ep.ip}:${ep.port}`);
      set.ips.add(ep.ip);
    }
  }
  return out;
}

/**
 * Remembers, per Service uid, the endpoint set last reported. A set reported once sends
 * nothing again until it changes; a Service gone from the sync is forgotten.
 */
export class EndpointsProgrammedTracker {
  private readonly reported = new Map<string, string>();

  /**
   * After a successful sync: the Services whose current endpoint set it programmed first.
   * `seed` (the start-up sync) remembers without reporting: a restarted kube-proxy re-programs
   * every Service, which is not news for their traces.
   */
  synced(ports: readonly ServicePort[], services: readonly Service[], seed = false): EndpointsProgrammed[] {
    const sets = endpointSets(ports);
    const out: EndpointsProgrammed[] = [];
    const live = new Set<string>();
    for (const svc of services) {
      const m = svc.metadata ?? {};
      const set = sets.get(`${m.namespace ?? ''}/${m.name ?? ''}`);
      if (!m.uid || !set) continue;
      live.add(m.uid);
      const key = [...set.entries].sort().join(',');
      if (this.reported.get(m.uid) === key) continue;
      this.reported.set(m.uid, key);
      if (seed) continue;
        out.push({ service: toReference({ ...svc, kind: 'Service', apiVersion: 'v1' }), endpoints: set.ips.size });
    }
    for (const uid of this.reported.keys()) if (!live.has(uid)) this.reported.delete(uid);
    return out;
  }
}
