import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { CidrSet, parseCIDR } from './cidrset.js';

describe('node IPAM: CIDR set', () => {
  test('parses and normalises CIDRs', () => {
    assert.deepEqual(parseCIDR('10.244.3.7/16'), { base: (10 * 256 + 244) * 65536, prefix: 16 });
    assert.equal(parseCIDR('10.244.0.0'), undefined);
    assert.equal(parseCIDR('fd00::/64'), undefined);
    assert.throws(() => new CidrSet('10.244.0.0/16', 8), /must be between/);
  });

  test('allocates /24 blocks of 10.244.0.0/16 in order, 256 of them, then none', () => {
    const set = new CidrSet('10.244.0.0/16', 24);
    assert.equal(set.maxCIDRs, 256);
    assert.equal(set.allocateNext(), '10.244.0.0/24');
    assert.equal(set.allocateNext(), '10.244.1.0/24');
    for (let i = 2; i < 256; i++) assert.ok(set.allocateNext());
    assert.equal(set.allocateNext(), undefined);
    set.release('10.244.7.0/24');
    assert.equal(set.allocateNext(), '10.244.7.0/24');
  });

  test('rebuilt from existing nodes: occupied blocks are never handed out again', () => {
    const set = new CidrSet('10.244.0.0/16', 24);
    assert.equal(set.occupy('10.244.0.0/24'), true);
    assert.equal(set.occupy('10.244.1.0/24'), true);
    assert.equal(set.occupy('10.245.0.0/24'), false, 'outside the cluster CIDR');
    assert.equal(set.occupy('10.244.2.0/25'), false, 'not a node-sized block');
    assert.equal(set.allocateNext(), '10.244.2.0/24');
    assert.equal(set.allocatedCount, 3);
  });

  test('a released block is reused only after the others (round robin)', () => {
    const set = new CidrSet('10.0.0.0/30', 31);
    assert.equal(set.allocateNext(), '10.0.0.0/31');
    set.release('10.0.0.0/31');
    assert.equal(set.allocateNext(), '10.0.0.2/31');
    assert.equal(set.allocateNext(), '10.0.0.0/31');
  });
});
