// The Job controller's metrics (pkg/controller/job/metrics), under kube-controller-manager's
// names: pods finished (by completion mode and result), Jobs finished (and why), and failed
// pods a podFailurePolicy rule handled (by action).
import { Counter, type Registry } from 'prom-client';
import type { Job, JobCondition, JobStatus } from 'kubernetes-types/batch/v1';

interface JobMetrics {
  podsFinished: Counter<'completion_mode' | 'result'>;
  jobsFinished: Counter<'completion_mode' | 'result' | 'reason'>;
  policyActions: Counter<'action'>;
}

/** Registered once per registry (prom-client refuses a second metric of the same name; the controller is rebuilt per leadership term). */
const byRegistry = new WeakMap<Registry, JobMetrics>();

export function jobMetrics(registry: Registry): JobMetrics {
  let m = byRegistry.get(registry);
  if (m) return m;
  m = {
    podsFinished: new Counter({
      name: 'job_controller_job_pods_finished_total',
      help: 'The number of finished Pods that are fully tracked',
      labelNames: ['completion_mode', 'result'],
      registers: [registry],
    }),
    jobsFinished: new Counter({
      name: 'job_controller_job_finished_total',
      help: 'The number of finished jobs',
      labelNames: ['completion_mode', 'result', 'reason'],
      registers: [registry],
    }),
    policyActions: new Counter({
      name: 'job_controller_pod_failures_handled_by_failure_policy_total',
      help: 'The number of failed Pods handled by failure policy with respect to the failure policy action applied based on the matched rule',
      labelNames: ['action'],
      registers: [registry],
    }),
  };
  byRegistry.set(registry, m);
  return m;
}

/** recordJobPodFinished + recordJobFinished: what one sync changed, from the status before and after. */
export function recordJobSync(m: JobMetrics, job: Job, before: JobStatus, after: JobStatus, finished: JobCondition | undefined, actions: Readonly<Record<string, number>>): void {
  const mode = job.spec?.completionMode === 'Indexed' ? 'Indexed' : 'NonIndexed';
  const succeeded = (after.succeeded ?? 0) - (before.succeeded ?? 0);
  const failed = (after.failed ?? 0) - (before.failed ?? 0);
  if (succeeded > 0) m.podsFinished.inc({ completion_mode: mode, result: 'succeeded' }, succeeded);
  if (failed > 0) m.podsFinished.inc({ completion_mode: mode, result: 'failed' }, failed);
  if (finished) m.jobsFinished.inc({ completion_mode: mode, result: finished.type === 'Complete' ? 'succeeded' : 'failed', reason: finished.type === 'Complete' ? '' : finished.reason ?? '' });
  for (const [action, n] of Object.entries(actions)) if (n > 0) m.policyActions.inc({ action }, n);
}
