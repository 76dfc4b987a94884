// From query bytes to a response packet: header rules (opcode, one question, class IN),
// EDNS(0) payload size, flags, and truncation to what the transport allows. Pure; the server
// decides how to act on `forward`/`chase` (upstream or not).
import dnsPacket, { type Answer, type DecodedPacket, type OptAnswer, type Packet, type Question } from 'dns-packet';
import type { ClusterState } from './cluster-state.js';
import type { ZoneConfig } from './records.js';
import { resolve, type Rcode } from './resolve.js';

/** What the server should do with one query. */
export type Handling =
  /** Send `response`. */
  | { kind: 'reply'; response: Packet; qtype: string; rcode: Rcode }
  /** Not ours: forward the query as is to the upstream; without one (or when it fails) send `fallback`. */
  | { kind: 'forward'; fallback: Packet; qtype: string; rcode: Rcode }
  /** Our answer ends in a CNAME out of the zone: the upstream may add `target`'s records to `response`. */
  | { kind: 'chase'; response: Packet; target: string; qtype: string; rcode: Rcode }
  /** Not even a header, or a response: say nothing (answering could feed a reflection loop). */
  | { kind: 'drop' };

/** Classic DNS over UDP without EDNS (RFC 1035 §4.2.1). */
export const UDP_MIN_PAYLOAD = 512;
/** What we advertise and honour at most over UDP: the DNS Flag Day 2020 size that avoids IP fragmentation. */
export const UDP_MAX_PAYLOAD = 1232;

const RCODES: Record<Rcode, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const OPCODE_QUERY = 0;

/** The query's EDNS OPT record, if it sent one. */
export function ednsOf(query: Packet): OptAnswer | undefined {
  return (query.additionals ?? []).find((a): a is OptAnswer => a.type === 'OPT');
}

/** The largest UDP response the client accepts. */
export function udpPayloadLimit(query: Packet): number {
  const opt = ednsOf(query);
  if (!opt) return UDP_MIN_PAYLOAD;
  return Math.min(UDP_MAX_PAYLOAD, Math.max(UDP_MIN_PAYLOAD, opt.udpPayloadSize));
}

export function decodeQuery(buf: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(buf);
  } catch {
    return undefined;
  }
}

/** A response header for `query`: its id, opcode and RD copied, QR and RA set, rcode in the low bits. */
export function responseFor(query: Packet, rcode: Rcode, opts: { authoritative?: boolean } = {}): Packet {
  const incoming = query.flags ?? 0;
  let flags = (incoming & (0xf << 11)) | (incoming & dnsPacket.RECURSION_DESIRED) | dnsPacket.RECURSION_AVAILABLE | RCODES[rcode];
  if (opts.authoritative) flags |= dnsPacket.AUTHORITATIVE_ANSWER;
  const response: Packet = {
    type: 'response',
    id: query.id ?? 0,
    flags,
    questions: (query.questions ?? []).slice(0, 1),
    answers: [],
    authorities: [],
    additionals: [],
  };
  if (ednsOf(query)) response.additionals = [ednsRecord()];
  return response;
}

function ednsRecord(): OptAnswer {
  return { name: '.', type: 'OPT', udpPayloadSize: UDP_MAX_PAYLOAD, extendedRcode: 0, ednsVersion: 0, flags: 0, flag_do: false, options: [] };
}

/** A FORMERR for bytes that carry at least a header (so the client can match the id). */
export function formatError(buf: Buffer): Buffer | undefined {
  if (buf.length < 12) return undefined;
  const isResponse = (buf[2] & 0x80) !== 0;
  if (isResponse) return undefined;
  const id = buf.readUInt16BE(0);
  return dnsPacket.encode({ type: 'response', id, flags: (buf.readUInt16BE(2) & (0xf << 11)) | RCODES.FORMERR });
}

export function handleQuery(query: DecodedPacket, state: ClusterState, cfg: ZoneConfig): Handling {
  if (query.type === 'response') return { kind: 'drop' };
  const opcode = ((query.flags ?? 0) >> 11) & 0xf;
  const question: Question | undefined = query.questions?.[0];
  const qtype = question?.type ?? 'NONE';
  if (opcode !== OPCODE_QUERY) return reply(responseFor(query, 'NOTIMP'), qtype, 'NOTIMP');
  if (!question || (query.questions?.length ?? 0) !== 1) return reply(responseFor(query, 'FORMERR'), qtype, 'FORMERR');
  if ((question.class ?? 'IN') !== 'IN') return reply(responseFor(query, 'REFUSED'), qtype, 'REFUSED');
  if (qtype === 'AXFR' || qtype === 'IXFR') return reply(responseFor(query, 'REFUSED'), qtype, 'REFUSED');

  const res = resolve(question, state, cfg);
  const response = responseFor(query, res.rcode, { authoritative: res.authoritative });
  response.answers = res.answers;
  response.authorities = res.authorities;
  response.additionals = [...res.additionals, ...(response.additionals ?? [])];
  if (res.fallthrough) return { kind: 'forward', fallback: response, qtype, rcode: res.rcode };
  if (res.chase) return { kind: 'chase', response, target: res.chase, qtype, rcode: res.rcode };
  return reply(response, qtype, res.rcode);
}

function reply(response: Packet, qtype: string, rcode: Rcode): Handling {
  return { kind: 'reply', response, qtype, rcode };
}

/**
 * Encodes `response` within `maxBytes`: first without the additional section's glue, then
 * with as many answers as fit and the TC bit set, so the client retries over TCP (RFC 2181 §9).
 */
export function encodeWithin(response: Packet, maxBytes: number): Buffer {
  const full = dnsPacket.encode(response);
  if (full.length <= maxBytes) return full;
  const opt = (response.additionals ?? []).filter((a) => a.type === 'OPT');
  const noGlue: Packet = { ...response, additionals: opt };
  const lean = dnsPacket.encode(noGlue);
  if (lean.length <= maxBytes) return lean;
  const answers: Answer[] = [...(response.answers ?? [])];
  const truncated: Packet = { ...noGlue, flags: (response.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE, authorities: [], answers };
  while (answers.length > 0 && dnsPacket.encodingLength(truncated) > maxBytes) answers.pop();
  return dnsPacket.encode(truncated);
}

/** The rcode name of an encoded response (for metrics of forwarded answers). */
export function rcodeOf(buf: Buffer): string {
  return buf.length >= 4 ? (Object.entries(RCODES).find(([, v]) => v === (buf[3] & 0xf))?.[0] ?? `RCODE_${buf[3] & 0xf}`) : 'SERVFAIL';
}
