// The slice of cluster state DNS answers from, as a read-only interface over informer
// caches (the same Listers controllers use), plus the indexes that make every lookup a map
// hit: services by ClusterIP (PTR), EndpointSlices by service and by address, pods by IP.
import type { Namespace, Pod, Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { SERVICE_NAME_LABEL } from '../api/discovery.js';
import type { Indexers, Lister } from '../client/index.js';
import { canonicalIp } from './names.js';

export const CLUSTER_IP_INDEX = 'spec.clusterIPs';
export const SLICE_SERVICE_INDEX = SERVICE_NAME_LABEL;
export const SLICE_ADDRESS_INDEX = 'endpoints.addresses';
export const POD_IP_INDEX = 'status.podIPs';

/** The addresses of a Service's virtual IPs (`clusterIPs`, falling back to `clusterIP`), without `None`. */
export function serviceClusterIPs(svc: Service): string[] {
  const ips = svc.spec?.clusterIPs?.length ? svc.spec.clusterIPs : svc.spec?.clusterIP ? [svc.spec.clusterIP] : [];
  return ips.map(canonicalIp).filter((ip): ip is string => ip !== undefined);
}

/** Headless: `clusterIP: None` (an ExternalName service is neither). */
export function isHeadless(svc: Service): boolean {
  return svc.spec?.type !== 'ExternalName' && svc.spec?.clusterIP === 'None';
}

export const serviceIndexers: Indexers<Service> = {
  [CLUSTER_IP_INDEX]: (svc) => serviceClusterIPs(svc),
};

export const endpointSliceIndexers: Indexers<EndpointSlice> = {
  [SLICE_SERVICE_INDEX]: (slice) => {
    const svc = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    return svc ? [`${slice.metadata?.namespace ?? ''}/${svc}`] : [];
  },
  [SLICE_ADDRESS_INDEX]: (slice) => [
    ...new Set(slice.endpoints.flatMap((ep) => ep.addresses.map(canonicalIp).filter((ip): ip is string => ip !== undefined))),
  ],
};

export const podIndexers: Indexers<Pod> = {
  [POD_IP_INDEX]: (pod) => {
    const ips = pod.status?.podIPs?.length ? pod.status.podIPs.map((p) => p.ip ?? '') : pod.status?.podIP ? [pod.status.podIP] : [];
    return ips.map(canonicalIp).filter((ip): ip is string => ip !== undefined);
  },
};

/** What the resolver may ask about the cluster. Every lookup is exact and case-sensitive: callers normalise. */
export interface ClusterState {
  namespaceExists(namespace: string): boolean;
  service(namespace: string, name: string): Service | undefined;
  /** The EndpointSlices labelled as belonging to this service. */
  endpointSlices(namespace: string, service: string): readonly EndpointSlice[];
  servicesWithClusterIP(ip: string): readonly Service[];
  endpointSlicesWithAddress(ip: string): readonly EndpointSlice[];
  /** Pods with this IP; only when pod records are verified (`--pods verified`). */
  podsWithIP(ip: string): readonly Pod[];
  /** The SOA serial: moves forward whenever the data behind the zone changes. */
  serial(): number;
}

export interface ListerSources {
  services: Lister<Service>;
  endpointSlices: Lister<EndpointSlice>;
  /** Without it every namespace is taken to exist. */
  namespaces?: Lister<Namespace>;
  /** Without it no pod is ever found (pod records are then only answered in `insecure` mode). */
  pods?: Lister<Pod>;
  serial?: () => number;
}

/** ClusterState over informer caches (or plain Stores in tests) carrying the indexes above. */
export class ListerClusterState implements ClusterState {
  constructor(private readonly src: ListerSources) {}

  namespaceExists(namespace: string): boolean {
    return this.src.namespaces ? this.src.namespaces.getByName('', namespace) !== undefined : true;
  }

  service(namespace: string, name: string): Service | undefined {
    return this.src.services.getByName(namespace, name);
  }

  endpointSlices(namespace: string, service: string): readonly EndpointSlice[] {
    return this.src.endpointSlices.byIndex(SLICE_SERVICE_INDEX, `${namespace}/${service}`);
  }

  servicesWithClusterIP(ip: string): readonly Service[] {
    return this.src.services.byIndex(CLUSTER_IP_INDEX, ip);
  }

  endpointSlicesWithAddress(ip: string): readonly EndpointSlice[] {
    return this.src.endpointSlices.byIndex(SLICE_ADDRESS_INDEX, ip);
  }

  podsWithIP(ip: string): readonly Pod[] {
    return this.src.pods ? this.src.pods.byIndex(POD_IP_INDEX, ip) : [];
  }

  serial(): number {
    return this.src.serial?.() ?? 1;
  }
}
