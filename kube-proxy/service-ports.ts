// The proxy's desired state, shared by every mode: Services + EndpointSlices flattened into
// one entry per service port with its usable endpoints (k8s' ServicePortMap + EndpointsMap).
// Pure: modes turn this into rules; nothing here touches the host.
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { SERVICE_NAME_LABEL } from '../api/discovery.js';
import { compareIPs } from '../api/net.js';

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface ProxyEndpoint {
  ip: string;
  port: number;
  /** The node the endpoint runs on ('' when the slice does not say). */
  nodeName: string;
}

export interface ServicePort {
  /** `namespace/name:portName`, or `namespace/name` for an unnamed port (k8s ServicePortName.String()). */
  name: string;
  namespace: string;
  service: string;
  portName: string;
  protocol: Protocol;
  clusterIP: string;
  port: number;
  /** 0 when the Service has none. */
  nodePort: number;
  /** status.loadBalancer.ingress IPs of a LoadBalancer Service. */
  loadBalancerIPs: string[];
  externalIPs: string[];
  isLoadBalancer: boolean;
  /** ClientIP affinity timeout in seconds; 0 = no affinity. */
  affinitySeconds: number;
  /** externalTrafficPolicy: Local (external traffic only to this node's endpoints). */
  externalLocal: boolean;
  /** Usable endpoints, sorted by ip:port. */
  endpoints: ProxyEndpoint[];
}

/**
 * Endpoints of one service port from its slices: ready ones (a missing `ready` means ready),
 * or not-ready ones too with publishNotReadyAddresses; terminating ones never.
 */
export function endpointsFor(svc: Service, portName: string, protocol: Protocol, slices: readonly EndpointSlice[]): ProxyEndpoint[] {
  const publishNotReady = svc.spec?.publishNotReadyAddresses === true;
  const seen = new Map<string, ProxyEndpoint>();
  for (const slice of slices) {
    if (slice.addressType !== 'IPv4') continue;
    const sp = (slice.ports ?? []).find((p) => (p.name ?? '') === portName && (p.protocol ?? 'TCP') === protocol);
    if (!sp || typeof sp.port !== 'number') continue;
    for (const ep of slice.endpoints ?? []) {
      const c = ep.conditions ?? {};
      if (c.terminating === true) continue;
      if (c.ready === false && !publishNotReady) continue;
      const ip = ep.addresses?.[0];
      if (!ip) continue;
      const key = `${ip}:${sp.port}`;
      if (!seen.has(key)) seen.set(key, { ip, port: sp.port, nodeName: ep.nodeName ?? '' });
    }
  }
  return [...seen.values()].sort((a, b) => compareEndpoints(a, b));
}

function compareEndpoints(a: ProxyEndpoint, b: ProxyEndpoint): number {
  return compareIPs(a.ip, b.ip) || a.port - b.port;
}

/** Services that proxies serve: with a real ClusterIP (not headless, not ExternalName). */
export function isProxied(svc: Service): boolean {
  const ip = svc.spec?.clusterIP;
  return svc.spec?.type !== 'ExternalName' && !!ip && ip !== 'None';
}

export function servicePortName(namespace: string, name: string, portName: string): string {
  return `${namespace}/${name}${portName ? `:${portName}` : ''}`;
}

/** Every proxied service port, sorted by name and protocol. */
export function buildServicePorts(services: readonly Service[], slices: readonly EndpointSlice[]): ServicePort[] {
  const slicesBySvc = new Map<string, EndpointSlice[]>();
  for (const s of slices) {
    const svcName = s.metadata?.labels?.[SERVICE_NAME_LABEL];
    if (!svcName) continue;
    const key = `${s.metadata?.namespace ?? ''}/${svcName}`;
    const list = slicesBySvc.get(key) ?? [];
    list.push(s);
    slicesBySvc.set(key, list);
  }
  const out: ServicePort[] = [];
  for (const svc of services) {
    if (!isProxied(svc)) continue;
    const namespace = svc.metadata?.namespace ?? '';
    const service = svc.metadata?.name ?? '';
    const spec = svc.spec!;
    const svcSlices = slicesBySvc.get(`${namespace}/${service}`) ?? [];
    const isLB = spec.type === 'LoadBalancer';
    const lbIPs = isLB ? (svc.status?.loadBalancer?.ingress ?? []).map((i) => i.ip).filter((ip): ip is string => !!ip) : [];
    const affinitySeconds = spec.sessionAffinity === 'ClientIP' ? (spec.sessionAffinityConfig?.clientIP?.timeoutSeconds ?? 10800) : 0;
    for (const p of spec.ports ?? []) {
      const portName = p.name ?? '';
      const protocol = (p.protocol ?? 'TCP') as Protocol;
      out.push({
        name: servicePortName(namespace, service, portName),
        namespace,
        service,
        portName,
        protocol,
        clusterIP: spec.clusterIP!,
        port: p.port,
        nodePort: spec.type === 'NodePort' || isLB ? (p.nodePort ?? 0) : 0,
        loadBalancerIPs: lbIPs,
        externalIPs: [...(spec.externalIPs ?? [])],
        isLoadBalancer: isLB,
        affinitySeconds,
        externalLocal: spec.externalTrafficPolicy === 'Local' && (spec.type === 'NodePort' || isLB),
        endpoints: endpointsFor(svc, portName, protocol, svcSlices),
      });
    }
  }
  return out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0));
}

/** What a mode needs to know about the host it runs on. */
export interface NodeInfo {
  nodeName: string;
  /** The host's own addresses (NodePorts answer on all local addresses; LB ports on these). */
  nodeIPs: string[];
  /** The pod network (`--cluster-cidr`): traffic from outside it to a ClusterIP is masqueraded. */
  clusterCIDR: string;
}
