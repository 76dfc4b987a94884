// The Job controller: runs a Job's pods to completion. It owns the pods its selector matches
// (controller ownerReference, orphans adopted), keeps `parallelism` of them active until
// `completions` have succeeded, replaces failed ones after a growing backoff until
// `backoffLimit` failures, honours `activeDeadlineSeconds` and `suspend`, and writes status
// (active/ready/succeeded/failed, startTime, completionTime, conditions). Decisions are in
// job-plan.ts; this file is the informer/queue edge, like the ReplicaSet controller.
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { WorkQueue, deletedObject, metaNamespaceKey, splitKey, type SharedInformer } from '../../client/index.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { ownerEventHandler } from '../controller/owner-events.js';
import { BURST_REPLICAS, ControllerExpectations, podFromTemplate, podKey, putStatus, resolveControllerRef } from '../controller/controller-utils.js';
import { controllerFlags, durationFlag, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { createPods, deletePods } from '../controller/pod-control.js';
import { claimObjects, getControllerOf, newControllerRef, recheckDeletionTimestamp } from '../controller/controller-ref-manager.js';
import { DEFAULT_POD_FAILURE_BACKOFF_MS, isJobFinished, planJob } from './plan.js';

const GVK = { apiVersion: 'batch/v1', kind: 'Job' };
const COMPONENT = 'job-controller';

export class JobController implements Controller {
  static readonly controllerName = 'job';
  static readonly flags = {
    'concurrent-job-syncs': intFlag(5, 'Jobs synced at once'),
    // Not a Kubernetes flag (its backoff is fixed at 10 s): tests shorten it.
    'job-pod-failure-backoff': durationFlag(`${DEFAULT_POD_FAILURE_BACKOFF_MS / 1000}s`, 'First retry delay after a failed pod (doubles per failure)', true),
  } satisfies FlagDeclarations;
  readonly name = JobController.controllerName;
  private readonly flags: FlagValues<typeof JobController.flags>;
  private readonly expectations = new ControllerExpectations();
  private readonly jobs: SharedInformer<Job>;
  private readonly pods: SharedInformer<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'job' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, JobController.flags);
    this.jobs = ctx.factory.informerFor<Job>('jobs.batch');
    this.pods = ctx.factory.informerFor('pods');
    this.jobs.addEventHandler(ownerEventHandler(this.queue, this.expectations));
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (old, cur) => this.podUpdated(old, cur),
      onDelete: (obj) => this.podDeleted(deletedObject(obj)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.jobs.waitForSync(signal), this.pods.waitForSync(signal)]);
    await runQueue(this.ctx, signal, { name: 'job', queue: this.queue, workers: this.flags['concurrent-job-syncs'], reconcile: (key) => this.sync(key) });
  }

  // ---- pod events → Job keys (and expectations) ----

  private podOwnerKey(pod: Pod): string | undefined {
    const ref = getControllerOf(pod);
    return ref ? this.ownerKey(pod.metadata?.namespace ?? '', ref) : undefined;
  }

  private podAdded(p: Pod): void {
    const key = this.podOwnerKey(p);
    if (key) {
      this.expectations.creationObserved(key);
      this.queue.add(key);
    } else if (!getControllerOf(p)) for (const j of this.matchingJobs(p)) this.queue.add(metaNamespaceKey(j));
  }

  private podUpdated(old: Pod, cur: Pod): void {
    for (const p of [old, cur]) {
      const key = this.podOwnerKey(p);
      if (key) {
        if (cur.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, podKey(cur));
        this.queue.add(key);
      }
    }
    if (!getControllerOf(cur)) for (const j of this.matchingJobs(cur)) this.queue.add(metaNamespaceKey(j));
  }

  private podDeleted(p: Pod): void {
    const key = this.podOwnerKey(p);
    if (!key) return;
    this.expectations.deletionObserved(key, podKey(p));
    this.queue.add(key);
  }

  /** The key of the Job a controllerRef points at, if it is one of ours and still the same object. */
  private ownerKey(namespace: string, ref: OwnerReference): string | undefined {
    const job = resolveControllerRef(this.jobs.lister, GVK, namespace, ref);
    return job ? metaNamespaceKey(job) : undefined;
  }

  /** Unfinished Jobs whose selector matches an orphan pod (they may adopt it). */
  private matchingJobs(pod: Pod): Job[] {
    return this.jobs.lister.byIndex('namespace', pod.metadata?.namespace ?? '').filter((j) => {
      if (isJobFinished(j)) return false;
      try {
        return labelSelectorFromObject(j.spec?.selector).matches(pod.metadata?.labels);
      } catch {
        return false;
      }
    });
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.lister.getByName(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      return;
    }
    const job = structuredClone(cached) as Job;
    const jobs = this.ctx.client.resource<Job>('jobs.batch', namespace);
    const podClient = this.ctx.client.resource('pods', namespace);
    // An empty selector would match every pod: the apiserver always sets one, so this is a broken object.
    if (!job.spec?.selector || (!job.spec.selector.matchLabels && !job.spec.selector.matchExpressions)) return;
    const pods = await claimObjects(this.pods.lister.byIndex('namespace', namespace), {
      owner: job,
      ownerGvk: GVK,
      selector: labelSelectorFromObject(job.spec.selector),
      objects: podClient,
      recheckOwner: recheckDeletionTimestamp(() => jobs.get(name), job, GVK.kind),
    });
    const plan = planJob(job, pods, { now: Date.now(), podFailureBackoffMs: this.flags['job-pod-failure-backoff'] });
    const recorder = this.ctx.recorder(COMPONENT);
    let manageError: unknown;
    if (this.expectations.satisfied(key) && !job.metadata?.deletionTimestamp) {
      try {
        const pc = { ctx: this.ctx, component: COMPONENT, expectations: this.expectations };
        if (plan.remove.length > 0) {
          const { error } = await deletePods(pc, key, job, plan.remove);
          if (error !== undefined) throw error;
        }
        if (plan.create > 0) await createPods(pc, key, job, podFromTemplate(job, newControllerRef(job, GVK)), Math.min(plan.create, BURST_REPLICAS));
      } catch (e) {
        manageError = e;
      }
    } else {
      // Our own creates/deletes are not all visible yet: keep the counts we last wrote.
      plan.status.active = job.status?.active;
      if (plan.status.active === undefined) delete plan.status.active;
    }
    const before = job.status ?? {};
    await putStatus(jobs, job, plan.status);
    for (const c of plan.status.conditions ?? []) {
      if (c.status !== 'True' || (before.conditions ?? []).some((b) => b.type === c.type && b.status === 'True')) continue;
      if (c.type === 'Complete') recorder.event(job, 'Normal', 'Completed', 'Job completed');
      if (c.type === 'FailureTarget') recorder.event(job, 'Warning', c.reason ?? 'Failed', c.message ?? '');
      if (c.type === 'Suspended') recorder.event(job, 'Normal', 'Suspended', 'Job suspended');
    }
    if (manageError !== undefined) throw manageError;
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }
}
