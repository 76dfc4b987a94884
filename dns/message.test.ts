// Wire-level rules: header flags, EDNS, malformed and unsupported queries, truncation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import dnsPacket, { type Answer, type DecodedPacket } from 'dns-packet';
import type { Service } from 'kubernetes-types/core/v1';
import type { EndpointSlice } from 'kubernetes-types/discovery/v1';
import { Store } from '../client/index.js';
import { ListerClusterState, endpointSliceIndexers, serviceIndexers } from './cluster-state.js';
import { decodeQuery, encodeWithin, formatError, handleQuery, udpPayloadLimit, type Handling } from './message.js';
import { buildQuery } from './query.js';

const cfg = { zone: 'cluster.local', ttl: 5, podMode: 'insecure' as const };
const services = new Store<Service>(serviceIndexers);
const slices = new Store<EndpointSlice>(endpointSliceIndexers);
services.upsert({ metadata: { namespace: 'default', name: 'web' }, spec: { clusterIP: '10.96.0.20', ports: [{ name: 'http', port: 80 }] } });
// A headless service with 100 endpoints: its answer cannot fit 512 bytes.
services.upsert({ metadata: { namespace: 'default', name: 'big' }, spec: { clusterIP: 'None', ports: [{ name: 'p', port: 1 }] } });
slices.upsert({
  metadata: { namespace: 'default', name: 'big-1', labels: { 'kubernetes.io/service-name': 'big' } },
  addressType: 'IPv4',
  endpoints: Array.from({ length: 100 }, (_, i) => ({ addresses: [`10.244.1.${i + 1}`] })),
  ports: [{ name: 'p', port: 1, protocol: 'TCP' }],
});
const state = new ListerClusterState({ services, endpointSlices: slices });

function handle(buf: Buffer): Handling {
  const q = decodeQuery(buf);
  assert.ok(q);
  return handleQuery(q, state, cfg);
}

function replyOf(h: Handling): DecodedPacket & { rcode?: string } {
  assert.equal(h.kind, 'reply');
  return dnsPacket.decode(encodeWithin(h.kind === 'reply' ? h.response : {}, 65535)) as DecodedPacket & { rcode?: string };
}

test('a response copies id, question (case kept) and RD, and sets QR, AA and RA', () => {
  const r = replyOf(handle(buildQuery({ name: 'WeB.default.svc.cluster.local' }, 4242)));
  assert.equal(r.id, 4242);
  assert.equal(r.type, 'response');
  assert.equal(r.flag_aa, true);
  assert.equal(r.flag_rd, true);
  assert.equal(r.flag_ra, true);
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.questions, [{ name: 'WeB.default.svc.cluster.local', type: 'A', class: 'IN' }]);
  assert.deepEqual(r.answers?.map((a) => (a.type === 'A' ? a.data : '')), ['10.96.0.20']);
});

test('outside the zone: a forward decision whose fallback is REFUSED, not authoritative', () => {
  const h = handle(buildQuery({ name: 'example.com' }));
  assert.equal(h.kind, 'forward');
  const fallback = dnsPacket.decode(encodeWithin(h.kind === 'forward' ? h.fallback : {}, 512)) as DecodedPacket & { rcode?: string };
  assert.equal(fallback.rcode, 'REFUSED');
  assert.equal(fallback.flag_aa, false);
});

test('EDNS: the OPT record is echoed and the client\'s payload size bounded to 1232', () => {
  const q = decodeQuery(buildQuery({ name: 'web.default.svc.cluster.local', ednsPayload: 4096 }));
  assert.ok(q);
  assert.equal(udpPayloadLimit(q), 1232);
  assert.equal(udpPayloadLimit(decodeQuery(buildQuery({ name: 'x', ednsPayload: 100 })) as DecodedPacket), 512);
  assert.equal(udpPayloadLimit(decodeQuery(buildQuery({ name: 'x' })) as DecodedPacket), 512);
  const r = replyOf(handleQuery(q, state, cfg));
  assert.deepEqual(r.additionals?.map((a: Answer) => a.type), ['OPT']);
});

