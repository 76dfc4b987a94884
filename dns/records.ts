// Every record a cluster name owns, whatever type was asked (the resolver picks by type):
// the Kubernetes DNS schema (services, headless endpoints, SRV for named ports, CNAME for
// ExternalName, pod A records, PTR) plus the zone's own SOA/NS and schema-version TXT.
import { isIPv4 } from 'node:net';
import type { Answer } from 'dns-packet';
import type { ServicePort } from 'kubernetes-types/core/v1';
import type { ClusterState } from './cluster-state.js';
import { SERVICE_NAME_LABEL } from '../api/discovery.js';
import { isHeadless, serviceClusterIPs } from './cluster-state.js';
import { ipFromDashed, normalizeName, type ClusterName, type ReverseZone } from './names.js';
import { serviceEndpoints, type DnsEndpoint } from './service-endpoints.js';

/** `insecure` answers any well-formed `a-b-c-d.<ns>.pod` (kube-dns compatible); `verified` needs a pod with that IP in that namespace. */
export type PodMode = 'insecure' | 'verified' | 'disabled';

export interface ZoneConfig {
  /** The cluster domain, e.g. `cluster.local`. */
  zone: string;
  /** TTL of every answer, and the SOA minimum (negative-caching TTL). */
  ttl: number;
  podMode: PodMode;
}

/** The version of github.com/kubernetes/dns docs/specification.md this server implements. */
export const DNS_SCHEMA_VERSION = '1.1.0';

/** The DNS Service answering for the zone: the NS record's address. */
export const KUBE_DNS_NAMESPACE = 'kube-system';
export const KUBE_DNS_SERVICE = 'kube-dns';

export interface NameRecords {
  /** False: NXDOMAIN. True with no record of the asked type: NODATA. */
  exists: boolean;
  records: Answer[];
  /** Glue for SRV targets (their A/AAAA records). */
  additionals: Answer[];
}

const NONE: NameRecords = { exists: false, records: [], additionals: [] };
const EMPTY: NameRecords = { exists: true, records: [], additionals: [] };

/** Records of `name` (the owner, spelled as asked), already parsed as `parsed`: one step per kind of name. */
export function recordsFor(name: string, parsed: ClusterName, state: ClusterState, cfg: ZoneConfig): NameRecords {
  const o: Owner = { name: name.replace(/\.+$/, ''), zone: normalizeName(cfg.zone), ttl: cfg.ttl };
  switch (parsed.kind) {
    case 'apex':
      return found([soaRecord(o.name, cfg, state.serial()), { name: o.name, type: 'NS', ttl: o.ttl, class: 'IN', data: `ns.dns.${o.zone}` }]);
    case 'nameserver': {
      const dns = state.service(KUBE_DNS_NAMESPACE, KUBE_DNS_SERVICE);
      return found(dns ? serviceClusterIPs(dns).map((ip) => address(o, o.name, ip)) : []);
    }
    case 'version':
      return found([{ name: o.name, type: 'TXT', ttl: o.ttl, class: 'IN', data: DNS_SCHEMA_VERSION }]);
    case 'root':
      return EMPTY;
    case 'namespace':
      return state.namespaceExists(parsed.namespace) ? EMPTY : NONE;
    case 'service':
      return serviceRecords(o, parsed, state);
    case 'protocol':
      return protocolRecords(parsed, state);
    case 'port':
      return portRecords(o, parsed, state);
    case 'endpoint':
      return endpointRecords(o, parsed, state);
    case 'pod':
      return podRecords(o, parsed, state, cfg.podMode);
    case 'reverse': {
      const targets = reverseTargets(parsed.ip, state, o.zone);
      return targets.length ? found(targets.map((t) => ({ name: o.name, type: 'PTR', ttl: o.ttl, class: 'IN', data: t }))) : NONE;
    }
    case 'reverse-partial':
    case 'invalid':
    case 'outside':
      return NONE;
  }
}

/** What every record of one owner name shares. */
interface Owner {
  /** The name as asked, without trailing dots. */
  name: string;
  /** The cluster zone, normalised. */
  zone: string;
  ttl: number;
}

type NameOf<K extends ClusterName['kind']> = Extract<ClusterName, { kind: K }>;

const found = (records: Answer[], additionals: Answer[] = []): NameRecords => ({ exists: true, records, additionals });

