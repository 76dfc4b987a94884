// Expectations, slow-start batches, option parsing, pod predicates, claim decisions, and the
// manager's --controllers resolution.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Pod } from 'kubernetes-types/core/v1';
import { ControllerExpectations, EXPECTATIONS_TTL_MS, isPodAvailable, nextAvailableInMs, slowStartBatch, slowStartBatchSizes } from './controller-utils.js';
import { durationOption, intOption } from '../options.js';
import { parseDurationMs } from '../../client/duration.js';
import { claimAction } from './controller-ref-manager.js';
import { enabledControllers } from '../manager.js';

describe('ControllerExpectations', () => {
  test('creations: unsatisfied until every expected create was observed', () => {
    const e = new ControllerExpectations();
    assert.ok(e.satisfied('ns/rs'), 'no expectations recorded');
    e.expectCreations('ns/rs', 3);
    assert.ok(!e.satisfied('ns/rs'));
    e.creationObserved('ns/rs');
    e.creationObserved('ns/rs');
    assert.ok(!e.satisfied('ns/rs'));
    e.creationObserved('ns/rs');
    assert.ok(e.satisfied('ns/rs'));
  });

  test('deletions are tracked per pod: seeing one pod deleted twice counts once', () => {
    const e = new ControllerExpectations();
    e.expectDeletions('ns/rs', ['ns/a', 'ns/b']);
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/a');
    e.deletionObserved('ns/rs', 'ns/unexpected');
    assert.ok(!e.satisfied('ns/rs'));
    assert.deepEqual(e.get('ns/rs'), { add: 0, del: 1 });
    e.deletionObserved('ns/rs', 'ns/b');
    assert.ok(e.satisfied('ns/rs'));
  });

  test('expectations expire after the TTL so a lost event cannot block a controller forever', () => {
    let now = 1_000_000;
    const e = new ControllerExpectations(() => now);
    e.expectCreations('ns/rs', 1);
    now += EXPECTATIONS_TTL_MS;
    assert.ok(!e.satisfied('ns/rs'));
    now += 1;
    assert.ok(e.satisfied('ns/rs'));
  });

  test('delete() forgets a controller', () => {
    const e = new ControllerExpectations();
    e.expectCreations('ns/rs', 5);
    e.delete('ns/rs');
    assert.ok(e.satisfied('ns/rs'));
  });
});

describe('slowStartBatch', () => {
  test('batches grow 1, 2, 4, 8, … up to what is left', () => {
    assert.deepEqual(slowStartBatchSizes(0), []);
    assert.deepEqual(slowStartBatchSizes(1), [1]);
    assert.deepEqual(slowStartBatchSizes(10), [1, 2, 4, 3]);
    assert.deepEqual(slowStartBatchSizes(500), [1, 2, 4, 8, 16, 32, 64, 128, 245]);
  });

  test('runs every call when all succeed', async () => {
    let calls = 0;
    const r = await slowStartBatch(10, 1, async () => {
      calls++;
    });
    assert.deepEqual(r, { successes: 10 });
    assert.equal(calls, 10);
  });

  test('stops after the first batch with a failure', async () => {
    let calls = 0;
    const r = await slowStartBatch(20, 1, async () => {
      calls++;
      if (calls === 5) throw new Error('quota');
    });
    // Batches 1, 2, then 4 (calls 4..7, the 5th fails): 7 calls, 6 successes.
    assert.equal(calls, 7);
    assert.equal(r.successes, 6);
    assert.match(String(r.error), /quota/);
  });
});

describe('options', () => {
  test('ints and Go durations', () => {
    const ctx = { options: { 'concurrent-replicaset-syncs': '7', grace: '40s', mixed: '1m30s', bare: 5, bad: 'x' } };
    assert.equal(intOption(ctx, 'concurrent-replicaset-syncs', 5), 7);
    assert.equal(intOption(ctx, 'missing', 5), 5);
    assert.equal(durationOption(ctx, 'grace', 0), 40_000);
    assert.equal(durationOption(ctx, 'mixed', 0), 90_000);
    assert.equal(durationOption(ctx, 'bare', 0), 5000);
    assert.throws(() => durationOption(ctx, 'bad', 0), /invalid duration/);
    assert.equal(parseDurationMs('250ms'), 250);
    assert.equal(parseDurationMs('1h'), 3_600_000);
    assert.equal(parseDurationMs('1.5s'), 1500);
    assert.equal(parseDurationMs('forty'), undefined);
  });
});

