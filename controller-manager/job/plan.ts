// The Job controller's decisions (pkg/controller/job syncJob), pure: from a Job and the pods it
// owns, what to do now — create pods, delete some, finish the Job — and its next status.
// NonIndexed completion mode; pods are counted as they exist (Kubernetes' legacy tracking,
// without the job-tracking finalizer), so a pod removed by hand is no longer counted.
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isPodActive, isPodReady } from '../controller/controller-utils.js';
import { metaTime } from '../../api/time.js';

/** Pod failure backoff (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff). */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
export const DEFAULT_BACKOFF_LIMIT = 6;

export type FinishType = 'Complete' | 'Failed';

export interface JobPlan {
  /** Pods to create now. */
  create: number;
  /** Active pods to delete now (surplus, or all of them when the Job is finishing). */
  remove: Pod[];
  /** The status to write (conditions, counts, times). */
  status: JobStatus;
  /** Look again after this long (pod failure backoff, activeDeadlineSeconds). */
  requeueAfterMs?: number;
}

export interface PlanOptions {
  now: number;
  podFailureBackoffMs?: number;
}

const isTerminating = (p: Pod): boolean => !!p.metadata?.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';

export function conditionTrue(job: Job, type: string): boolean {
  return (job.status?.conditions ?? []).some((c) => c.type === type && c.status === 'True');
}

/** Complete or Failed is set: the Job is done for good. */
export function isJobFinished(job: Job): boolean {
  return conditionTrue(job, 'Complete') || conditionTrue(job, 'Failed');
}

/** Container restarts of running/pending pods, for restartPolicy OnFailure (pastBackoffLimitOnFailure). */
function pastBackoffLimitOnFailure(job: Job, pods: readonly Pod[], limit: number): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const s of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += s.restartCount ?? 0;
  }
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** When the newest failed pod finished (its containers' finishedAt, else its last condition). */
function lastFailureAt(pods: readonly Pod[]): number | undefined {
  let last: number | undefined;
  for (const p of pods) {
    if (p.status?.phase !== 'Failed') continue;
    const times = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]
      .map((s) => s.state?.terminated?.finishedAt)
      .concat((p.status?.conditions ?? []).map((c) => c.lastTransitionTime))
      .filter((t): t is string => !!t)
      .map((t) => Date.parse(t))
      .filter((t) => !Number.isNaN(t));
    if (times.length > 0) last = Math.max(last ?? 0, ...times);
  }
  return last;
}

function condition(type: string, reason: string, message: string, now: string): JobCondition {
  return { type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now };
}

function withCondition(conditions: readonly JobCondition[], c: JobCondition): JobCondition[] {
  return conditions.some((x) => x.type === c.type && x.status === 'True') ? [...conditions] : [...conditions, c];
}


/**
 * One reconcile of a Job. Success (completions reached) or failure (backoffLimit, deadline)
 * first sets SuccessCriteriaMet / FailureTarget and deletes the active pods; Complete / Failed
 * follow once none of its pods is still terminating, as Kubernetes 1.31+ does.
 * Kept whole (~90 lines): it reads top to bottom in syncJob's decision order, all steps sharing the counts and conditions.
 */
