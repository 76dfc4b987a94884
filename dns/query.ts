// A minimal stub resolver: one question to one server over UDP or TCP, the decoded reply
// back. For tests and tools (e.g. an e2e test asking the cluster DNS from the host).
import { randomInt } from 'node:crypto';
import dnsPacket, { type DecodedPacket, type Packet, type RecordType } from 'dns-packet';
import { forwardTcp, forwardUdp } from './forward.js';

export interface DnsQuery {
  server: string;
  port: number;
  name: string;
  type?: RecordType;
  transport?: 'udp' | 'tcp';
  /** Advertise this EDNS(0) UDP payload size (omit for a classic 512-byte query). */
  ednsPayload?: number;
  timeoutMs?: number;
}

export function buildQuery(q: Pick<DnsQuery, 'name' | 'type' | 'ednsPayload'>, id = randomInt(0, 65536)): Buffer {
  const packet: Packet = {
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ name: q.name, type: q.type ?? 'A', class: 'IN' }],
    ...(q.ednsPayload
      ? { additionals: [{ name: '.', type: 'OPT', udpPayloadSize: q.ednsPayload, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] }] }
      : {}),
  };
  return dnsPacket.encode(packet);
}

/** Sends the query and decodes the reply (`rcode` is on the result, e.g. 'NXDOMAIN'). */
export async function queryDns(q: DnsQuery): Promise<DecodedPacket & { rcode?: string }> {
  const buf = buildQuery(q);
  const upstream = { host: q.server, port: q.port };
  const raw = q.transport === 'tcp' ? await forwardTcp(upstream, buf, q.timeoutMs ?? 2000) : await forwardUdp(upstream, buf, q.timeoutMs ?? 2000);
  return dnsPacket.decode(raw) as DecodedPacket & { rcode?: string };
}
