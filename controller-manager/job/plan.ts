// The Job controller's decisions (pkg/controller/job syncJob + manageJob), pure: from a Job,
// the pods it owns and the finalizer removals still in flight, what to do now — create pods
// (Indexed: which indexes), delete some, remove tracking finalizers — the status to write
// before the finalizers go, and the final condition to add once every pod is counted.
// Counting follows the job-tracking finalizer (tracking.ts): succeeded/failed live in the
// status, so a finished pod deleted by hand is never lost.
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { isPodActive, isPodReady } from '../controller/controller-utils.js';
import { metaTime } from '../../api/time.js';
import { completionIndex, duplicateIndexPods, firstPendingIndexes, intervalsTotal, parseIntervals, withIndexes, type Interval } from './indexed.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';
import { hasTrackingFinalizer, hasValidIndex, isIndexedJob, isPodFailed, onlyReplaceFailedPods, podUid, trackFinishedPods } from './tracking.js';

/** Pod failure backoff (DefaultJobPodFailureBackOff, MaxJobPodFailureBackOff). */
export const DEFAULT_POD_FAILURE_BACKOFF_MS = 10_000;
export const MAX_POD_FAILURE_BACKOFF_MS = 10 * 60_000;
export const DEFAULT_BACKOFF_LIMIT = 6;
/** MaxPodCreateDeletePerSync. */
const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

export interface JobPlan {
  /** Pods to create now. */
  create: number;
  /** Indexed: the completion index of each pod to create (create === indexes.length). */
  indexes: number[];
  /** Active pods to delete with their finalizer removed first (surplus, suspend, repeated index): not counted. */
  remove: Pod[];
  /** Active pods to delete keeping the finalizer (the Job is finishing): counted as they end. */
  terminate: Pod[];
  /** Pods whose tracking finalizer goes, after `status` is written. */
  removeFinalizers: Pod[];
  /** Tracked pods (finalizer present, no removal in flight), for settleStatus. */
  withFinalizer: Set<string>;
  /** Failed pods a podFailurePolicy rule handled in this sync, by action. */
  policyActions: Record<string, number>;
  /** The status to write before the finalizers are removed. */
  status: JobStatus;
  /** Complete / Failed, added by settleStatus once nothing is uncounted or terminating. */
  finish?: JobCondition;
  /** Pods terminating after this sync's deletions. */
  terminating: number;
  /** Look again after this long (pod failure backoff, activeDeadlineSeconds). */
  requeueAfterMs?: number;
}

export interface PlanOptions {
  now: number;
  podFailureBackoffMs?: number;
  /** Pods whose finalizer removal was sent but not yet seen (finalizer expectations). */
  expectedRemovals?: ReadonlySet<string>;
  /** False while our own creates/deletes are not all visible, or the Job is being deleted: no pods created or deleted, and the Job does not finish. */
  manage?: boolean;
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

export function condition(type: string, reason: string, message: string, now: string): JobCondition {
  return { type, status: 'True', reason, message, lastProbeTime: now, lastTransitionTime: now };
}

/** getFailJobMessage: the message of the first failed pod a FailJob rule matches. */
function failJobMessage(job: Job, pods: readonly Pod[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p).failJobMessage;
    if (m !== undefined) return m;
  }
  return undefined;
}

interface Counts {
  succeeded: number;
  failed: number;
  /** Indexed: completedIndexes plus the indexes of succeeded pods not yet recorded. */
  succeededIndexes: Interval[];
}

/** succeeded/failed as syncJob counts them: the status, plus the uncounted lists, plus finished pods still carrying the finalizer. */
function currentCounts(job: Job, pods: readonly Pod[], expected: ReadonlySet<string>): Counts {
  const u = job.status?.uncountedTerminatedPods ?? {};
  const seen = new Set([...(u.succeeded ?? []), ...(u.failed ?? [])]);
  const fresh = pods.filter((p) => hasTrackingFinalizer(p) && !seen.has(podUid(p)) && !expected.has(podUid(p)) && hasValidIndex(job, p));
  const newFailed = fresh.filter((p) => isPodFailed(p, job) && matchPodFailurePolicy(job.spec?.podFailurePolicy, p).countFailed).length;
  const failed = (job.status?.failed ?? 0) + newFailed + (u.failed?.length ?? 0);
  if (isIndexedJob(job)) {
    const indexes = [...new Set(fresh.filter((p) => p.status?.phase === 'Succeeded').map(completionIndex))].sort((a, b) => a - b);
    const succeededIndexes = withIndexes(parseIntervals(job.status?.completedIndexes, job.spec?.completions ?? 0), indexes);
    return { succeeded: intervalsTotal(succeededIndexes), failed, succeededIndexes };
  }
  const succeeded = (job.status?.succeeded ?? 0) + fresh.filter((p) => p.status?.phase === 'Succeeded').length + (u.succeeded?.length ?? 0);
  return { succeeded, failed, succeededIndexes: [] };
}