const address = (o: Owner, name: string, ip: string): Answer => ({ name, type: isIPv4(ip) ? 'A' : 'AAAA', ttl: o.ttl, class: 'IN', data: ip });

const serviceFqdn = (o: Owner, namespace: string, service: string): string => `${service}.${namespace}.svc.${o.zone}`;

/** SRV records for these ports of a ClusterIP service, all pointing at the service's name. */
function clusterIPSrv(o: Owner, target: string, ports: readonly ServicePort[]): Answer[] {
  return ports.map((p) => ({ name: o.name, type: 'SRV', ttl: o.ttl, class: 'IN', data: { priority: 0, weight: 100, port: p.port, target } }));
}

/** `<svc>.<ns>.svc.<zone>`: CNAME for ExternalName; headless: the ready endpoints; else the ClusterIPs, with SRV for every port. */
function serviceRecords(o: Owner, parsed: NameOf<'service'>, state: ClusterState): NameRecords {
  const svc = state.service(parsed.namespace, parsed.service);
  if (!svc) return NONE;
  if (svc.spec?.type === 'ExternalName') {
    const target = svc.spec.externalName;
    return target ? found([{ name: o.name, type: 'CNAME', ttl: o.ttl, class: 'IN', data: target.replace(/\.+$/, '') }]) : NONE;
  }
  if (isHeadless(svc)) {
    const eps = serviceEndpoints(svc, state.endpointSlices(parsed.namespace, parsed.service));
    // Spec §2.4.1: a headless service without ready endpoints does not resolve at all.
    if (eps.length === 0) return NONE;
    const ips = [...new Set(eps.map((e) => e.ip))];
    const srv = endpointSrv(o, eps, undefined, undefined, parsed);
    return found([...ips.map((ip) => address(o, o.name, ip)), ...srv.records], srv.additionals);
  }
  const target = serviceFqdn(o, parsed.namespace, parsed.service);
  const ips = serviceClusterIPs(svc);
  const srv = clusterIPSrv(o, target, svc.spec?.ports ?? []);
  return found([...ips.map((ip) => address(o, o.name, ip)), ...srv], srv.length ? ips.map((ip) => address(o, target, ip)) : []);
}

/** `_<proto>.<svc>…`: an empty non-terminal when some named port has that protocol. */
function protocolRecords(parsed: NameOf<'protocol'>, state: ClusterState): NameRecords {
  const svc = state.service(parsed.namespace, parsed.service);
  if (!svc || svc.spec?.type === 'ExternalName') return NONE;
  const named = (svc.spec?.ports ?? []).some((p) => p.name && (p.protocol ?? 'TCP').toLowerCase() === parsed.protocol);
  return named ? EMPTY : NONE;
}

/** `_<port>._<proto>.<svc>…`: SRV for that named port (per endpoint when headless). */
function portRecords(o: Owner, parsed: NameOf<'port'>, state: ClusterState): NameRecords {
  const svc = state.service(parsed.namespace, parsed.service);
  if (!svc || svc.spec?.type === 'ExternalName') return NONE;
  if (isHeadless(svc)) {
    const eps = serviceEndpoints(svc, state.endpointSlices(parsed.namespace, parsed.service));
    const srv = endpointSrv(o, eps, parsed.port, parsed.protocol, parsed);
    return srv.records.length ? { exists: true, ...srv } : NONE;
  }
  const ports = (svc.spec?.ports ?? []).filter((p) => p.name?.toLowerCase() === parsed.port && (p.protocol ?? 'TCP').toLowerCase() === parsed.protocol);
  if (ports.length === 0) return NONE;
  const target = serviceFqdn(o, parsed.namespace, parsed.service);
  return found(clusterIPSrv(o, target, ports), serviceClusterIPs(svc).map((ip) => address(o, target, ip)));
}

/** `<hostname>.<svc>…`: the endpoint(s) known by that hostname. */
function endpointRecords(o: Owner, parsed: NameOf<'endpoint'>, state: ClusterState): NameRecords {
  const svc = state.service(parsed.namespace, parsed.service);
  if (!svc || svc.spec?.type === 'ExternalName') return NONE;
  const eps = serviceEndpoints(svc, state.endpointSlices(parsed.namespace, parsed.service)).filter((e) => e.hostname === parsed.endpoint);
  return eps.length ? found(eps.map((e) => address(o, o.name, e.ip))) : NONE;
}

