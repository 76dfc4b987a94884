// Per workload kind: where it lives, how to read its rollout progress, which actions apply.
// Progress follows what `kubectl get` and `kubectl rollout status` read from status.
import type { KObject } from '../types.js';

type Num = number | undefined;
interface W extends KObject {
  spec?: { replicas?: Num; suspend?: boolean; schedule?: string; completions?: Num; parallelism?: Num };
  status?: {
    replicas?: Num; readyReplicas?: Num; updatedReplicas?: Num; availableReplicas?: Num; observedGeneration?: Num;
    desiredNumberScheduled?: Num; numberReady?: Num; updatedNumberScheduled?: Num; numberAvailable?: Num;
    currentReplicas?: Num; succeeded?: Num; failed?: Num; active?: Array<unknown> | Num; lastScheduleTime?: string;
  };
}

export interface Progress { desired: number; ready: number; updated: number; available: number; text: string }

export interface WorkloadKind {
  kind: string; title: string; prefix: string; resource: string; testid: string;
  scalable: boolean; restartable: boolean; undoable: boolean;
  progress(o: KObject): Progress;
}

const n = (v: Num) => v ?? 0;

function replicaProgress(o: KObject): Progress {
  const w = o as W;
  const desired = n(w.spec?.replicas ?? 1);
  const s = w.status ?? {};
  const ready = n(s.readyReplicas), updated = n(s.updatedReplicas ?? s.replicas), available = n(s.availableReplicas);
  const stale = s.observedGeneration !== undefined && (o.metadata['generation'] as number | undefined) !== undefined && s.observedGeneration < (o.metadata['generation'] as number);
  const done = !stale && updated === desired && ready === desired && n(s.replicas) === desired;
  return { desired, ready, updated, available, text: done ? 'complete' : `${updated} of ${desired} updated, ${ready} ready` };
}

function daemonProgress(o: KObject): Progress {
  const s = (o as W).status ?? {};
  const desired = n(s.desiredNumberScheduled), ready = n(s.numberReady), updated = n(s.updatedNumberScheduled), available = n(s.numberAvailable);
  return { desired, ready, updated, available, text: updated === desired && ready === desired ? 'complete' : `${updated} of ${desired} updated, ${ready} ready` };
}

function jobProgress(o: KObject): Progress {
  const w = o as W;
  const desired = n(w.spec?.completions ?? 1), done = n(w.status?.succeeded);
  const active = typeof w.status?.active === 'number' ? w.status.active : 0;
  const failed = n(w.status?.failed);
  return { desired, ready: done, updated: done, available: done, text: `${done}/${desired} succeeded, ${active} active${failed ? `, ${failed} failed` : ''}` };
}

function cronProgress(o: KObject): Progress {
  const w = o as W;
  const active = Array.isArray(w.status?.active) ? w.status.active.length : 0;
  const text = `${w.spec?.schedule ?? ''}${w.spec?.suspend ? ' (suspended)' : ''} · ${active} active · last ${w.status?.lastScheduleTime ?? 'never'}`;
  return { desired: 0, ready: 0, updated: 0, available: 0, text };
}

const wk = (kind: string, title: string, group: string, resource: string, testid: string, progress: (o: KObject) => Progress, a: Partial<WorkloadKind> = {}): WorkloadKind =>
  ({ kind, title, prefix: group, resource, testid, progress, scalable: false, restartable: false, undoable: false, ...a });

export const WORKLOAD_KINDS: WorkloadKind[] = [
  wk('Deployment', 'Deployments', '/apis/apps/v1', 'deployments', 'deploy-row', replicaProgress, { scalable: true, restartable: true, undoable: true }),
  wk('ReplicaSet', 'ReplicaSets', '/apis/apps/v1', 'replicasets', 'rs-row', replicaProgress, { scalable: true }),
  wk('ReplicationController', 'ReplicationControllers', '/api/v1', 'replicationcontrollers', 'rc-row', replicaProgress, { scalable: true }),
  wk('DaemonSet', 'DaemonSets', '/apis/apps/v1', 'daemonsets', 'ds-row', daemonProgress, { restartable: true }),
  wk('StatefulSet', 'StatefulSets', '/apis/apps/v1', 'statefulsets', 'sts-row', replicaProgress, { scalable: true, restartable: true }),
  wk('Job', 'Jobs', '/apis/batch/v1', 'jobs', 'job-row', jobProgress),
  wk('CronJob', 'CronJobs', '/apis/batch/v1', 'cronjobs', 'cronjob-row', cronProgress),
];
