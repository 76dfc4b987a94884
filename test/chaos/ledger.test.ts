import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Ledger, checkLedger, counterState } from './ledger.js';

function ledger(): Ledger {
  const l = new Ledger();
  l.ackCreate('a');
  l.ackCreate('counter-0');
  for (const op of ['w0.1', 'w1.2', 'w0.3']) l.sendOp(op);
  l.ackOp('counter-0', 'w0.1');
  l.ackOp('counter-0', 'w1.2');
  l.ambiguousOp('counter-0', 'w0.3');
  return l;
}

test('everything acked is there: no violation (an ambiguous op may or may not be in)', () => {
  const l = ledger();
  for (const ops of [['w0.1', 'w1.2'], ['w1.2', 'w0.3', 'w0.1']]) {
    const counters = new Map([['counter-0', { count: ops.length, ops }]]);
    assert.deepEqual(checkLedger(l.snapshot(), l.sentOps, new Set(['a', 'counter-0']), counters), []);
  }
});

test('a lost create, a lost update, a wrong count, a double apply and a phantom are each reported', () => {
  const l = ledger();
  const v = checkLedger(l.snapshot(), l.sentOps, new Set(['counter-0']), new Map([['counter-0', { count: 4, ops: ['w0.1', 'w0.1', 'x9'] }]]));
  assert.equal(v.length, 5, v.join('\n'));
  assert.match(v[0]!, /1 acked creates lost \(a\)/);
  assert.match(v[1]!, /1 acked increments lost \(w1\.2\)/);
  assert.match(v[2]!, /count 4 but 3/);
  assert.match(v[3]!, /applied twice/);
  assert.match(v[4]!, /nobody sent \(x9\)/);
});

test('counter state from ConfigMap data', () => {
  assert.deepEqual(counterState({ count: '2', ops: 'w0.1,w1.2' }), { count: 2, ops: ['w0.1', 'w1.2'] });
  assert.deepEqual(counterState(undefined), { count: 0, ops: [] });
});