/** `<a-b-c-d>.<ns>.pod…`: the address the label spells (`verified`: only if such a pod exists there). */
function podRecords(o: Owner, parsed: NameOf<'pod'>, state: ClusterState, podMode: PodMode): NameRecords {
  if (podMode === 'disabled' || !state.namespaceExists(parsed.namespace)) return NONE;
  const ip = ipFromDashed(parsed.label);
  if (!ip) return NONE;
  if (podMode === 'verified' && !state.podsWithIP(ip).some((p) => p.metadata?.namespace === parsed.namespace)) return NONE;
  return found([address(o, o.name, ip)]);
}

/**
 * SRV records of a headless service: one per (ready endpoint × matching port), each pointing
 * at the endpoint's own name, whose address goes in the additional section. `port`/`protocol`
 * undefined means every port (the bare service name asked for SRV).
 */
function endpointSrv(
  o: Owner,
  eps: DnsEndpoint[],
  port: string | undefined,
  protocol: string | undefined,
  parsed: { namespace: string; service: string },
): { records: Answer[]; additionals: Answer[] } {
  const pairs: Array<{ target: string; port: number; ip: string }> = [];
  for (const ep of eps) {
    for (const p of ep.ports) {
      if (p.port === undefined) continue;
      if (port !== undefined && p.name?.toLowerCase() !== port) continue;
      if (protocol !== undefined && (p.protocol ?? 'TCP').toLowerCase() !== protocol) continue;
      pairs.push({ target: `${ep.hostname}.${serviceFqdn(o, parsed.namespace, parsed.service)}`, port: p.port, ip: ep.ip });
    }
  }
  // RFC 2782: equal priority, weights sharing 100 so each target is picked evenly.
  const weight = pairs.length ? Math.max(1, Math.floor(100 / pairs.length)) : 0;
  const records: Answer[] = pairs.map((p) => ({ name: o.name, type: 'SRV', ttl: o.ttl, class: 'IN', data: { priority: 0, weight, port: p.port, target: p.target } }));
  const seen = new Set<string>();
  const additionals: Answer[] = [];
  for (const p of pairs) {
    const key = `${p.target}|${p.ip}`;
    if (seen.has(key)) continue;
    seen.add(key);
    additionals.push(address(o, p.target, p.ip));
  }
  return { records, additionals };
}

/** PTR targets of an address: services with it as a ClusterIP, then endpoints with it (CoreDNS answers every endpoint, not only headless ones). */
function reverseTargets(ip: string, state: ClusterState, zone: string): string[] {
  const out = new Set<string>();
  for (const svc of state.servicesWithClusterIP(ip)) {
    out.add(`${svc.metadata?.name}.${svc.metadata?.namespace}.svc.${zone}`);
  }
  for (const slice of state.endpointSlicesWithAddress(ip)) {
    const ns = slice.metadata?.namespace ?? '';
    const svcName = slice.metadata?.labels?.[SERVICE_NAME_LABEL];
    const svc = svcName ? state.service(ns, svcName) : undefined;
    if (!svc || svc.spec?.type === 'ExternalName') continue;
    for (const ep of serviceEndpoints(svc, [slice])) {
      if (ep.ip === ip) out.add(`${ep.hostname}.${svcName}.${ns}.svc.${zone}`);
    }
  }
  return [...out];
}

/** The zone's SOA, as CoreDNS shapes it: `ns.dns.<zone> hostmaster.<zone>`, minimum = the answer TTL. */
export function soaRecord(owner: string, cfg: ZoneConfig, serial: number): Answer {
  const zone = normalizeName(cfg.zone);
  return {
    name: owner,
    type: 'SOA',
    ttl: cfg.ttl,
    class: 'IN',
    data: { mname: `ns.dns.${zone}`, rname: `hostmaster.${zone}`, serial: serial >>> 0, refresh: 7200, retry: 1800, expire: 86400, minimum: cfg.ttl },
  };
}

/** The zone a negative answer's SOA speaks for. */
export function authorityZone(parsed: ClusterName, cfg: ZoneConfig): string | ReverseZone {
  return parsed.kind === 'reverse' || parsed.kind === 'reverse-partial' ? parsed.zone : normalizeName(cfg.zone);
}
