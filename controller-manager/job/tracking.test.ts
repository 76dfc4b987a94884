import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { metaTime } from '../../api/time.js';
import { planJob } from './plan.js';
import { job, next, NOW, pod, sync, types } from './testing.js';

describe('Job tracking with the job-tracking finalizer (trackJobStatusAndRemoveFinalizers)', () => {
  test('a succeeded pod is recorded as uncounted, its finalizer removed, then counted', () => {
    const p = pod('Succeeded');
    const { plan, status } = sync(job({ completions: 2, parallelism: 1 }), [p]);
    assert.deepEqual(plan.status.uncountedTerminatedPods, { succeeded: [p.metadata?.uid] }, 'the first write records it');
    assert.equal(plan.status.succeeded, undefined, 'not counted before its finalizer is gone');
    assert.deepEqual(plan.removeFinalizers, [p]);
    assert.equal(status.succeeded, 1, 'counted once the finalizer is gone');
    assert.deepEqual(status.uncountedTerminatedPods, {});
  });

  test('a failed finalizer removal keeps the pod uncounted; the next sync neither loses nor doubles it', () => {
    const j = job({ completions: 3, parallelism: 1 });
    const p = pod('Succeeded');
    const first = sync(j, [p], { failRemoval: [p] });
    assert.equal(first.status.succeeded, undefined);
    assert.deepEqual(first.status.uncountedTerminatedPods?.succeeded, [p.metadata?.uid]);
    const second = sync(next(j, first.status), [p]);
    assert.deepEqual(second.plan.status.uncountedTerminatedPods?.succeeded, [p.metadata?.uid], 'listed once');
    assert.equal(second.status.succeeded, 1);
    const third = sync(next(j, second.status), second.pods);
    assert.equal(third.status.succeeded, 1, 'a pod without the finalizer is not counted again');
  });

  test('a removal still in flight (stale cache) is not counted again', () => {
    const j = job({ completions: 3, parallelism: 1 });
    const p = pod('Succeeded');
    const first = sync(j, [p]);
    const stale = sync(next(j, first.status), [p], { expectedRemovals: new Set([p.metadata?.uid ?? '']) });
    assert.equal(stale.status.succeeded, 1);
    assert.deepEqual(stale.plan.removeFinalizers, []);
  });

  test('deleting a counted pod does not lower succeeded; a deleted uncounted pod still counts (its finalizer held it)', () => {
    const j = job({ completions: 3, parallelism: 1 });
    const a = pod('Succeeded');
    const first = sync(j, [a]);
    const gone = sync(next(j, first.status), []);
    assert.equal(gone.status.succeeded, 1, 'the pod object is gone, the count stays');
    const b = pod('Succeeded', { deleting: true });
    const held = sync(next(j, gone.status), [b]);
    assert.equal(held.status.succeeded, 2, 'a succeeded pod deleted before counting is counted, then released');
    assert.deepEqual(held.plan.removeFinalizers, [b]);
  });

  test('a running pod deleted by someone else counts as failed (TerminatingOrFailed) and is replaced', () => {
    const j = job({ completions: 1, parallelism: 1 });
    const p = pod('Running', { deleting: true });
    const { plan, status } = sync(j, [p]);
    assert.deepEqual(plan.removeFinalizers, [p]);
    assert.equal(status.failed, 1);
    assert.equal(plan.terminating, 1);
  });

  test('with podReplacementPolicy Failed a terminating pod is neither failed nor replaced yet', () => {
    const j = job({ completions: 1, parallelism: 1, podReplacementPolicy: 'Failed' });
    const plan = planJob(j, [pod('Running', { deleting: true })], { now: NOW, podFailureBackoffMs: 0 });
    assert.deepEqual([plan.create, plan.removeFinalizers.length, plan.status.failed], [0, 0, undefined]);
  });

  test('a Job being deleted releases every pod; a finished Job releases what still has the finalizer', () => {
    const deleting = { ...job(), metadata: { ...job().metadata, deletionTimestamp: metaTime(NOW) } };
    const running = pod('Running');
    assert.deepEqual(planJob(deleting, [running], { now: NOW, manage: false }).removeFinalizers, [running]);
    const finished = job({}, { conditions: [{ type: 'Complete', status: 'True' }] });
    const left = pod('Succeeded');
    const p = planJob(finished, [left, pod('Succeeded', { untracked: true })], { now: NOW });
    assert.deepEqual(p.removeFinalizers, [left]);
    assert.deepEqual(p.status, finished.status);
  });

  test('Complete waits until nothing is uncounted', () => {
    const j = job({ completions: 1, parallelism: 1 });
    const p = pod('Succeeded');
    const first = sync(j, [p], { failRemoval: [p] });
    assert.deepEqual(types(first.status), ['SuccessCriteriaMet'], 'one pod still uncounted');
    const second = sync(next(j, first.status), [p]);
    assert.deepEqual(types(second.status), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(second.status.succeeded, 1);
  });
});

test('a Job does not finish while its own pod creations are not all visible (expectations unsatisfied)', () => {
  const j = job({ completions: 1, parallelism: 1 });
  const unsatisfied = sync(j, [pod('Succeeded')], { manage: false });
  assert.deepEqual(types(unsatisfied.status), ['SuccessCriteriaMet']);
  assert.deepEqual(types(sync(next(j, unsatisfied.status), unsatisfied.pods).status), ['SuccessCriteriaMet', 'Complete']);
});
