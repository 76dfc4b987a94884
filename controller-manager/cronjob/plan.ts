// The CronJob controller's decisions (cronjob_controllerv2 syncCronJob), pure: from a CronJob,
// the Jobs it owns and the time, which scheduled run (if any) to start now, which Jobs to
// replace or trim from history, its next status and when to look again.
import type { CronJob, CronJobStatus, Job } from 'kubernetes-types/batch/v1';
import type { ObjectReference } from 'kubernetes-types/core/v1';
import { CronError, nextAfter, parseSchedule } from './cron.js';
import { conditionTrue } from '../job/plan.js';
import { newControllerRef } from '../controller/controller-ref-manager.js';
import { metaTime } from '../../api/time.js';

/** How many missed start times are tolerated before the controller says so (k8s: 100). */
export const MAX_MISSED = 100;
export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

export interface CronJobPlan {
  /** The scheduled time (ms) to start a Job for now. */
  start?: number;
  /** Active Jobs to delete before starting (concurrencyPolicy Replace). */
  replace: Job[];
  /** Finished Jobs beyond the history limits, oldest first. */
  cleanup: Job[];
  status: CronJobStatus;
  requeueAfterMs?: number;
  /** Warning events to record (reason, message). */
  warnings: Array<[string, string]>;
}

/** `<cronjob>-<scheduled time in minutes since the epoch>`, as Kubernetes names them. */
export function jobNameFor(cj: CronJob, scheduledMs: number): string {
  return `${cj.metadata?.name ?? ''}-${Math.floor(scheduledMs / 60_000)}`;
}

const finished = (j: Job): 'Complete' | 'Failed' | undefined => (conditionTrue(j, 'Complete') ? 'Complete' : conditionTrue(j, 'Failed') ? 'Failed' : undefined);

function ref(j: Job): ObjectReference {
  return { apiVersion: 'batch/v1', kind: 'Job', name: j.metadata?.name, namespace: j.metadata?.namespace, uid: j.metadata?.uid, resourceVersion: j.metadata?.resourceVersion };
}

const startOf = (j: Job): string => j.status?.startTime ?? j.metadata?.creationTimestamp ?? '';

export function planCronJob(cj: CronJob, jobs: readonly Job[], now: number): CronJobPlan {
  const spec = cj.spec;
  const prev = cj.status ?? {};
  const plan: CronJobPlan = { replace: [], cleanup: [], status: { ...prev }, warnings: [] };
  const active = jobs.filter((j) => !finished(j) && !j.metadata?.deletionTimestamp);
  if (active.length > 0) plan.status.active = active.map(ref);
  else delete plan.status.active;
  const successes = jobs.filter((j) => finished(j) === 'Complete');
  const lastSuccess = successes.map((j) => j.status?.completionTime ?? '').filter(Boolean).sort().pop();
  if (lastSuccess && (!prev.lastSuccessfulTime || lastSuccess > prev.lastSuccessfulTime)) plan.status.lastSuccessfulTime = lastSuccess;

  // History: keep the newest successfulJobsHistoryLimit (3) and failedJobsHistoryLimit (1).
  const trim = (list: Job[], keep: number): Job[] => [...list].sort((a, b) => startOf(a).localeCompare(startOf(b))).slice(0, Math.max(0, list.length - keep));
  plan.cleanup = [
    ...trim(successes.filter((j) => !j.metadata?.deletionTimestamp), spec?.successfulJobsHistoryLimit ?? 3),
    ...trim(jobs.filter((j) => finished(j) === 'Failed' && !j.metadata?.deletionTimestamp), spec?.failedJobsHistoryLimit ?? 1),
  ];

  if (!spec || cj.metadata?.deletionTimestamp) return plan;
  let schedule;
  try {
    schedule = parseSchedule(spec.schedule);
  } catch (e) {
    plan.warnings.push(['UnparseableSchedule', `unparseable schedule: ${JSON.stringify(spec.schedule)} : ${e instanceof CronError ? e.message : String(e)}`]);
    return plan;
  }
  if (spec.timeZone && !['UTC', 'Etc/UTC', 'Etc/GMT', 'GMT'].includes(spec.timeZone)) {
    plan.warnings.push(['UnknownTimeZone', `time zone ${spec.timeZone} is not supported here: tskube schedules in UTC`]);
    return plan;
  }
  if (spec.suspend) return plan;

  // Every start time missed since the last one (or since creation), the newest wins.
  let earliest = Date.parse(prev.lastScheduleTime ?? cj.metadata?.creationTimestamp ?? '') || now;
  const deadline = spec.startingDeadlineSeconds;
  if (deadline !== undefined && deadline !== null) earliest = Math.max(earliest, now - deadline * 1000);
  let mostRecent: number | undefined;
  let missed = 0;
  for (let t = nextAfter(schedule, earliest); t !== undefined && t <= now; t = nextAfter(schedule, t)) {
    mostRecent = t;
    if (++missed > MAX_MISSED) {
      // Too many to walk one by one: jump to the newest before now.
      plan.warnings.push(['TooManyMissedTimes', 'too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew']);
      let last = t;
      for (let u = nextAfter(schedule, now - 366 * 86_400_000); u !== undefined && u <= now; u = nextAfter(schedule, u)) last = u;
      mostRecent = last;
      break;
    }
  }
  const next = nextAfter(schedule, now);
  if (next !== undefined) plan.requeueAfterMs = next - now + 100;
  if (mostRecent === undefined) return plan;
  if (deadline !== undefined && deadline !== null && mostRecent + deadline * 1000 < now) {
    plan.warnings.push(['MissSchedule', `Missed scheduled time to start a job: ${metaTime(mostRecent)}`]);
    return plan;
  }
  const name = jobNameFor(cj, mostRecent);
  if (jobs.some((j) => j.metadata?.name === name)) {
    plan.status.lastScheduleTime = metaTime(mostRecent);
    return plan;
  }
  if (active.length > 0 && spec.concurrencyPolicy === 'Forbid') return plan;
  if (active.length > 0 && spec.concurrencyPolicy === 'Replace') plan.replace = active;
  plan.start = mostRecent;
  return plan;
}

/** The Job for one scheduled run (getJobFromTemplate2): the template, a name, the controller ref. */
export function jobFromCronJob(cj: CronJob, scheduledMs: number): Job {
  const tmpl = cj.spec?.jobTemplate ?? {};
  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: {
      name: jobNameFor(cj, scheduledMs),
      namespace: cj.metadata?.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) },
      annotations: { ...(tmpl.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: metaTime(scheduledMs) },
      ownerReferences: [newControllerRef(cj, { apiVersion: 'batch/v1', kind: 'CronJob' })],
    },
    spec: structuredClone(tmpl.spec ?? { template: {} }),
  };
}
