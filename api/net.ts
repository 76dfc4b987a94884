// IP addresses and CIDRs (IPv4 and IPv6) on top of `ipaddr.js`: Service ClusterIP ranges, node
// pod CIDRs, kube-proxy's local-address checks and address ordering all use these, so the
// parsing rules live in one place.
import ipaddr from 'ipaddr.js';

export type IPFamily = 'IPv4' | 'IPv6';

export interface Cidr {
  readonly family: IPFamily;
  readonly prefix: number;
  /** The network address as a number (host bits cleared). */
  readonly base: bigint;
  /** How many addresses the CIDR holds (2^(bits − prefix)). */
  readonly size: bigint;
  /** Canonical text: the network address and prefix (`10.96.0.0/12`). */
  readonly text: string;
}

const FOUR_PARTS = /^\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}$/;

/**
 * Parses an IPv4 or IPv6 address; undefined when it is neither. IPv4 is dotted-quad decimal only
 * (a leading zero is decimal, as Go's ParseIP reads it, never octal).
 */
export function parseIP(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (FOUR_PARTS.test(text)) {
    const parts = text.split('.').map(Number);
    return parts.every((p) => p <= 255) ? new ipaddr.IPv4(parts) : undefined;
  }
  return text.includes(':') && ipaddr.IPv6.isValid(text) ? ipaddr.IPv6.parse(text) : undefined;
}

function bitsOf(family: IPFamily): number {
  return family === 'IPv4' ? 32 : 128;
}

function familyOf(ip: ipaddr.IPv4 | ipaddr.IPv6): IPFamily {
  return ip.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
}

function toBigInt(ip: ipaddr.IPv4 | ipaddr.IPv6): bigint {
  let n = 0n;
  for (const b of ip.toByteArray()) n = (n << 8n) | BigInt(b);
  return n;
}

/** The address as a number, or undefined when `text` is not an IP address. */
export function ipToBigInt(text: string): { family: IPFamily; value: bigint } | undefined {
  const ip = parseIP(text);
  return ip ? { family: familyOf(ip), value: toBigInt(ip) } : undefined;
}

/** The canonical text of address number `n` of a family (RFC 5952 for IPv6). */
export function formatIP(n: bigint, family: IPFamily): string {
  const bytes: number[] = [];
  for (let i = bitsOf(family) / 8 - 1; i >= 0; i--) bytes.push(Number((n >> BigInt(i * 8)) & 0xffn));
  const ip = ipaddr.fromByteArray(bytes);
  return ip.kind() === 'ipv6' ? (ip as ipaddr.IPv6).toRFC5952String() : ip.toString();
}

/** Parses `addr/prefix`; throws when it is not a CIDR. Host bits are cleared, as Go's ParseCIDR does. */
export function parseCidr(text: string): Cidr {
  const t = text.trim();
  const slash = t.indexOf('/');
  const ip = slash > 0 ? parseIP(t.slice(0, slash)) : undefined;
  const bits = t.slice(slash + 1);
  if (!ip || !/^\d{1,3}$/.test(bits)) throw new Error(`invalid CIDR address: ${t}`);
  const family = familyOf(ip);
  const prefix = Number(bits);
  const width = bitsOf(family);
  if (prefix > width) throw new Error(`invalid CIDR address: ${t}`);
  const hostBits = BigInt(width - prefix);
  const base = (toBigInt(ip) >> hostBits) << hostBits;
  return { family, prefix, base, size: 1n << hostBits, text: `${formatIP(base, family)}/${prefix}` };
}

/** parseCidr, or undefined when `text` is not a CIDR (for callers that report their own error). */
export function tryParseCidr(text: string): Cidr | undefined {
  try {
    return parseCidr(text);
  } catch {
    return undefined;
  }
}

/** Whether `ip` (text) lies in the CIDR; false for anything that is not an address of its family. */
export function cidrContains(cidr: Cidr, ip: string): boolean {
  const n = ipToBigInt(ip);
  return n !== undefined && n.family === cidr.family && n.value >= cidr.base && n.value < cidr.base + cidr.size;
}

/** Address number `offset` of the CIDR (0 is the network address). */
export function cidrAddress(cidr: Cidr, offset: bigint | number): string {
  return formatIP(cidr.base + BigInt(offset), cidr.family);
}

/** Orders addresses numerically, IPv4 before IPv6; text that is not an address sorts last, by bytes. */
export function compareIPs(a: string, b: string): number {
  // Endpoint lists sort thousands of IPv4 addresses per sync: compare dotted quads without parsing.
  if (FOUR_PARTS.test(a) && FOUR_PARTS.test(b)) {
    const pa = a.split('.').map(Number);
    const pb = b.split('.').map(Number);
    if (pa.every((p) => p <= 255) && pb.every((p) => p <= 255)) {
      for (let i = 0; i < 4; i++) if (pa[i] !== pb[i]) return pa[i]! - pb[i]!;
      return 0;
    }
  }
  const na = ipToBigInt(a);
  const nb = ipToBigInt(b);
  if (na && nb) {
    if (na.family !== nb.family) return na.family === 'IPv4' ? -1 : 1;
    return na.value < nb.value ? -1 : na.value > nb.value ? 1 : 0;
  }
  if (na || nb) return na ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}
