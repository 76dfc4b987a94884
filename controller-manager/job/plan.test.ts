import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { planJob } from './plan.js';
import { metaTime } from '../../api/time.js';

const NOW = Date.parse('2026-01-01T00:10:00Z');
const job = (spec: Partial<NonNullable<Job['spec']>> = {}, status: Job['status'] = {}): Job => ({
  metadata: { name: 'j', namespace: 'default', uid: 'u' },
  spec: { parallelism: 1, completions: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } }, ...spec },
  status,
});
let n = 0;
const pod = (phase: string, extra: { ready?: boolean; deleting?: boolean; finishedAt?: string; restarts?: number; node?: string } = {}): Pod => ({
  metadata: { name: `p${++n}`, namespace: 'default', creationTimestamp: metaTime(NOW - 60_000 + n), ...(extra.deleting ? { deletionTimestamp: metaTime(NOW) } : {}) },
  spec: { nodeName: extra.node ?? 'n1', containers: [{ name: 'c' }] },
  status: {
    phase,
    conditions: [{ type: 'Ready', status: extra.ready ? 'True' : 'False' }],
    containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!extra.ready, restartCount: extra.restarts ?? 0, ...(extra.finishedAt ? { state: { terminated: { exitCode: 1, finishedAt: extra.finishedAt } } } : {}) }],
  },
});
const types = (s: Job['status']): string[] => (s?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);

describe('Job controller decisions (syncJob)', () => {
  test('a new Job starts parallelism pods, capped by the completions left, and gets a startTime', () => {
    const p = planJob(job({ parallelism: 3, completions: 5 }), [pod('Succeeded'), pod('Succeeded'), pod('Succeeded')], { now: NOW });
    assert.equal(p.create, 2);
    assert.equal(p.status.startTime, metaTime(NOW));
    assert.deepEqual([p.status.active, p.status.succeeded, p.status.ready], [2, 3, 0]);
  });

  test('completions reached: SuccessCriteriaMet, then Complete with completionTime once no pod is left running', () => {
    const running = pod('Running', { ready: true });
    const first = planJob(job({ parallelism: 2, completions: 1 }, { startTime: metaTime(NOW - 5000) }), [pod('Succeeded'), running], { now: NOW });
    assert.deepEqual(first.remove, [running], 'the lingering pod is deleted');
    assert.deepEqual(types(first.status), ['SuccessCriteriaMet']);
    const second = planJob(job({ parallelism: 2, completions: 1 }, first.status), [pod('Succeeded'), pod('Running', { deleting: true })], { now: NOW });
    assert.deepEqual(types(second.status), ['SuccessCriteriaMet'], 'still terminating');
    const done = planJob(job({ parallelism: 2, completions: 1 }, second.status), [pod('Succeeded')], { now: NOW });
    assert.deepEqual(types(done.status), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(done.status.completionTime, metaTime(NOW));
    assert.equal(done.status.conditions?.find((c) => c.type === 'Complete')?.reason, 'CompletionsReached');
    const after = planJob(job({ parallelism: 2, completions: 1 }, done.status), [pod('Succeeded')], { now: NOW + 1000 });
    assert.deepEqual([after.create, after.remove.length, after.status], [0, 0, { ...done.status, ready: 0 }], 'a finished Job is left alone');
  });

  test('no completions (a work queue): done when one pod succeeded and the others finished; no new pods after a success', () => {
    const j = job({ parallelism: 2, completions: undefined });
    const p = planJob(j, [pod('Succeeded'), pod('Running')], { now: NOW });
    assert.deepEqual([p.create, p.remove.length, types(p.status)], [0, 0, []]);
    assert.deepEqual(types(planJob(j, [pod('Succeeded'), pod('Succeeded')], { now: NOW }).status), ['SuccessCriteriaMet', 'Complete']);
    assert.equal(planJob(j, [], { now: NOW }).create, 2);
  });

  test('failures: replacements wait 10 s × 2^(failures−1); more than backoffLimit fails the Job', () => {
    const j = job({ backoffLimit: 2 });
    const failedAt = metaTime(NOW - 3000);
    const wait = planJob(j, [pod('Failed', { finishedAt: failedAt }), pod('Failed', { finishedAt: failedAt })], { now: NOW });
    assert.equal(wait.create, 0);
    assert.equal(wait.requeueAfterMs, 20_000 - 3000);
    assert.equal(wait.status.failed, 2);
    assert.equal(planJob(j, [pod('Failed', { finishedAt: metaTime(NOW - 25_000) }), pod('Failed', { finishedAt: failedAt })], { now: NOW }).requeueAfterMs, 17_000, 'the newest failure counts');
    assert.equal(planJob(j, [pod('Failed', { finishedAt: failedAt })], { now: NOW, podFailureBackoffMs: 1000 }).create, 1);
    const over = planJob(j, [pod('Failed'), pod('Failed'), pod('Failed')], { now: NOW });
    assert.deepEqual(types(over.status), ['FailureTarget', 'Failed']);
    assert.equal(over.status.conditions?.find((c) => c.type === 'Failed')?.reason, 'BackoffLimitExceeded');
    assert.equal(over.status.completionTime, undefined);
  });

  test('restartPolicy OnFailure: container restarts count against backoffLimit', () => {
    const j = job({ backoffLimit: 3, template: { spec: { restartPolicy: 'OnFailure', containers: [{ name: 'c' }] } } });
    assert.deepEqual(types(planJob(j, [pod('Running', { restarts: 2 })], { now: NOW }).status), []);
    const over = planJob(j, [pod('Running', { restarts: 3 })], { now: NOW });
    assert.deepEqual(types(over.status), ['FailureTarget']);
    assert.equal(over.remove.length, 1);
  });

  test('activeDeadlineSeconds: requeued for the deadline, then DeadlineExceeded and the pods deleted', () => {
    const j = job({ activeDeadlineSeconds: 30 }, { startTime: metaTime(NOW - 20_000) });
    const before = planJob(j, [pod('Running')], { now: NOW });
    assert.ok(before.requeueAfterMs !== undefined && before.requeueAfterMs > 9_000 && before.requeueAfterMs <= 10_010);
    const after = planJob(j, [pod('Running')], { now: NOW + 10_000 });
    assert.equal(after.remove.length, 1);
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
  });
});
