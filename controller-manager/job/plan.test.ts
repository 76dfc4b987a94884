import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { metaTime } from '../../api/time.js';
import { planJob } from './plan.js';
import { NOW, job, next, pod, sync, types } from './testing.js';

describe('Job controller decisions (syncJob)', () => {
  test('a new Job starts parallelism pods, capped by the completions left, and gets a startTime', () => {
    const p = planJob(job({ parallelism: 3, completions: 5 }, { succeeded: 3 }), [pod('Succeeded', { untracked: true }), pod('Succeeded', { untracked: true }), pod('Succeeded', { untracked: true })], { now: NOW });
    assert.equal(p.create, 2);
    assert.equal(p.status.startTime, metaTime(NOW));
    assert.deepEqual([p.status.active, p.status.succeeded, p.status.ready, p.status.terminating], [2, 3, 0, 0]);
  });

  test('completions reached: SuccessCriteriaMet, the lingering pod deleted uncounted, then Complete with completionTime', () => {
    const j = job({ parallelism: 2, completions: 1 }, { startTime: metaTime(NOW - 5000) });
    const running = pod('Running', { ready: true });
    const first = sync(j, [pod('Succeeded'), running]);
    assert.deepEqual(first.plan.remove, [running], 'the lingering pod is deleted, its finalizer removed first');
    assert.deepEqual(types(first.status), ['SuccessCriteriaMet'], 'one pod still terminating');
    assert.equal(first.status.succeeded, 1);
    const second = sync(next(j, first.status), [first.pods[0]!, pod('Running', { deleting: true, untracked: true })]);
    assert.deepEqual(types(second.status), ['SuccessCriteriaMet'], 'still terminating');
    const done = sync(next(j, second.status), [first.pods[0]!]);
    assert.deepEqual(types(done.status), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(done.status.completionTime, metaTime(NOW));
    assert.equal(done.status.conditions?.find((c) => c.type === 'Complete')?.reason, 'CompletionsReached');
    assert.equal(done.status.succeeded, 1, 'the deleted running pod is not counted as failed');
    assert.equal(done.status.failed, undefined);
    const after = planJob(next(j, done.status), [pod('Succeeded', { untracked: true })], { now: NOW + 1000 });
    assert.deepEqual([after.create, after.remove.length, after.status], [0, 0, done.status], 'a finished Job is left alone');
  });

  test('no completions (a work queue): done when one pod succeeded and the others finished; no new pods after a success', () => {
    const j = job({ parallelism: 2, completions: undefined });
    const p = planJob(j, [pod('Succeeded'), pod('Running')], { now: NOW });
    assert.deepEqual([p.create, p.remove.length, types(p.status)], [0, 0, []]);
    assert.deepEqual(types(sync(j, [pod('Succeeded'), pod('Succeeded')]).status), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(planJob(j, [], { now: NOW }).create, 2);
  });

  test('failures: replacements wait 10 s × 2^(failures−1); more than backoffLimit fails the Job', () => {
    const j = job({ backoffLimit: 2 });
    const failedAt = metaTime(NOW - 3000);
    const wait = sync(j, [pod('Failed', { finishedAt: failedAt }), pod('Failed', { finishedAt: failedAt })]);
    assert.equal(wait.plan.create, 0);
    assert.equal(wait.plan.requeueAfterMs, 20_000 - 3000);
    assert.equal(wait.status.failed, 2);
    assert.equal(planJob(j, [pod('Failed', { finishedAt: metaTime(NOW - 25_000) }), pod('Failed', { finishedAt: failedAt })], { now: NOW }).requeueAfterMs, 17_000, 'the newest failure counts');
    assert.equal(planJob(j, [pod('Failed', { finishedAt: failedAt })], { now: NOW, podFailureBackoffMs: 1000 }).create, 1);
    const over = sync(j, [pod('Failed'), pod('Failed'), pod('Failed')]);
    assert.deepEqual(types(over.status), ['FailureTarget', 'Failed']);
    assert.equal(over.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(over.status.failed, 3);
    assert.equal(over.status.completionTime, undefined);
  });

  test('restartPolicy OnFailure: container restarts count against backoffLimit', () => {
    const j = job({ backoffLimit: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } } });
    assert.deepEqual(types(planJob(j, [pod('Running', { restarts: 2 })], { now: NOW }).status), []);
    const over = planJob(j, [pod('Running', { restarts: 3 })], { now: NOW });
    assert.deepEqual(types(over.status), ['FailureTarget']);
    assert.equal(over.terminate.length, 1, 'deleted keeping the finalizer: counted as failed');
    assert.deepEqual(over.status.uncountedTerminatedPods?.failed, [over.terminate[0]?.metadata?.uid]);
  });

  test('activeDeadlineSeconds: requeued for the deadline, then DeadlineExceeded and the pods deleted', () => {
    const j = job({ activeDeadlineSeconds: 30 }, { startTime: metaTime(NOW - 20_000) });
    const before = planJob(j, [pod('Running')], { now: NOW });
    assert.ok(before.requeueAfterMs !== undefined && before.requeueAfterMs > 9_000 && before.requeueAfterMs <= 10_010);
    const after = planJob(j, [pod('Running')], { now: NOW + 10_000 });
    assert.equal(after.terminate.length, 1);
    assert.equal(after.status.conditions?.[0]?.reason, 'DeadlineExceeded');
  });

  test('suspend deletes the active pods, clears startTime and says Suspended; resume starts again', () => {
    const s = planJob(job({ suspend: true }, { startTime: metaTime(NOW - 1000) }), [pod('Running')], { now: NOW });
    assert.equal(s.remove.length, 1);
    assert.equal(s.status.startTime, undefined);
    assert.deepEqual(types(s.status), ['Suspended']);
    const r = planJob(job({ suspend: false }, s.status), [], { now: NOW });
    assert.equal(r.create, 1);
    assert.equal(r.status.conditions?.find((c) => c.type === 'Suspended')?.status, 'False');
  });

  test('lowering parallelism deletes the pods furthest from running first', () => {
    const ready = pod('Running', { ready: true });
    const pending = pod('Pending');
    const unscheduled = pod('Pending', { node: '' });
    const p = planJob(job({ parallelism: 1, completions: 5 }), [ready, pending, unscheduled], { now: NOW });
    assert.deepEqual(p.remove, [unscheduled, pending]);
    assert.equal(p.status.active, 1);
    assert.equal(p.status.terminating, 2);
  });

  test('with expectations unsatisfied nothing is created or deleted, but finished pods are still tracked', () => {
    const p = planJob(job({ parallelism: 2, completions: 3 }), [pod('Succeeded')], { now: NOW, manage: false });
    assert.deepEqual([p.create, p.remove.length, p.removeFinalizers.length], [0, 0, 1]);
  });
});