describe('pod availability', () => {
  const readyPod = (since: string): Pod => ({ status: { conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: since }] } });
  test('available once ready for minReadySeconds', () => {
    const now = Date.parse('2024-01-01T00:00:10Z');
    const p = readyPod('2024-01-01T00:00:05Z');
    assert.ok(isPodAvailable(p, 0, now));
    assert.ok(isPodAvailable(p, 4, now));
    assert.ok(!isPodAvailable(p, 5, now), 'exactly minReadySeconds is not yet available (strictly before now)');
    assert.ok(!isPodAvailable({ status: {} }, 0, now));
    assert.equal(nextAvailableInMs([p], 10, now), 5001);
    assert.equal(nextAvailableInMs([p], 2, now), undefined);
  });
});

describe('claimAction (ClaimObject)', () => {
  const owner = { uid: 'me', namespace: 'ns', deleting: false };
  const ref = (uid: string) => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'x', uid, controller: true });
  test('owned by us: keep when matching, release when not (unless we are being deleted)', () => {
    assert.equal(claimAction({ metadata: { namespace: 'ns', ownerReferences: [ref('me')] } }, owner, true), 'keep');
    assert.equal(claimAction({ metadata: { namespace: 'ns', ownerReferences: [ref('me')] } }, owner, false), 'release');
    assert.equal(claimAction({ metadata: { namespace: 'ns', ownerReferences: [ref('me')] } }, { ...owner, deleting: true }, false), 'ignore');
  });
  test('owned by someone else: ignore', () => {
    assert.equal(claimAction({ metadata: { namespace: 'ns', ownerReferences: [ref('other')] } }, owner, true), 'ignore');
  });
  test('orphans: adopt when matching and nobody is being deleted', () => {
    assert.equal(claimAction({ metadata: { namespace: 'ns' } }, owner, true), 'adopt');
    assert.equal(claimAction({ metadata: { namespace: 'ns' } }, owner, false), 'ignore');
    assert.equal(claimAction({ metadata: { namespace: 'ns' } }, { ...owner, deleting: true }, true), 'ignore');
    assert.equal(claimAction({ metadata: { namespace: 'ns', deletionTimestamp: '2024-01-01T00:00:00Z' } }, owner, true), 'ignore');
    assert.equal(claimAction({ metadata: { namespace: 'other' } }, owner, true), 'ignore');
  });
});

describe('--controllers', () => {
  const known = ['replicaset', 'deployment', 'endpoints', 'bootstrapsigner'];
  const off = new Set(['bootstrapsigner']);
  test('* enables those on by default; -name disables; name enables even an off-by-default one', () => {
    assert.deepEqual(enabledControllers(['*'], known, off), ['replicaset', 'deployment', 'endpoints']);
    assert.deepEqual(enabledControllers(['*', '-deployment'], known, off), ['replicaset', 'endpoints']);
    assert.deepEqual(enabledControllers(['*,bootstrapsigner'], known, off), known);
    assert.deepEqual(enabledControllers(['replicaset'], known, off), ['replicaset']);
    assert.deepEqual(enabledControllers(['deployment-controller', 'replicaset'], known, off), ['replicaset', 'deployment']);
    assert.deepEqual(enabledControllers(['-replicaset', 'replicaset'], known, off), [], 'an explicit disable wins');
  });
  test("kube-controller-manager's older names are aliases", () => {
    const names = ['garbage-collector', 'node-lifecycle', 'endpoints'];
    assert.deepEqual(enabledControllers(['*', '-garbagecollector', '-nodelifecycle-controller'], names, new Set()), ['endpoints']);
    assert.deepEqual(enabledControllers(['endpoint'], names, new Set()), ['endpoints']);
  });
  test('unknown names are an error', () => {
    assert.throws(() => enabledControllers(['*', 'nope'], known, off), /"nope" is not in the list of known controllers/);
  });
});
