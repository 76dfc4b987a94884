import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, dashedIp, ipFromDashed, labelsUnder, parseName, reverseName } from './names.js';

const Z = 'cluster.local';

describe('parseName', () => {
  const cases: Array<[string, ReturnType<typeof parseName>]> = [
    ['cluster.local', { kind: 'apex' }],
    ['Cluster.Local.', { kind: 'apex' }],
    ['dns-version.cluster.local', { kind: 'version' }],
    ['ns.dns.cluster.local', { kind: 'nameserver' }],
    ['svc.cluster.local', { kind: 'root', podOrSvc: 'svc' }],
    ['pod.cluster.local', { kind: 'root', podOrSvc: 'pod' }],
    ['default.svc.cluster.local', { kind: 'namespace', podOrSvc: 'svc', namespace: 'default' }],
    ['web.default.svc.cluster.local.', { kind: 'service', namespace: 'default', service: 'web' }],
    ['WEB.Default.SVC.cluster.local', { kind: 'service', namespace: 'default', service: 'web' }],
    ['web-0.web.default.svc.cluster.local', { kind: 'endpoint', namespace: 'default', service: 'web', endpoint: 'web-0' }],
    ['_http._tcp.web.default.svc.cluster.local', { kind: 'port', namespace: 'default', service: 'web', port: 'http', protocol: 'tcp' }],
    ['_tcp.web.default.svc.cluster.local', { kind: 'protocol', namespace: 'default', service: 'web', protocol: 'tcp' }],
    ['10-244-1-5.default.pod.cluster.local', { kind: 'pod', namespace: 'default', label: '10-244-1-5' }],
    ['1.0.96.10.in-addr.arpa', { kind: 'reverse', ip: '10.96.0.1', zone: 'in-addr.arpa' }],
    ['96.10.in-addr.arpa.', { kind: 'reverse-partial', zone: 'in-addr.arpa' }],
    ['1.0.96.300.in-addr.arpa', { kind: 'reverse-partial', zone: 'in-addr.arpa' }],
    ['foo.cluster.local', { kind: 'invalid' }],
    ['a.b.web.default.svc.cluster.local', { kind: 'invalid' }],
    ['x.y.default.pod.cluster.local', { kind: 'invalid' }],
    ['example.com', { kind: 'outside' }],
    ['notcluster.local', { kind: 'outside' }],
    ['local', { kind: 'outside' }],
  ];
  for (const [name, want] of cases) {
    test(name, () => assert.deepEqual(parseName(name, Z), want));
  }

  test('ip6.arpa names map to the compressed address', () => {
    const name = reverseName('fd00:10:96::a');
    assert.equal(name, 'a.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.6.9.0.0.0.1.0.0.0.0.d.f.ip6.arpa');
    assert.deepEqual(parseName(name, Z), { kind: 'reverse', ip: 'fd00:10:96::a', zone: 'ip6.arpa' });
  });
});

test('labelsUnder splits only at label boundaries', () => {
  assert.deepEqual(labelsUnder('a.b.cluster.local', Z), ['a', 'b']);
  assert.equal(labelsUnder('xcluster.local', Z), undefined);
  assert.deepEqual(labelsUnder('cluster.local.', Z), []);
});

test('reverse names of IPv4 addresses', () => {
  assert.equal(reverseName('10.96.0.10'), '10.0.96.10.in-addr.arpa');
});

test('dashed IPs round-trip, and junk is not an address', () => {
  assert.equal(dashedIp('10.244.1.5'), '10-244-1-5');
  assert.equal(ipFromDashed('10-244-1-5'), '10.244.1.5');
  assert.equal(ipFromDashed(dashedIp('fd00::1')), 'fd00::1');
  assert.equal(ipFromDashed('10-244-1'), undefined);
  assert.equal(ipFromDashed('10-244-1-256'), undefined);
  assert.equal(ipFromDashed('web-0'), undefined);
});

test('canonicalIp gives one spelling per address', () => {
  assert.equal(canonicalIp('FD00:0:0::0001'), 'fd00::1');
  assert.equal(canonicalIp('10.0.0.1'), '10.0.0.1');
  assert.equal(canonicalIp('None'), undefined);
});