test('garbage with a header gets FORMERR with its id; shorter garbage and responses get silence', () => {
  const junk = Buffer.from([0x12, 0x34, 0x01, 0x00, 0, 1, 0, 0, 0, 0, 0, 0, 0xff]);
  assert.equal(decodeQuery(junk), undefined);
  const fe = formatError(junk);
  assert.ok(fe);
  const decoded = dnsPacket.decode(fe) as DecodedPacket & { rcode?: string };
  assert.equal(decoded.id, 0x1234);
  assert.equal(decoded.rcode, 'FORMERR');
  assert.equal(formatError(Buffer.from([1, 2, 3])), undefined);
  const response = dnsPacket.encode({ type: 'response', id: 1, questions: [{ name: 'x', type: 'A' }] });
  assert.equal(formatError(response), undefined);
  assert.equal(handle(response).kind, 'drop');
});

test('non-QUERY opcodes are NOTIMP; zero or two questions FORMERR; zone transfers REFUSED', () => {
  const notify = dnsPacket.encode({ type: 'query', id: 7, flags: 4 << 11, questions: [{ name: 'cluster.local', type: 'SOA' }] });
  assert.equal(replyOf(handle(notify)).rcode, 'NOTIMP');
  const none = dnsPacket.encode({ type: 'query', id: 8, questions: [] });
  assert.equal(replyOf(handle(none)).rcode, 'FORMERR');
  const two = dnsPacket.encode({ type: 'query', id: 9, questions: [{ name: 'a.cluster.local', type: 'A' }, { name: 'b.cluster.local', type: 'A' }] });
  assert.equal(replyOf(handle(two)).rcode, 'FORMERR');
  assert.equal(replyOf(handle(buildQuery({ name: 'cluster.local', type: 'AXFR' }))).rcode, 'REFUSED');
});

test('a UDP answer too big for 512 bytes drops glue, then answers, and sets TC; TCP carries it whole', () => {
  const h = handle(buildQuery({ name: 'big.default.svc.cluster.local' }));
  assert.equal(h.kind, 'reply');
  const response = h.kind === 'reply' ? h.response : {};
  const udp = encodeWithin(response, 512);
  assert.ok(udp.length <= 512);
  const small = dnsPacket.decode(udp);
  assert.equal(small.flag_tc, true);
  assert.ok((small.answers?.length ?? 0) < 100);
  const whole = dnsPacket.decode(encodeWithin(response, 65535));
  assert.equal(whole.flag_tc, false);
  assert.equal(whole.answers?.length, 100);
});

test('SRV glue is dropped before any answer when only the glue does not fit', () => {
  const h = handle(buildQuery({ name: '_p._tcp.big.default.svc.cluster.local', type: 'SRV' }));
  const response = h.kind === 'reply' ? h.response : {};
  assert.equal(response.additionals?.length, 100);
  const full = dnsPacket.encode(response).length;
  const withoutGlue = dnsPacket.encode({ ...response, additionals: [] }).length;
  const r = dnsPacket.decode(encodeWithin(response, Math.floor((full + withoutGlue) / 2)));
  assert.equal(r.flag_tc, false);
  assert.equal(r.answers?.length, 100);
  assert.equal(r.additionals?.length, 0);
});

test('record types we do not know (HTTPS = 65) are NODATA for existing names, not errors', () => {
  const r = replyOf(handle(dnsPacket.encode({ type: 'query', id: 3, questions: [{ name: 'web.default.svc.cluster.local', type: 'UNKNOWN_65' as 'A' }] })));
  assert.equal(r.rcode, 'NOERROR');
  assert.deepEqual(r.answers, []);
  assert.equal(r.questions?.[0].type, 'UNKNOWN_65');
  assert.deepEqual(r.authorities?.map((a) => a.type), ['SOA']);
});
