import assert from 'node:assert/strict';
import { test } from 'node:test';
import { leaderViolations, leaseSample, tenures } from './leases.js';
import { lastIdentity, metricsSayLeader } from './leader.js';
import { RvChecker } from './rv-check.js';

const t = (s: number): string => new Date(Date.UTC(2026, 0, 1, 0, 0, s)).toISOString().replace('Z', '000Z');
const lease = (holder: string, acquire: number, renew: number, transitions: number) =>
  leaseSample({ metadata: { namespace: 'kube-system', name: 'kube-scheduler' }, spec: { holderIdentity: holder, acquireTime: t(acquire), renewTime: t(renew), leaseDurationSeconds: 15, leaseTransitions: transitions } }, 0)!;

test('a takeover after the old leader stopped renewing is one leader at a time', () => {
  const h = [lease('a', 0, 0, 0), lease('a', 0, 2, 0), lease('a', 0, 4, 0), lease('b', 20, 20, 1), lease('b', 20, 22, 1)];
  assert.equal(tenures(h).length, 2);
  assert.deepEqual(leaderViolations(h), []);
});

test('a holder acquiring while the other still renewed is two leaders; transitions never drop', () => {
  const h = [lease('a', 0, 0, 0), lease('b', 3, 3, 1), lease('a', 0, 5, 0)];
  const v = leaderViolations(h);
  assert.equal(v.length, 2, v.join('\n'));
  assert.match(v[0]!, /b acquired at .* while a renewed until/);
  assert.match(v[1]!, /leaseTransitions went from 1 to 0/);
});

test('the same holder coming back later is a new tenure, not an overlap', () => {
  assert.deepEqual(leaderViolations([lease('a', 0, 4, 0), lease('b', 20, 30, 1), lease('a', 50, 52, 2)]), []);
});

test('RVs per object: equal on relist is fine, lower is a violation', () => {
  const c = new RvChecker();
  c.observe('ns/a', '10', 'watch');
  c.observe('ns/a', '10', 'list');
  c.observe('ns/b', '5', 'watch');
  c.observe('ns/a', '12', 'watch');
  c.observe('ns/a', '11', 'watch');
  assert.deepEqual(c.violations, [{ key: 'ns/a', from: '12', to: '11', via: 'watch' }]);
  assert.equal(c.events, 5);
});

test('leader from /metrics and from the log', () => {
  const m = '# HELP x\nleader_election_master_status{name="kube-scheduler"} 1\nleader_election_master_status{name="other"} 0\n';
  assert.equal(metricsSayLeader(m, 'kube-scheduler'), true);
  assert.equal(metricsSayLeader(m, 'other'), false);
  assert.equal(metricsSayLeader(m, 'kube-controller-manager'), undefined);
  assert.equal(lastIdentity('{"identity":"h_1"}\n{"msg":"x"}\n{"identity":"h_2","msg":"acquired lease"}\n'), 'h_2');
  assert.equal(lastIdentity('{}'), undefined);
});
