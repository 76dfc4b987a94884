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
import { controllerFlags, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { getControllerOf } from '../controller/controller-ref-manager.js';
import { jobFromCronJob, planCronJob } from './plan.js';
import { metaTime } from '../../api/time.js';

const COMPONENT = 'cronjob-controller';

export interface CronJobControllerOptions {
  /** The clock (tests shift it to reach a scheduled minute quickly). */
  now?: () => number;
}

export class CronJobController implements Controller {
  static readonly controllerName = 'cronjob';
  static readonly flags = {
    'concurrent-cron-job-syncs': intFlag(5, 'CronJobs synced at once'),
  } satisfies FlagDeclarations;
  readonly name = CronJobController.controllerName;
  private readonly flags: FlagValues<typeof CronJobController.flags>;
  private readonly now: () => number;
  private readonly cronJobs: SharedInformer<CronJob>;
  private readonly jobs: SharedInformer<Job>;
  private readonly queue = new WorkQueue<string>({ name: 'cronjob' });

  constructor(
    private readonly ctx: ControllerContext,
    opts: CronJobControllerOptions = {},
  ) {
    this.flags = controllerFlags(ctx, CronJobController.flags);
    this.now = opts.now ?? Date.now;
    this.cronJobs = ctx.factory.informerFor<CronJob>('cronjobs.batch');
    this.jobs = ctx.factory.informerFor<Job>('jobs.batch');
    this.cronJobs.addEventHandler({
      onAdd: (c) => this.queue.add(metaNamespaceKey(c)),
      onUpdate: (_, c) => this.queue.add(metaNamespaceKey(c)),
      onDelete: (c) => this.queue.add(metaNamespaceKey(deletedObject(c))),
    });
    const enqueueOwner = (j: Job): void => {
      const ref = getControllerOf(j);
      if (ref?.kind === 'CronJob') this.queue.add(`${j.metadata?.namespace ?? ''}/${ref.name}`);
    };
    this.jobs.addEventHandler({ onAdd: enqueueOwner, onUpdate: (_, j) => enqueueOwner(j), onDelete: (j) => enqueueOwner(deletedObject(j)) });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.cronJobs.waitForSync(signal), this.jobs.waitForSync(signal)]);
    await runQueue(this.ctx, signal, {
      name: 'cronjob',
      queue: this.queue,
      workers: this.flags['concurrent-cron-job-syncs'],
      reconcile: (key) => this.sync(key, this.now()),
    });
  }

  private async sync(key: string, now: number): Promise<{ requeueAfterMs?: number } | void> {
    const { ctx, cronJobs, jobs: jobInformer } = this;
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
}

