import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { cidrAddress, cidrContains, compareIPs, formatIP, ipToBigInt, parseCidr, parseIP } from './net.js';

describe('api/net', () => {
  it('parses dotted-quad IPv4 as decimal and IPv6', () => {
    assert.equal(parseIP('010.0.0.1')?.toString(), '10.0.0.1');
    assert.equal(parseIP('256.0.0.1'), undefined);
    assert.equal(parseIP('127.1'), undefined);
    assert.equal(parseIP('fd00::1')?.kind(), 'ipv6');
    assert.equal(parseIP('not-an-ip'), undefined);
  });
  it('parses CIDRs, clearing host bits', () => {
    const c = parseCidr('10.96.3.7/12');
    assert.deepEqual({ family: c.family, prefix: c.prefix, size: c.size, text: c.text }, { family: 'IPv4', prefix: 12, size: 1n << 20n, text: '10.96.0.0/12' });
    assert.equal(parseCidr('fd00:10:96::5/112').text, 'fd00:10:96::/112');
    for (const bad of ['10.0.0.0', '10.0.0.0/33', '10.0.0.0/x', '/8', 'fd00::/129']) assert.throws(() => parseCidr(bad), /invalid CIDR/);
  });
  it('tests membership and addresses within a CIDR', () => {
    const c = parseCidr('10.244.0.0/16');
    assert.equal(cidrContains(c, '10.244.255.255'), true);
    assert.equal(cidrContains(c, '10.245.0.0'), false);
    assert.equal(cidrContains(c, 'fd00::1'), false);
    assert.equal(cidrAddress(c, 257), '10.244.1.1');
    assert.equal(cidrAddress(parseCidr('fd00::/64'), 16n), 'fd00::10');
    assert.equal(formatIP(ipToBigInt('192.168.1.2')!.value, 'IPv4'), '192.168.1.2');
  });
  it('orders addresses numerically, IPv4 before IPv6, non-addresses last', () => {
    assert.deepEqual(['10.0.0.10', 'fd00::1', 'x', '10.0.0.9', '9.255.0.0'].sort(compareIPs), ['9.255.0.0', '10.0.0.9', '10.0.0.10', 'fd00::1', 'x']);
    assert.equal(compareIPs('010.0.0.1', '10.0.0.1'), 0);
    assert.ok(compareIPs('10.0.0.2', '10.0.0.10') < 0);
    assert.ok(compareIPs('300.0.0.1', '10.0.0.1') > 0);
  });
});