/** The interim condition a Job finishing now gets, if any (syncJob's order: policy, backoff limit, deadline). */
function failureTarget(job: Job, pods: readonly Pod[], failed: number, now: number, nowStr: string): JobCondition | undefined {
  const spec = job.spec ?? { template: {} };
  const message = failJobMessage(job, pods);
  if (message !== undefined) return condition('FailureTarget', 'PodFailurePolicy', message, nowStr);
  const backoffLimit = spec.backoffLimit ?? DEFAULT_BACKOFF_LIMIT;
  if (failed > backoffLimit || pastBackoffLimitOnFailure(job, pods, backoffLimit)) {
    return condition('FailureTarget', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', nowStr);
  }
  const deadline = spec.activeDeadlineSeconds;
  const started = job.status?.startTime ? Date.parse(job.status.startTime) : now;
  if (spec.suspend !== true && deadline !== undefined && now - started >= deadline * 1000) {
    return condition('FailureTarget', 'DeadlineExceeded', 'Job was active longer than specified deadline', nowStr);
  }
  return undefined;
}

/**
 * One reconcile of a Job (syncJob). A finishing Job gets SuccessCriteriaMet / FailureTarget
 * and its active pods deleted; Complete / Failed follow (settleStatus) once every pod is
 * counted and none is terminating, as Kubernetes 1.31+ does.
 */
export function planJob(job: Job, pods: readonly Pod[], opts: PlanOptions): JobPlan {
  const { now } = opts;
  const nowStr = metaTime(now);
  const spec = job.spec ?? { template: {} };
  const status: JobStatus = structuredClone(job.status ?? {});
  const expected = opts.expectedRemovals ?? new Set<string>();
  const plan: JobPlan = { create: 0, indexes: [], remove: [], terminate: [], removeFinalizers: [], withFinalizer: new Set(), policyActions: {}, status, terminating: 0 };
  if (isJobFinished(job)) {
    // A finished Job counts nothing more: what still carries the finalizer just loses it.
    plan.removeFinalizers = pods.filter((p) => hasTrackingFinalizer(p) && !expected.has(podUid(p)));
    return plan;
  }
  const suspended = spec.suspend === true;
  const active = pods.filter(isPodActive);
  const counts = currentCounts(job, pods, expected);
  // startTime: when the Job first runs unsuspended; a suspended Job's timer starts again on resume.
  if (suspended) delete status.startTime;
  else status.startTime ??= nowStr;
  let conditions = [...(status.conditions ?? [])];

  let target = conditions.find((c) => (c.type === 'SuccessCriteriaMet' || c.type === 'FailureTarget') && c.status === 'True');
  target ??= failureTarget({ ...job, status }, pods, counts.failed, now, nowStr);
  let activeCount = active.length;
  let ready = active.filter(isPodReady).length;
  let terminating = pods.filter(isTerminating).length;
  if (target) {
    plan.terminate = active;
    terminating += active.length;
    activeCount = 0;
    ready = 0;
  } else {
    if (opts.manage !== false) {
      manageJob({ job, pods, active, counts, terminating }, plan, opts);
      const removed = plan.remove.length;
      activeCount += plan.create - removed;
      terminating += removed;
      ready -= plan.remove.filter(isPodReady).length;
    }
    const done = spec.completions === undefined || spec.completions === null ? counts.succeeded > 0 && activeCount === 0 : counts.succeeded >= spec.completions && activeCount === 0;
    if (done) target = condition('SuccessCriteriaMet', 'CompletionsReached', 'Reached expected number of succeeded pods', nowStr);
    else if (opts.manage !== false) conditions = suspendConditions(conditions, suspended, nowStr);
  }
  if (!target && !suspended && spec.activeDeadlineSeconds !== undefined) {
    const started = status.startTime ? Date.parse(status.startTime) : now;
    const left = started + spec.activeDeadlineSeconds * 1000 - now;
    plan.requeueAfterMs = Math.min(plan.requeueAfterMs ?? Infinity, Math.max(left, 0) + 10);
  }
  if (target && !conditions.some((c) => c.type === target.type && c.status === 'True')) conditions.push(target);
  if (conditions.length > 0) status.conditions = conditions;
  if (activeCount > 0) status.active = activeCount;
  else delete status.active;
  status.ready = Math.max(ready, 0);
  status.terminating = terminating;
  plan.terminating = terminating;

  const tracking = trackFinishedPods(status, { job, pods, expectedRemovals: expected, target, removing: new Set(plan.remove.map(podUid)) });
  plan.removeFinalizers = tracking.removeFinalizers;
  plan.withFinalizer = tracking.withFinalizer;
  plan.policyActions = tracking.policyActions;
  // Not finished while pods of ours may be missing from the cache, nor while pods wait to be recorded.
  if (target && opts.manage !== false && !tracking.reachedMax) plan.finish = condition(target.type === 'SuccessCriteriaMet' ? 'Complete' : 'Failed', target.reason ?? '', target.message ?? '', nowStr);
  for (const k of ['succeeded', 'failed'] as const) if (status[k] === 0) delete status[k];
  return plan;
}

function suspendConditions(conditions: JobCondition[], suspended: boolean, nowStr: string): JobCondition[] {
  const was = conditions.some((c) => c.type === 'Suspended' && c.status === 'True');
  if (suspended && !was) return [...conditions.filter((c) => c.type !== 'Suspended'), condition('Suspended', 'JobSuspended', 'Job suspended', nowStr)];
  if (!suspended && was) return conditions.map((c) => (c.type === 'Suspended' ? { ...c, status: 'False', reason: 'JobResumed', message: 'Job resumed', lastProbeTime: nowStr, lastTransitionTime: nowStr } : c));
  return conditions;
}

/** manageJob: keep the wanted number of pods active — delete the surplus, or create (after the failure backoff). Fills plan.remove / create / indexes. */
function manageJob(ctx: { job: Job; pods: readonly Pod[]; active: readonly Pod[]; counts: Counts; terminating: number }, plan: JobPlan, opts: PlanOptions): void {
  const { job, active, counts } = ctx;
  const spec = job.spec ?? { template: {} };
  const parallelism = spec.parallelism ?? 1;
  const indexed = isIndexedJob(job);
  const completions = spec.completions;
  let want: number;
  if (spec.suspend === true) want = 0;
  // A work queue (no completions): after the first success, leave what runs to finish, start nothing.
  else if (completions === undefined || completions === null) want = counts.succeeded > 0 ? active.length : parallelism;
  else want = Math.max(0, Math.min(parallelism, completions - counts.succeeded));

  // Indexed: pods without a valid index, or repeating one, go first.
  const remove = indexed ? duplicateIndexPods(active, completions ?? 0, rankForDeletion) : [];
  const atLeast = active.length - want;
  if (remove.length < atLeast) remove.push(...rankForDeletion(active.filter((p) => !remove.includes(p))).slice(0, atLeast - remove.length));
  if (remove.length > 0) {
    // Deleting and creating in one sync are exclusive: deletion first.
    plan.remove = remove.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    return;
  }
  const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
  let diff = Math.min(want - active.length - terminating, MAX_POD_CREATE_DELETE_PER_SYNC);
  if (diff <= 0) return;
  // After failures, new pods wait 10 s × 2^(failures−1), at most 10 min.
  const base = opts.podFailureBackoffMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS;
  const since = lastFailureAt(ctx.pods);
  const delay = counts.failed > 0 ? Math.min(base * 2 ** (counts.failed - 1), MAX_POD_FAILURE_BACKOFF_MS) : 0;
  const wait = since === undefined ? 0 : since + delay - opts.now;
  if (wait > 0) {
    plan.requeueAfterMs = wait;
    return;
  }
  if (indexed) {
    plan.indexes = firstPendingIndexes(active, counts.succeededIndexes, diff, completions ?? 0);
    diff = plan.indexes.length;
  }
  plan.create = diff;
}

/** Which active pods go first when there are too many: not yet scheduled, then not running, then not ready, then the newest. */
export function rankForDeletion(pods: readonly Pod[]): Pod[] {
  const score = (p: Pod): number => (!p.spec?.nodeName ? 0 : p.status?.phase === 'Pending' ? 1 : !isPodReady(p) ? 2 : 3);
  return [...pods].sort((a, b) => score(a) - score(b) || (b.metadata?.creationTimestamp ?? '').localeCompare(a.metadata?.creationTimestamp ?? ''));
}
