// The TTL-after-finished controller (pkg/controller/ttlafterfinished): a Job that has finished
// (Complete or Failed) and sets `spec.ttlSecondsAfterFinished` is deleted, with its pods
// (Foreground propagation, as upstream), that many seconds after it finished. A Job not yet due
// is queued again for when it will be; the decision is re-made on the current object, so a TTL
// changed meanwhile is honoured.
import type { Job } from 'kubernetes-types/batch/v1';
import { WorkQueue, isNotFound, type SharedInformer } from '../client/index.js';
import { controllerFlags, intFlag, type FlagDeclarations } from './options.js';
import type { Controller, ControllerContext } from './controller.js';
import { conditionTrue, isJobFinished } from './job/plan.js';
import { runQueue } from './run-queue.js';

/** When the Job finished: the finishing condition's transition time (completionTime for Complete). */
export function finishTime(job: Job): Date | undefined {
  const cond = (job.status?.conditions ?? []).find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
  const raw = cond?.type === 'Complete' && job.status?.completionTime ? job.status.completionTime : cond?.lastTransitionTime;
  const t = raw ? new Date(raw) : undefined;
  return t && !Number.isNaN(t.getTime()) ? t : undefined;
}

/**
 * The Job's fate at `now`: 'keep' (no TTL, not finished, or being deleted), 'delete', or the
 * milliseconds until it is due (upstream's processTTL / timeLeft).
 */
export function ttlDecision(job: Job, now: Date): 'keep' | 'delete' | number {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null || job.metadata?.deletionTimestamp || !isJobFinished(job)) return 'keep';
  const finished = finishTime(job);
  if (!finished) return 'keep';
  const left = finished.getTime() + ttl * 1000 - now.getTime();
  return left <= 0 ? 'delete' : left;
}

export class TTLAfterFinishedController implements Controller {
  static readonly controllerName = 'ttl-after-finished';
  static readonly flags = {
    'concurrent-ttl-after-finished-syncs': intFlag(5, 'Jobs checked for their TTL at once'),
  } satisfies FlagDeclarations;
  readonly name = TTLAfterFinishedController.controllerName;
  private readonly jobs: SharedInformer<Job>;
  private readonly queue = new WorkQueue<string>({ name: 'ttl_jobs_to_delete' });

  constructor(private readonly ctx: ControllerContext) {
    this.jobs = ctx.factory.informerFor('jobs.batch');
    const enqueue = (job: Job): void => {
      if (job.spec?.ttlSecondsAfterFinished !== undefined && isJobFinished(job)) this.queue.add(`${job.metadata?.namespace}/${job.metadata?.name}`);
    };
    this.jobs.addEventHandler({ onAdd: enqueue, onUpdate: (_old, job) => enqueue(job) });
  }

  async run(signal: AbortSignal): Promise<void> {
    try {
      await this.ctx.factory.waitForCacheSync(signal);
    } catch {
      return;
    }
    const workers = controllerFlags(this.ctx, TTLAfterFinishedController.flags)['concurrent-ttl-after-finished-syncs'];
    await runQueue(this.ctx, signal, { name: 'ttl-after-finished', queue: this.queue, workers, reconcile: (key) => this.sync(key) });
  }

  private async sync(key: string): Promise<void> {
    const [namespace, name] = key.split('/') as [string, string];
    const cached = this.jobs.lister.getByName(namespace, name);
    if (!cached) return;
    const decision = ttlDecision(cached, new Date());
    if (decision === 'keep') return;
    if (decision !== 'delete') {
      this.queue.addAfter(key, decision);
      return;
    }
    // The cache may be stale: decide again on the live object, and delete only that version.
    const jobs = this.ctx.client.resource('jobs.batch', namespace);
    let live: Job;
    try {
      live = (await jobs.get(name)) as Job;
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    const again = ttlDecision(live, new Date());
    if (again === 'keep') return;
    if (again !== 'delete') {
      this.queue.addAfter(key, again);
      return;
    }
    try {
      const preconditions = { ...(live.metadata?.uid ? { uid: live.metadata.uid } : {}), ...(live.metadata?.resourceVersion ? { resourceVersion: live.metadata.resourceVersion } : {}) };
      await jobs.delete(name, { propagationPolicy: 'Foreground', preconditions });
      this.ctx.log.info({ job: key, failed: conditionTrue(live, 'Failed') }, 'deleted a finished Job whose TTL expired');
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
  }
}
