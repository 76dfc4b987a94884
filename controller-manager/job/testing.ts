// Fixtures for the Job controller's unit tests: Jobs, pods carrying the tracking finalizer, and
// `sync`, which plays one reconcile the way job.ts does (plan, status write, finalizer removal,
// settle) without an apiserver.
import type { Job, JobStatus } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { metaTime } from '../../api/time.js';
import { planJob, type JobPlan, type PlanOptions } from './plan.js';
import { JOB_TRACKING_FINALIZER, podUid, settleStatus } from './tracking.js';
import { COMPLETION_INDEX_ANNOTATION } from './indexed.js';

export const NOW = Date.parse('2026-01-01T00:10:00Z');

export const job = (spec: Partial<NonNullable<Job['spec']>> = {}, status: Job['status'] = {}): Job => ({
  metadata: { name: 'j', namespace: 'default', uid: 'u' },
  spec: { parallelism: 1, completions: 1, backoffLimit: 6, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c' }] } }, ...spec },
  status,
});

export interface PodExtra {
  ready?: boolean;
  deleting?: boolean;
  finishedAt?: string;
  restarts?: number;
  node?: string;
  exitCode?: number;
  index?: number;
  /** Without the tracking finalizer (already counted, or made by someone else). */
  untracked?: boolean;
  conditions?: { type: string; status: string }[];
}

let n = 0;
export const pod = (phase: string, extra: PodExtra = {}): Pod => {
  n++;
  const terminated = extra.finishedAt || extra.exitCode !== undefined ? { terminated: { exitCode: extra.exitCode ?? (phase === 'Succeeded' ? 0 : 1), ...(extra.finishedAt ? { finishedAt: extra.finishedAt } : {}) } } : undefined;
  return {
    metadata: {
      name: `p${n}`,
      namespace: 'default',
      uid: `uid-${n}`,
      creationTimestamp: metaTime(NOW - 60_000 + n),
      ...(extra.deleting ? { deletionTimestamp: metaTime(NOW) } : {}),
      ...(extra.untracked ? {} : { finalizers: [JOB_TRACKING_FINALIZER] }),
      ...(extra.index !== undefined ? { annotations: { [COMPLETION_INDEX_ANNOTATION]: String(extra.index) } } : {}),
    },
    spec: { nodeName: extra.node ?? 'n1', containers: [{ name: 'c' }] },
    status: {
      phase,
      conditions: [{ type: 'Ready', status: extra.ready ? 'True' : 'False' }, ...(extra.conditions ?? [])],
      containerStatuses: [{ name: 'c', image: 'i', imageID: '', ready: !!extra.ready, restartCount: extra.restarts ?? 0, ...(terminated ? { state: terminated } : {}) }],
    },
  };
};

export const types = (s: Job['status']): string[] => (s?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type);

export interface Synced {
  plan: JobPlan;
  /** The status after the finalizers were removed (what the second write stores). */
  status: JobStatus;
  /** The pods as they are afterwards: finalizers removed where the plan said so. */
  pods: Pod[];
}

/** One reconcile as job.ts runs it; `failRemoval` lists pods whose finalizer removal fails. */
export function sync(j: Job, pods: readonly Pod[], opts: Partial<PlanOptions> & { failRemoval?: readonly Pod[] } = {}): Synced {
  const plan = planJob(j, pods, { now: NOW, ...opts });
  const failing = new Set((opts.failRemoval ?? []).map(podUid));
  const removed = new Set(plan.removeFinalizers.map(podUid).filter((u) => !failing.has(u)));
  const status = structuredClone(plan.status);
  settleStatus(status, plan.withFinalizer, removed, plan.finish, plan.terminating);
  const after = pods.map((p) => (removed.has(podUid(p)) ? { ...p, metadata: { ...p.metadata, finalizers: (p.metadata?.finalizers ?? []).filter((f) => f !== JOB_TRACKING_FINALIZER) } } : p));
  return { plan, status, pods: after };
}

/** The Job with `status` as its new status. */
export const next = (j: Job, status: JobStatus): Job => ({ ...j, status });
