// The CronJob controller: starts a Job from `jobTemplate` at each scheduled time (UTC), honours
// concurrencyPolicy (Allow/Forbid/Replace), startingDeadlineSeconds and suspend, keeps the
// last successfulJobsHistoryLimit / failedJobsHistoryLimit finished Jobs, and writes status
// (active, lastScheduleTime, lastSuccessfulTime). Each sync requeues itself for the next
// scheduled minute. Decisions are in cronjob-plan.ts.
import type { CronJob, Job } from 'kubernetes-types/batch/v1';
import { WorkQueue, deletedObject, isAlreadyExists, isNotFound, metaNamespaceKey, splitKey, type SharedInformer } from '../../client/index.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { putStatus } from '../controller/controller-utils.js';
import { intOption } from '../options.js';
import { getControllerOf } from '../controller/controller-ref-manager.js';
import { jobFromCronJob, planCronJob } from './plan.js';
import { metaTime } from '../../api/time.js';

const COMPONENT = 'cronjob-controller';

export interface CronJobControllerOptions {
  /** The clock (tests shift it to reach a scheduled minute quickly). */
  now?: () => number;
}

export function newCronJobController(opts: CronJobControllerOptions = {}): Controller {
  const now = opts.now ?? Date.now;
  return {
    name: 'cronjob',
    run(ctx: ControllerContext, signal: AbortSignal): Promise<void> {
      const cronJobs = ctx.factory.informerFor<CronJob>('cronjobs.batch');
      const jobs = ctx.factory.informerFor<Job>('jobs.batch');
      const queue = new WorkQueue<string>({ name: 'cronjob' });
      cronJobs.addEventHandler({
        onAdd: (c) => queue.add(metaNamespaceKey(c)),
        onUpdate: (_, c) => queue.add(metaNamespaceKey(c)),
        onDelete: (c) => queue.add(metaNamespaceKey(deletedObject(c))),
      });
      const enqueueOwner = (j: Job): void => {
        const ref = getControllerOf(j);
        if (ref?.kind === 'CronJob') queue.add(`${j.metadata?.namespace ?? ''}/${ref.name}`);
      };
      jobs.addEventHandler({ onAdd: enqueueOwner, onUpdate: (_, j) => enqueueOwner(j), onDelete: (j) => enqueueOwner(deletedObject(j)) });
      return (async () => {
        await Promise.all([cronJobs.waitForSync(signal), jobs.waitForSync(signal)]);
        await runQueue(ctx, signal, {
          name: 'cronjob',
          queue,
          workers: intOption(ctx, 'concurrent-cron-job-syncs', 5),
          reconcile: (key) => syncCronJob(ctx, cronJobs, jobs, key, now()),
        });
      })();
    },
  };
}

async function syncCronJob(ctx: ControllerContext, cronJobs: SharedInformer<CronJob>, jobInformer: SharedInformer<Job>, key: string, now: number): Promise<{ requeueAfterMs?: number } | void> {
  const { namespace, name } = splitKey(key);
  const cached = cronJobs.lister.getByName(namespace, name);
  if (!cached) return;
  const cj = structuredClone(cached) as CronJob;
  const uid = cj.metadata?.uid ?? '';
  const owned = jobInformer.lister.byIndex('ownerUid', uid).filter((j) => getControllerOf(j)?.uid === uid);
  const plan = planCronJob(cj, owned, now);
  const recorder = ctx.recorder(COMPONENT);
  const jobs = ctx.client.resource<Job>('jobs.batch', namespace);
  for (const [reason, message] of plan.warnings) recorder.event(cj, 'Warning', reason, message);

  const remove = async (j: Job, why: string): Promise<void> => {
    try {
      await jobs.delete(j.metadata?.name ?? '', { propagationPolicy: 'Background' });
      recorder.event(cj, 'Normal', 'SuccessfulDelete', `${why} job ${j.metadata?.name ?? ''}`);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  };
  for (const j of plan.replace) await remove(j, 'Deleted');
  if (plan.start !== undefined) {
    const job = jobFromCronJob(cj, plan.start);
    try {
      const created = await jobs.create(job);
      recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata?.name ?? ''}`);
      const refs = (plan.status.active ?? []).filter((r) => !plan.replace.some((j) => j.metadata?.uid === r.uid));
      plan.status.active = [...refs, { apiVersion: 'batch/v1', kind: 'Job', name: created.metadata?.name, namespace, uid: created.metadata?.uid, resourceVersion: created.metadata?.resourceVersion }];
    } catch (e) {
      // Made by an earlier sync whose status write was lost: that run is done.
      if (!isAlreadyExists(e)) {
        recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${e instanceof Error ? e.message : String(e)}`);
        throw e;
      }
    }
    plan.status.lastScheduleTime = metaTime(plan.start);
  }
  await putStatus(ctx.client.resource<CronJob>('cronjobs.batch', namespace), cj, plan.status);
  for (const j of plan.cleanup) await remove(j, 'Deleted');
  return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
}
