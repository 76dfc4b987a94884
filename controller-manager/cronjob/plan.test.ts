import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import { jobFromCronJob, jobNameFor, planCronJob, SCHEDULED_TIMESTAMP_ANNOTATION } from './plan.js';

const T = (s: string): number => Date.parse(s);
const cron = (spec: Partial<NonNullable<CronJob['spec']>> = {}, status: CronJob['status'] = {}): CronJob => ({
  metadata: { name: 'tick', namespace: 'default', uid: 'cj-uid', creationTimestamp: '2026-01-01T10:00:30Z' },
  spec: { schedule: '*/5 * * * *', jobTemplate: { metadata: { labels: { app: 'tick' } }, spec: { template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } } } }, ...spec },
  status,
});
const job = (name: string, state: 'active' | 'Complete' | 'Failed', start = '2026-01-01T10:05:00Z', completion?: string): Job => ({
  metadata: { name, namespace: 'default', uid: `${name}-uid`, creationTimestamp: start },
  spec: { template: {} },
  status: { startTime: start, ...(state === 'active' ? { active: 1 } : { conditions: [{ type: state, status: 'True' }], ...(completion ? { completionTime: completion } : {}) }) },
});

describe('CronJob controller decisions (syncCronJob)', () => {
  test('before the first scheduled time nothing starts; the requeue lands on it', () => {
    const p = planCronJob(cron(), [], T('2026-01-01T10:03:00Z'));
    assert.equal(p.start, undefined);
    assert.equal(p.requeueAfterMs, 2 * 60_000 + 100);
  });

  test('at the scheduled time a Job named <cronjob>-<minutes> starts, from the template', () => {
    const now = T('2026-01-01T10:05:02Z');
    const p = planCronJob(cron(), [], now);
    assert.equal(p.start, T('2026-01-01T10:05:00Z'));
    const j = jobFromCronJob(cron(), p.start!);
    assert.equal(j.metadata?.name, `tick-${T('2026-01-01T10:05:00Z') / 60_000}`);
    assert.equal(j.metadata?.name, jobNameFor(cron(), p.start!));
    assert.deepEqual(j.metadata?.labels, { app: 'tick' });
    assert.equal(j.metadata?.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION], '2026-01-01T10:05:00Z');
    assert.deepEqual(j.metadata?.ownerReferences?.[0], { apiVersion: 'batch/v1', kind: 'CronJob', name: 'tick', uid: 'cj-uid', controller: true, blockOwnerDeletion: true });
    assert.equal(j.spec?.template?.spec?.restartPolicy, 'Never');
  });

  test('missed runs: only the newest starts; a Job already made for it is not made again', () => {
    const p = planCronJob(cron({}, { lastScheduleTime: '2026-01-01T10:05:00Z' }), [], T('2026-01-01T10:21:00Z'));
    assert.equal(p.start, T('2026-01-01T10:20:00Z'));
    const made = job(jobNameFor(cron(), T('2026-01-01T10:20:00Z')), 'active', '2026-01-01T10:20:01Z');
    const again = planCronJob(cron({}, { lastScheduleTime: '2026-01-01T10:05:00Z' }), [made], T('2026-01-01T10:21:00Z'));
    assert.equal(again.start, undefined);
    assert.equal(again.status.lastScheduleTime, '2026-01-01T10:20:00Z');
    assert.equal(again.status.active?.[0]?.name, made.metadata?.name);
  });

  test('startingDeadlineSeconds: a run found too late is missed, with an event', () => {
    const p = planCronJob(cron({ startingDeadlineSeconds: 30 }, { lastScheduleTime: '2026-01-01T10:00:00Z' }), [], T('2026-01-01T10:06:00Z'));
    assert.equal(p.start, undefined);
    assert.equal(p.warnings.length, 0, 'nothing in the window: not even a miss to report');
    const late = planCronJob(cron({ startingDeadlineSeconds: 90 }, { lastScheduleTime: '2026-01-01T10:00:00Z' }), [], T('2026-01-01T10:06:00Z'));
    assert.equal(late.start, T('2026-01-01T10:05:00Z'));
  });

  test('concurrencyPolicy: Allow starts beside a running Job, Forbid waits, Replace deletes it first', () => {
    const running = job('tick-old', 'active');
    const now = T('2026-01-01T10:10:01Z');
    const last = { lastScheduleTime: '2026-01-01T10:05:00Z' };
    assert.equal(planCronJob(cron({}, last), [running], now).start, T('2026-01-01T10:10:00Z'));
    assert.equal(planCronJob(cron({ concurrencyPolicy: 'Forbid' }, last), [running], now).start, undefined);
    const r = planCronJob(cron({ concurrencyPolicy: 'Replace' }, last), [running], now);
    assert.equal(r.start, T('2026-01-01T10:10:00Z'));
    assert.deepEqual(r.replace, [running]);
  });

  test('suspend starts nothing; a bad schedule or time zone is a warning', () => {
    assert.equal(planCronJob(cron({ suspend: true }), [], T('2026-01-01T10:05:02Z')).start, undefined);
    assert.equal(planCronJob(cron({ schedule: '61 * * * *' }), [], T('2026-01-01T10:05:02Z')).warnings[0]?.[0], 'UnparseableSchedule');
    assert.equal(planCronJob(cron({ timeZone: 'Europe/Paris' }), [], T('2026-01-01T10:05:02Z')).warnings[0]?.[0], 'UnknownTimeZone');
  });

  test('status and history: active refs, lastSuccessfulTime, and only the newest 3 successes / 1 failure kept', () => {
    const jobs = [
      job('s1', 'Complete', '2026-01-01T09:00:00Z', '2026-01-01T09:00:10Z'),
      job('s2', 'Complete', '2026-01-01T09:05:00Z', '2026-01-01T09:05:10Z'),
      job('s3', 'Complete', '2026-01-01T09:10:00Z', '2026-01-01T09:10:10Z'),
      job('s4', 'Complete', '2026-01-01T09:15:00Z', '2026-01-01T09:15:10Z'),
      job('f1', 'Failed', '2026-01-01T09:20:00Z'),
      job('f2', 'Failed', '2026-01-01T09:25:00Z'),
      job('a1', 'active', '2026-01-01T09:30:00Z'),
    ];
    const p = planCronJob(cron({}, { lastScheduleTime: '2026-01-01T10:00:00Z' }), jobs, T('2026-01-01T10:01:00Z'));
    assert.deepEqual(p.cleanup.map((j) => j.metadata?.name), ['s1', 'f1']);
    assert.deepEqual(p.status.active?.map((r) => r.name), ['a1']);
    assert.equal(p.status.lastSuccessfulTime, '2026-01-01T09:15:10Z');
  });
});
