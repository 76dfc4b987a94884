// Job tracking with the `batch.kubernetes.io/job-tracking` finalizer (pkg/controller/job
// trackJobStatusAndRemoveFinalizers), pure. Every pod the controller creates carries the
// finalizer, so a finished pod cannot vanish before it is counted. A finished pod is first
// recorded in status.uncountedTerminatedPods (or, Indexed, in completedIndexes), that status is
// written, then its finalizer is removed, and only a pod whose finalizer is gone moves from the
// uncounted lists into succeeded/failed. Whatever fails in between, the next sync resumes from
// the written status: no pod is counted twice or lost.
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { completionIndex, formatIntervals, intervalsHave, intervalsTotal, parseIntervals, withIndexes, type Interval } from './indexed.js';
import { matchPodFailurePolicy } from './pod-failure-policy.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
/** MaxUncountedPods: at most this many pods are recorded per sync, keeping the status small. */
export const MAX_UNCOUNTED_PODS = 500;

export const podUid = (p: Pod): string => p.metadata?.uid ?? '';
export const hasTrackingFinalizer = (p: Pod): boolean => (p.metadata?.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
export const isIndexedJob = (job: Job): boolean => job.spec?.completionMode === 'Indexed';

/** Only Failed pods are replaced (podReplacementPolicy Failed, the default with a podFailurePolicy). */
export function onlyReplaceFailedPods(job: Job): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/** isPodFailed: Failed, or (unless only Failed pods count) being deleted without having succeeded. */
export function isPodFailed(pod: Pod, job: Job): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata?.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** A pod of an Indexed Job counts only with an index below completions. */
export function hasValidIndex(job: Job, pod: Pod): boolean {
  if (!isIndexedJob(job)) return true;
  const i = completionIndex(pod);
  return i >= 0 && i < (job.spec?.completions ?? 0);
}

/**
 * cleanUncountedPodsWithoutFinalizers: uncounted pods whose finalizer is gone (`withFinalizer`
 * no longer has them) are added to succeeded/failed and leave the lists. Mutates `status`.
 */
export function countUncounted(status: JobStatus, withFinalizer: ReadonlySet<string>): void {
  const u = (status.uncountedTerminatedPods ??= {});
  for (const key of ['succeeded', 'failed'] as const) {
    const list = u[key] ?? [];
    const left = list.filter((uid) => withFinalizer.has(uid));
    if (left.length !== list.length) status[key] = (status[key] ?? 0) + list.length - left.length;
    if (left.length > 0) u[key] = left;
    else delete u[key];
  }
}

export interface TrackingInput {
  job: Job;
  pods: readonly Pod[];
  /** Pods whose finalizer removal was sent but is not yet in the cache. */
  expectedRemovals: ReadonlySet<string>;
  /** SuccessCriteriaMet / FailureTarget, when the Job is finishing. */
  target?: JobCondition;
  /** Pods this sync deletes with their finalizer removed first (not counted). */
  removing: ReadonlySet<string>;
}

export interface TrackingResult {
  /** Pods whose finalizer goes, after the status is written. */
  removeFinalizers: Pod[];
  /** Tracked pods (finalizer present and not already being removed), by uid. */
  withFinalizer: Set<string>;
  /** Failed pods a podFailurePolicy rule handled, by action (for the metric). */
  policyActions: Record<string, number>;
  /** MAX_UNCOUNTED_PODS reached: more pods wait for the next sync, so the Job cannot finish in this one. */
  reachedMax: boolean;
}

/**
 * Records finished pods in `status` (uncounted lists; completedIndexes and succeeded for an
 * Indexed Job) and picks the pods whose finalizer may go: all of them when the Job is being
 * deleted or finishing, else the succeeded and failed ones. Mutates `status`.
 */
export function trackFinishedPods(status: JobStatus, input: TrackingInput): TrackingResult {
  const { job, expectedRemovals, target } = input;
  const indexed = isIndexedJob(job);
  const completions = job.spec?.completions ?? 0;
  const tracked = (p: Pod): boolean => hasTrackingFinalizer(p) && !expectedRemovals.has(podUid(p));
  const pods = indexed ? [...input.pods].sort((a, b) => completionIndex(a) - completionIndex(b)) : [...input.pods];
  const withFinalizer = new Set(pods.filter(tracked).map(podUid));
  countUncounted(status, withFinalizer);
  const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
  const prevIndexes: Interval[] = indexed ? parseIntervals(status.completedIndexes, completions) : [];
  const newIndexes: number[] = [];
  const removeFinalizers: Pod[] = [];
  const failing = target?.type === 'FailureTarget';
  let reachedMax = false;
  const policyActions: Record<string, number> = {};
  for (const pod of pods) {
    if (!tracked(pod) || input.removing.has(podUid(pod))) continue;
    const uid = podUid(pod);
    const failed = isPodFailed(pod, job);
    if (!(job.metadata?.deletionTimestamp || target || pod.status?.phase === 'Succeeded' || failed)) continue;
    removeFinalizers.push(pod);
    if (pod.status?.phase === 'Succeeded' && !uncounted.failed.includes(uid)) {
      if (indexed) {
        const ix = completionIndex(pod);
        if (hasValidIndex(job, pod) && !intervalsHave(prevIndexes, ix) && !newIndexes.includes(ix)) newIndexes.push(ix);
      } else if (!uncounted.succeeded.includes(uid)) uncounted.succeeded.push(uid);
    } else if ((failed || failing) && !uncounted.failed.includes(uid) && hasValidIndex(job, pod)) {
      // When the Job fails, every pod not yet finished counts as failed.
      const match = matchPodFailurePolicy(job.spec?.podFailurePolicy, pod);
      if (match.action) policyActions[match.action] = (policyActions[match.action] ?? 0) + 1;
      if (match.countFailed) uncounted.failed.push(uid);
    }
    if (newIndexes.length + uncounted.succeeded.length + uncounted.failed.length >= MAX_UNCOUNTED_PODS) {
      reachedMax = true;
      break;
    }
  }
  if (indexed) {
    const all = withIndexes(prevIndexes, [...newIndexes].sort((a, b) => a - b));
    status.completedIndexes = formatIntervals(all);
    const total = intervalsTotal(all);
    if (total > 0) status.succeeded = total;
    else delete status.succeeded;
  }
  status.uncountedTerminatedPods = {
    ...(uncounted.succeeded.length > 0 ? { succeeded: uncounted.succeeded } : {}),
    ...(uncounted.failed.length > 0 ? { failed: uncounted.failed } : {}),
  };
  return { removeFinalizers, withFinalizer, policyActions, reachedMax };
}

/**
 * After the finalizers of `removed` are gone: count them (countUncounted) and, when nothing is
 * left uncounted or terminating, add the final condition (enactJobFinished). Mutates `status`;
 * true when the Job has just finished.
 */
export function settleStatus(status: JobStatus, withFinalizer: ReadonlySet<string>, removed: ReadonlySet<string>, finish: JobCondition | undefined, terminating: number): boolean {
  countUncounted(status, new Set([...withFinalizer].filter((uid) => !removed.has(uid))));
  if (!finish) return false;
  const u = status.uncountedTerminatedPods ?? {};
  if ((u.succeeded?.length ?? 0) + (u.failed?.length ?? 0) > 0 || terminating > 0) return false;
  const conditions = status.conditions ?? [];
  if (!conditions.some((c) => c.type === finish.type && c.status === 'True')) status.conditions = [...conditions.filter((c) => c.type !== finish.type), finish];
  if (finish.type === 'Complete') status.completionTime = finish.lastTransitionTime;
  return true;
}
