// A Service's endpoints as DNS sees them: the ready addresses of its EndpointSlices, each
// with the hostname it is known by (the endpoint's `hostname`, else its dashed IP, as
// CoreDNS names them) and the ports of the slice it came from.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointPort, EndpointSlice } from 'kubernetes-types/discovery/v1';
import { canonicalIp, dashedIp } from './names.js';

export interface DnsEndpoint {
  /** The label under `<svc>.<ns>.svc.<zone>` this address answers to. */
  hostname: string;
  ip: string;
  family: 4 | 6;
  ports: EndpointPort[];
}

/**
 * Ready endpoints (a missing `ready` condition means ready, as the API says), or all of them
 * when the Service publishes not-ready addresses. One entry per (hostname, address): the same
 * pod may appear in several slices (different port sets, or while slices are rebalanced), and
 * its ports are merged.
 */
export function serviceEndpoints(svc: Service, slices: readonly EndpointSlice[]): DnsEndpoint[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const byKey = new Map<string, DnsEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4' && slice.addressType !== 'IPv6') continue;
    const family = slice.addressType === 'IPv4' ? 4 : 6;
    for (const ep of slice.endpoints ?? []) {
      if (!publishNotReady && ep.conditions?.ready === false) continue;
      for (const raw of ep.addresses ?? []) {
        const ip = canonicalIp(raw);
        if (!ip) continue;
        const hostname = (ep.hostname ?? dashedIp(ip)).toLowerCase();
        const key = `${hostname}|${ip}`;
        const known = byKey.get(key);
        if (known) {
          for (const p of slice.ports ?? []) {
            if (!known.ports.some((k) => k.name === p.name && k.port === p.port && k.protocol === p.protocol)) known.ports.push(p);
          }
        } else {
          byKey.set(key, { hostname, ip, family, ports: [...(slice.ports ?? [])] });
        }
      }
    }
  }
  return [...byKey.values()];
}
