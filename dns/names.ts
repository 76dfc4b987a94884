// Cluster DNS names: what a query name means in the Kubernetes DNS schema
// (github.com/kubernetes/dns docs/specification.md), the reverse (PTR) names of addresses,
// and the dashed-IP labels pods and unnamed endpoints are known by. Pure string work.
import { isIP, isIPv4 } from 'node:net';
import { parseIP } from '../api/net.js';

/** What a name inside the cluster zone (or a reverse zone) refers to. */
export type ClusterName =
  /** `<zone>` itself: SOA and NS live here. */
  | { kind: 'apex' }
  /** `dns-version.<zone>`: TXT with the schema version (spec §2.2). */
  | { kind: 'version' }
  /** `svc.<zone>` or `pod.<zone>`: empty non-terminals. */
  | { kind: 'root'; podOrSvc: 'svc' | 'pod' }
  /** `ns.dns.<zone>`: the name server the SOA and NS records point at. */
  | { kind: 'nameserver' }
  /** `<ns>.svc.<zone>` or `<ns>.pod.<zone>`: exists when the namespace does. */
  | { kind: 'namespace'; podOrSvc: 'svc' | 'pod'; namespace: string }
  /** `<svc>.<ns>.svc.<zone>`. */
  | { kind: 'service'; namespace: string; service: string }
  /** `<hostname>.<svc>.<ns>.svc.<zone>`: one endpoint of a service. */
  | { kind: 'endpoint'; namespace: string; service: string; endpoint: string }
  /** `_<port>._<proto>.<svc>.<ns>.svc.<zone>`: SRV for a named port. */
  | { kind: 'port'; namespace: string; service: string; port: string; protocol: string }
  /** `_<proto>.<svc>.<ns>.svc.<zone>`: the empty non-terminal above the port names. */
  | { kind: 'protocol'; namespace: string; service: string; protocol: string }
  /** `<a-b-c-d>.<ns>.pod.<zone>`. */
  | { kind: 'pod'; namespace: string; label: string }
  /** `<d>.<c>.<b>.<a>.in-addr.arpa` or the 32-nibble ip6.arpa name of one address. */
  | { kind: 'reverse'; ip: string; zone: ReverseZone }
  /** Inside a reverse zone, but not one whole address (e.g. `10.in-addr.arpa`). */
  | { kind: 'reverse-partial'; zone: ReverseZone }
  /** Inside the cluster zone, but not a shape the schema defines: NXDOMAIN. */
  | { kind: 'invalid' }
  /** Not ours at all: forward upstream or refuse. */
  | { kind: 'outside' };

export type ReverseZone = 'in-addr.arpa' | 'ip6.arpa';

/** Lower-cased, without the trailing dot: the form every comparison uses (DNS is case-insensitive). */
export function normalizeName(name: string): string {
  return name.replace(/\.+$/, '').toLowerCase();
}

/** The fully-qualified form used in record data (targets end in a dot). */
export function fqdn(name: string): string {
  return name.endsWith('.') ? name : `${name}.`;
}

/** Splits `name` into the labels in front of `zone`, or undefined when it is not inside it. */
export function labelsUnder(name: string, zone: string): string[] | undefined {
  const n = normalizeName(name);
  const z = normalizeName(zone);
  if (n === z) return [];
  if (z === '') return n.split('.');
  if (!n.endsWith(`.${z}`)) return undefined;
  return n.slice(0, n.length - z.length - 1).split('.');
}

export function parseName(name: string, zone: string): ClusterName {
  const reverse = parseReverse(name);
  if (reverse) return reverse;
  const labels = labelsUnder(name, zone);
  if (!labels) return { kind: 'outside' };
  if (labels.length === 0) return { kind: 'apex' };
  if (labels.some((l) => l === '')) return { kind: 'invalid' };
  const last = labels.length - 1;
  const top = labels[last];
  if (labels.length === 1 && top === 'dns-version') return { kind: 'version' };
  if (labels.length === 2 && top === 'dns' && labels[0] === 'ns') return { kind: 'nameserver' };
  if (top !== 'svc' && top !== 'pod') return { kind: 'invalid' };
  if (labels.length === 1) return { kind: 'root', podOrSvc: top };
  const namespace = labels[last - 1];
  if (labels.length === 2) return { kind: 'namespace', podOrSvc: top, namespace };
  if (top === 'pod') {
    return labels.length === 3 ? { kind: 'pod', namespace, label: labels[0] } : { kind: 'invalid' };
  }
  const service = labels[last - 2];
  if (labels.length === 3) return { kind: 'service', namespace, service };
  if (labels.length === 4) {
    const first = labels[0];
    if (first.startsWith('_')) return { kind: 'protocol', namespace, service, protocol: first.slice(1) };
    return { kind: 'endpoint', namespace, service, endpoint: first };
  }
  if (labels.length === 5 && labels[0].startsWith('_') && labels[1].startsWith('_')) {
    return { kind: 'port', namespace, service, port: labels[0].slice(1), protocol: labels[1].slice(1) };
  }
  return { kind: 'invalid' };
}

function parseReverse(name: string): ClusterName | undefined {
  const v4 = labelsUnder(name, 'in-addr.arpa');
  if (v4) {
    if (v4.length !== 4 || !v4.every((l) => /^(0|[1-9]\d{0,2})$/.test(l) && Number(l) <= 255)) {
      return { kind: 'reverse-partial', zone: 'in-addr.arpa' };
    }
    return { kind: 'reverse', ip: [...v4].reverse().join('.'), zone: 'in-addr.arpa' };
  }
  const v6 = labelsUnder(name, 'ip6.arpa');
  if (v6) {
    if (v6.length !== 32 || !v6.every((l) => /^[0-9a-f]$/.test(l))) return { kind: 'reverse-partial', zone: 'ip6.arpa' };
    const hex = [...v6].reverse().join('');
    const groups = hex.match(/.{4}/g) ?? [];
    return { kind: 'reverse', ip: canonicalIp(groups.join(':')) ?? '', zone: 'ip6.arpa' };
  }
  return undefined;
}

/**
 * One spelling per address, so addresses from objects and from names compare equal:
 * IPv4 as is, IPv6 compressed and lower-cased (RFC 5952, via the WHATWG URL parser).
 */
export function canonicalIp(ip: string): string | undefined {
  const family = isIP(ip);
  if (family === 4) return ip;
  if (family === 6) return new URL(`http://[${ip}]`).hostname.slice(1, -1);
  return undefined;
}

/** The PTR owner name of an address (`1.0.96.10.in-addr.arpa`; IPv6: its 32 nibbles reversed under ip6.arpa). */
export function reverseName(ip: string): string {
  if (isIPv4(ip)) return `${ip.split('.').reverse().join('.')}.in-addr.arpa`;
  const hex = (parseIP(ip)?.toByteArray() ?? []).map((b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.split('').reverse().join('.')}.ip6.arpa`;
}

/** `10-244-1-5` for 10.244.1.5 (and `fd00--1` for fd00::1): how CoreDNS names pods and unnamed endpoints. */
export function dashedIp(ip: string): string {
  return ip.replace(/[.:]/g, '-');
}

/** The address a dashed label stands for, or undefined when it is not one. */
export function ipFromDashed(label: string): string | undefined {
  const asV4 = label.replace(/-/g, '.');
  if ((label.match(/-/g) ?? []).length === 3 && isIPv4(asV4)) return asV4;
  return canonicalIp(label.replace(/-/g, ':'));
}
