// One query, bytes in → bytes out (CoreDNS's ServeDNS): decode, resolve against the cluster
// state, then act on the resolution — reply, forward to an upstream, or chase a CNAME that
// leaves the zone — and record the metrics. The transports (server.ts) call `handle`.
import { randomInt } from 'node:crypto';
import dnsPacket, { type DecodedPacket, type Packet } from 'dns-packet';
import type { Logger } from 'pino';
import type { ClusterState } from './cluster-state.js';
import { forwardTcp, forwardUdp, type Upstream } from './forward.js';
import { decodeQuery, encodeWithin, formatError, handleQuery, rcodeOf, responseFor, udpPayloadLimit, type Handling } from './message.js';
import type { DnsMetrics } from './metrics.js';
import type { ZoneConfig } from './records.js';
import type { Transport } from './server.js';

export interface QueryHandlerOptions {
  state: ClusterState;
  cfg: ZoneConfig;
  upstreams: readonly Upstream[];
  upstreamTimeoutMs: number;
  metrics: DnsMetrics;
  log: Logger;
  /** Whether the informer caches have synced (before that, zone names get SERVFAIL). */
  synced(): boolean;
}

export class QueryHandler {
  constructor(private readonly o: QueryHandlerOptions) {}

  /** The response bytes, or undefined to stay silent. */
  async handle(buf: Buffer, transport: Transport): Promise<Buffer | undefined> {
    const started = process.hrtime.bigint();
    const done = (qtype: string, out: Buffer | undefined) => {
      if (out) this.o.metrics.observe(transport, qtype, rcodeOf(out), Number(process.hrtime.bigint() - started) / 1e9);
      return out;
    };
    const query = decodeQuery(buf);
    if (!query) return done('NONE', formatError(buf));
    const limit = transport === 'udp' ? udpPayloadLimit(query) : 65535;
    let h = handleQuery(query, this.o.state, this.o.cfg);
    // Before the caches fill, "no such service" would be a lie that clients cache: say SERVFAIL.
    if (!this.o.synced() && (h.kind === 'reply' || h.kind === 'chase') && h.rcode !== 'NOTIMP' && h.rcode !== 'FORMERR') {
      h = { kind: 'reply', response: responseFor(query, 'SERVFAIL'), qtype: h.qtype, rcode: 'SERVFAIL' };
    }
    this.o.log.debug({ transport, name: query.questions?.[0]?.name, qtype: h.kind === 'drop' ? undefined : h.qtype, kind: h.kind }, 'query');
    return done(h.kind === 'drop' ? 'NONE' : h.qtype, await this.act(h, query, buf, transport, limit));
  }

  private async act(h: Handling, query: DecodedPacket, buf: Buffer, transport: Transport, limit: number): Promise<Buffer | undefined> {
    switch (h.kind) {
      case 'drop':
        return undefined;
      case 'reply':
        return encodeWithin(h.response, limit);
      case 'forward': {
        if (this.o.upstreams.length === 0) {
          // An unknown PTR is only known to be unknown once the caches are in.
          if (!this.o.synced() && h.rcode !== 'REFUSED') return encodeWithin(responseFor(query, 'SERVFAIL'), limit);
          return encodeWithin(h.fallback, limit);
        }
        const answer = await this.ask(buf, transport);
        return answer ?? encodeWithin(responseFor(query, 'SERVFAIL'), limit);
      }
      case 'chase':
        return encodeWithin(this.o.upstreams.length === 0 ? h.response : await this.chase(h, transport), limit);
    }
  }

  /** Our answer plus the upstream's records for the CNAME target outside the zone (and its rcode). */
  private async chase(h: Extract<Handling, { kind: 'chase' }>, transport: Transport): Promise<Packet> {
    const sub = dnsPacket.encode({
      type: 'query',
      id: randomInt(0, 65536),
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: h.target, type: h.qtype as 'A', class: 'IN' }],
    });
    const raw = await this.ask(sub, transport);
    const extra = raw ? decodeQuery(raw) : undefined;
    if (extra) {
      h.response.answers = [...(h.response.answers ?? []), ...(extra.answers ?? [])];
      h.response.flags = ((h.response.flags ?? 0) & ~0xf) | ((extra.flags ?? 0) & 0xf);
    }
    return h.response;
  }

  /** The first upstream's answer, or undefined when none answered in time. */
  private async ask(buf: Buffer, transport: Transport): Promise<Buffer | undefined> {
    for (const up of this.o.upstreams) {
      try {
        const out = await (transport === 'udp' ? forwardUdp(up, buf, this.o.upstreamTimeoutMs) : forwardTcp(up, buf, this.o.upstreamTimeoutMs));
        this.o.metrics.forwarded('success');
        return out;
      } catch (err) {
        this.o.metrics.forwarded('error');
        this.o.log.warn({ upstream: `${up.host}:${up.port}`, err }, 'upstream failed');
      }
    }
    return undefined;
  }
}
