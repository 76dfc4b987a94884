// The userspace mode as pure functions: service ports → the TCP listeners a Node proxy opens
// (one per service port for its ClusterIP "portal", one per NodePort address, one per
// load-balancer address), and — where iptables can be used — the REDIRECT rules that steer
// ClusterIP traffic into the portal listeners (the old k8s userspace proxier's
// KUBE-PORTALS-CONTAINER / KUBE-PORTALS-HOST). Without iptables a ClusterIP cannot be
// reached (nothing can bind it); NodePorts and load-balancer ports still work.
import type { JumpRule, RuleSet } from '../iptables/rules.js';
import type { NodeInfo, ServicePort } from '../service-ports.js';

export const KUBE_PORTALS_CONTAINER = 'KUBE-PORTALS-CONTAINER';
export const KUBE_PORTALS_HOST = 'KUBE-PORTALS-HOST';

export const USERSPACE_JUMPS: readonly JumpRule[] = [
  { table: 'nat', chain: 'PREROUTING', args: ['-m', 'comment', '--comment', 'handle ClusterIPs; NOTE: this must be before the NodePort rules', '-j', KUBE_PORTALS_CONTAINER] },
  { table: 'nat', chain: 'OUTPUT', args: ['-m', 'comment', '--comment', 'handle ClusterIPs; NOTE: this must be before the NodePort rules', '-j', KUBE_PORTALS_HOST] },
];

export type ListenerKind = 'portal' | 'nodePort' | 'loadBalancer';

export interface UserspaceListener {
  /** Stable identity across syncs: a listener with the same key keeps its socket. */
  key: string;
  /** The service port it serves (`ns/name:port`). */
  servicePort: string;
  kind: ListenerKind;
  address: string;
  /** 0 = any free port (portals; the REDIRECT rule names the one it got). */
  port: number;
  clusterIP: string;
  servicePortNumber: number;
  endpoints: { ip: string; port: number }[];
  /** ClientIP affinity in seconds; 0 = round robin only. */
  affinitySeconds: number;
}

export interface UserspaceOptions {
  /** Where NodePorts listen (`--nodeport-addresses`); default all addresses. */
  nodePortAddresses: string[];
}

/** TCP only: the Node proxy does not carry UDP or SCTP. */
export function userspaceListeners(ports: readonly ServicePort[], node: NodeInfo, opts: UserspaceOptions): UserspaceListener[] {
  const out: UserspaceListener[] = [];
  for (const sp of ports) {
    if (sp.protocol !== 'TCP' || sp.endpoints.length === 0) continue;
    const base = {
      servicePort: sp.name,
      clusterIP: sp.clusterIP,
      servicePortNumber: sp.port,
      endpoints: sp.endpoints.map((e) => ({ ip: e.ip, port: e.port })),
      affinitySeconds: sp.affinitySeconds,
    };
    out.push({ ...base, key: `${sp.name}/TCP/portal`, kind: 'portal', address: '0.0.0.0', port: 0 });
    if (sp.nodePort > 0) {
      for (const address of opts.nodePortAddresses) out.push({ ...base, key: `${sp.name}/TCP/nodePort/${address}:${sp.nodePort}`, kind: 'nodePort', address, port: sp.nodePort });
    }
    if (sp.isLoadBalancer) {
      for (const address of new Set([...sp.loadBalancerIPs, ...node.nodeIPs])) {
        out.push({ ...base, key: `${sp.name}/TCP/loadBalancer/${address}:${sp.port}`, kind: 'loadBalancer', address, port: sp.port });
      }
    }
  }
  return out;
}

/** REDIRECT rules for portals that are listening (`bound`: listener key → its port). */
export function portalRules(listeners: readonly UserspaceListener[], bound: ReadonlyMap<string, number>): RuleSet {
  const container: string[] = [];
  const host: string[] = [];
  for (const l of listeners) {
    const port = bound.get(l.key);
    if (l.kind !== 'portal' || !port) continue;
    const match = `-m comment --comment ${l.servicePort} -m tcp -p tcp -d ${l.clusterIP}/32 --dport ${l.servicePortNumber}`;
    container.push(`-A ${KUBE_PORTALS_CONTAINER} ${match} -j REDIRECT --to-ports ${port}`);
    host.push(`-A ${KUBE_PORTALS_HOST} ${match} -j REDIRECT --to-ports ${port}`);
  }
  return {
    filter: new Map(),
    nat: new Map([
      [KUBE_PORTALS_CONTAINER, container],
      [KUBE_PORTALS_HOST, host],
    ]),
  };
}

/**
 * Round robin with ClientIP affinity (pure state machine the proxy keeps per listener):
 * `order(clientIP, now)` lists the endpoints to try, sticky one first, then the rest in
 * rotation; `connected` records which one took the client.
 */
export class LoadBalancer {
  private next = 0;
  private readonly sticky = new Map<string, { endpoint: string; until: number }>();

  constructor(
    private endpoints: string[],
    private affinitySeconds: number,
  ) {}

  update(endpoints: string[], affinitySeconds: number): void {
    this.endpoints = endpoints;
    this.affinitySeconds = affinitySeconds;
    for (const [client, s] of this.sticky) if (!endpoints.includes(s.endpoint)) this.sticky.delete(client);
  }

  order(clientIP: string, now: number): string[] {
    const n = this.endpoints.length;
    if (n === 0) return [];
    const start = this.next % n;
    this.next = (start + 1) % n;
    const rotation = [...this.endpoints.slice(start), ...this.endpoints.slice(0, start)];
    const s = this.affinitySeconds > 0 ? this.sticky.get(clientIP) : undefined;
    if (s && s.until > now && this.endpoints.includes(s.endpoint)) return [s.endpoint, ...rotation.filter((e) => e !== s.endpoint)];
    return rotation;
  }

  connected(clientIP: string, endpoint: string, now: number): void {
    if (this.affinitySeconds > 0) this.sticky.set(clientIP, { endpoint, until: now + this.affinitySeconds * 1000 });
  }
}