export function planJob(job: Job, pods: readonly Pod[], opts: PlanOptions): JobPlan {
  const { now } = opts;
  const nowStr = metaTime(now);
  const spec = job.spec ?? { template: {} };
  const prev = job.status ?? {};
  const active = pods.filter(isPodActive);
  const terminating = pods.filter(isTerminating).length;
  const succeeded = pods.filter((p) => p.status?.phase === 'Succeeded').length;
  const failed = pods.filter((p) => p.status?.phase === 'Failed').length;
  const suspended = spec.suspend === true;
  const backoffLimit = spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  let conditions = [...(prev.conditions ?? [])];

  const status: JobStatus = {
    ...prev,
    ready: active.filter(isPodReady).length,
  };
  const counts = (a: number): void => {
    for (const [k, v] of [['active', a], ['succeeded', succeeded], ['failed', failed]] as const) {
      if (v > 0) status[k] = v;
      else delete status[k];
    }
  };
  const plan: JobPlan = { create: 0, remove: [], status };

  if (isJobFinished(job)) {
    counts(active.length);
    return plan;
  }
  // startTime: when the Job first runs unsuspended; a suspended Job's timer starts again on resume.
  if (suspended) delete status.startTime;
  else status.startTime ??= nowStr;
  const started = status.startTime ? Date.parse(status.startTime) : now;

  // Finishing: a target condition is set; once nothing terminates, the final one follows.
  let target = conditions.find((c) => (c.type === 'SuccessCriteriaMet' || c.type === 'FailureTarget') && c.status === 'True');
  if (!target) {
    const deadline = spec.activeDeadlineSeconds;
    if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods, backoffLimit)) {
      target = condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', nowStr);
    } else if (!suspended && deadline !== undefined && now - started >= deadline * 1000) {
      target = condition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', nowStr);
    } else if (spec.completions !== undefined && spec.completions !== null ? succeeded >= spec.completions : succeeded > 0 && active.length === 0) {
      target = condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', nowStr);
    }
    if (target) conditions = withCondition(conditions, target);
  }
  if (target) {
    plan.remove = active;
    if (active.length === 0 && terminating === 0) {
      const final = target.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed';
      conditions = withCondition(conditions, condition(final, target.reason ?? '', target.message ?? '', nowStr));
      if (final === 'Complete') status.completionTime = nowStr;
    }
    counts(0);
    status.conditions = conditions;
    return plan;
  }

  // Running: keep the wanted number of pods active.
  const parallelism = spec.parallelism ?? 1;
  let want: number;
  if (suspended) want = 0;
  // A work queue (no completions): after the first success, leave what runs to finish, start nothing.
  else if (spec.completions === undefined || spec.completions === null) want = succeeded > 0 ? active.length : parallelism;
  else want = Math.max(0, Math.min(parallelism, spec.completions - succeeded));
  if (active.length > want) {
    plan.remove = rankForDeletion(active).slice(0, active.length - want);
  } else if (active.length < want) {
    // After failures, new pods wait 10 s × 2^(failures−1), at most 10 min.
    const base = opts.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
    const since = lastFailureAt(pods);
    const delay = failed > 0 ? Math.min(base * 2 ** (failed - 1), MAX_POD_FAILURE_BACKOFF_MS) : 0;
    const wait = since === undefined ? 0 : since + delay - now;
    if (wait > 0) plan.requeueAfterMs = wait;
    else plan.create = want - active.length;
  }
  if (!suspended && spec.activeDeadlineSeconds !== undefined) {
    const left = started + spec.activeDeadlineSeconds * 1000 - now;
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, Math.max(left, 0) + 10);
  }
  const wasSuspended = conditionTrue(job, 'Suspended');
  if (suspended && !wasSuspended) {
    conditions = conditions.filter((c) => c.type !== 'Suspended');
    conditions.push(condition('Suspended', 'JobSuspended', 'Job suspended', nowStr));
  } else if (!suspended && wasSuspended) {
    conditions = conditions.map((c) => (c.type === 'Suspended' ? { ...c, status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: nowStr, lastTransitionTime: nowStr } : c));
  }
  counts(active.length - plan.remove.length + plan.create);
  if (conditions.length > 0) status.conditions = conditions;
  return plan;
}

/** Which active pods go first when there are too many: not yet scheduled, then not running, then not ready, then the newest. */
function rankForDeletion(pods: readonly Pod[]): Pod[] {
  const score = (p: Pod): number => (!p.spec?.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !isPodReady(p) ? 2 : 3);
  return [...pods].sort((a, b) => score(a) - score(b) || (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
}
