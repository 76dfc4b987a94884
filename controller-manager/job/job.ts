// The Job controller: runs a Job's pods to completion. It owns the pods its selector matches
// (controller ownerReference, orphans adopted), keeps `parallelism` of them active until
// `completions` have succeeded (Indexed: one per index), replaces failed ones after a growing
// backoff until `backoffLimit` failures or a podFailurePolicy rule ends the Job, honours
// `activeDeadlineSeconds` and `suspend`, and counts finished pods through the
// `batch.kubernetes.io/job-tracking` finalizer. Decisions are in plan.ts / tracking.ts; this
// file is the informer/queue edge, like Kubernetes' job_controller.go.
import type { Job } from 'kubernetes-types/batch/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import type { OwnerReference } from 'kubernetes-types/meta/v1';
import { WorkQueue, deletedObject, metaNamespaceKey, splitKey, type SharedInformer } from '../../client/index.js';
import { labelSelectorFromObject } from '../../api/labels.js';
import { semanticEqual } from '../../api/validation/equal.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { ownerEventHandler } from '../controller/owner-events.js';
import { BURST_REPLICAS, ControllerExpectations, podFromTemplate, podKey, resolveControllerRef } from '../controller/controller-utils.js';
import { controllerFlags, durationFlag, intFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { createPods, deletePods } from '../controller/pod-control.js';
import { claimObjects, getControllerOf, newControllerRef, recheckDeletionTimestamp } from '../controller/controller-ref-manager.js';
import { DEFAULT_POD_FAILURE_BACKOFF_MS, isJobFinished, planJob, type JobPlan } from './plan.js';
import { JOB_TRACKING_FINALIZER, hasTrackingFinalizer, podUid, settleStatus } from './tracking.js';
import { generateNameWithIndex, indexedTemplate } from './indexed.js';
import { FinalizerExpectations, removeTrackingFinalizers } from './finalizers.js';
import { jobMetrics, recordJobSync } from './metrics.js';

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
  private readonly finalizerExpectations = new FinalizerExpectations();
  private readonly jobs: SharedInformer<Job>;
  private readonly pods: SharedInformer<Pod>;
  private readonly queue = new WorkQueue<string>({ name: 'job' });
  /** Pods whose job-tracking finalizer no Job will remove (Job gone or finished, pod orphaned). */
  private readonly orphanQueue = new WorkQueue<string>({ name: 'job_orphan_pod' });

  constructor(private readonly ctx: ControllerContext) {
    this.flags = controllerFlags(ctx, JobController.flags);
    this.jobs = ctx.factory.informerFor<Job>('jobs.batch');
    this.pods = ctx.factory.informerFor('pods');
    const owner = ownerEventHandler<Job>(this.queue, this.expectations);
    this.jobs.addEventHandler({
      ...owner,
      onDelete: (obj) => {
        owner.onDelete?.(obj);
        this.cleanupPodFinalizers(deletedObject(obj));
      },
    });
    this.pods.addEventHandler({
      onAdd: (p) => this.podAdded(p),
      onUpdate: (old, cur) => this.podUpdated(old, cur),
      onDelete: (obj) => this.podDeleted(deletedObject(obj)),
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.jobs.waitForSync(signal), this.pods.waitForSync(signal)]);
    await Promise.all([
      runQueue(this.ctx, signal, { name: 'job', queue: this.queue, workers: this.flags['concurrent-job-syncs'], reconcile: (key) => this.sync(key) }),
      runQueue(this.ctx, signal, { name: 'job_orphan_pod', queue: this.orphanQueue, workers: 1, reconcile: (key) => this.syncOrphanPod(key) }),
    ]);
  }

  // ---- pod events → Job keys (and expectations) ----

  private podOwnerKey(pod: Pod): string | undefined {
    const ref = getControllerOf(pod);
    return ref ? this.ownerKey(pod.metadata?.namespace ?? '', ref) : undefined;
  }

  /** A pod still carrying the finalizer whose Job will not sync it (gone, finished, or none) goes to the orphan queue. */
  private orphanIfUntracked(p: Pod, key: string | undefined): void {
    if (!hasTrackingFinalizer(p)) return;
    const job = key ? this.jobs.lister.getByName(splitKey(key).namespace, splitKey(key).name) : undefined;
    if (!job || isJobFinished(job)) this.orphanQueue.add(metaNamespaceKey(p));
  }

  private podAdded(p: Pod): void {
    const key = this.podOwnerKey(p);
    this.orphanIfUntracked(p, key);
    if (key) {
      if (!p.metadata?.deletionTimestamp) this.expectations.creationObserved(key);
      this.queue.add(key);
    } else if (!getControllerOf(p)) for (const j of this.matchingJobs(p)) this.queue.add(metaNamespaceKey(j));
  }

  private podUpdated(old: Pod, cur: Pod): void {
    for (const p of [old, cur]) {
      const key = this.podOwnerKey(p);
      if (key) {
        if (cur.metadata?.deletionTimestamp) this.expectations.deletionObserved(key, podKey(cur));
        if (!hasTrackingFinalizer(cur)) this.finalizerExpectations.observed(key, podUid(cur));
        this.queue.add(key);
      }
    }
    this.orphanIfUntracked(cur, this.podOwnerKey(cur));
    if (!getControllerOf(cur)) for (const j of this.matchingJobs(cur)) this.queue.add(metaNamespaceKey(j));
  }

  private podDeleted(p: Pod): void {
    const key = this.podOwnerKey(p);
    if (!key) return;
    this.expectations.deletionObserved(key, podKey(p));
    this.finalizerExpectations.observed(key, podUid(p));
    this.queue.add(key);
  }

  /** A deleted Job's pods lose the finalizer (cleanupPodFinalizers). */
  private cleanupPodFinalizers(job: Job): void {
    for (const p of this.pods.lister.byIndex('namespace', job.metadata?.namespace ?? '')) {
      if (hasTrackingFinalizer(p) && getControllerOf(p)?.uid === job.metadata?.uid) this.orphanQueue.add(metaNamespaceKey(p));
    }
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

  /** syncOrphanPod: drop the finalizer unless the pod belongs to an unfinished batch/v1 Job (or to another kind of owner). */
  private async syncOrphanPod(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const pod = this.pods.lister.getByName(namespace, name);
    if (!pod || !hasTrackingFinalizer(pod)) return;
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== GVK.kind || ref.apiVersion !== GVK.apiVersion) return;
      const job = resolveControllerRef(this.jobs.lister, GVK, namespace, ref);
      if (job && !isJobFinished(job)) return;
    }
    const { error } = await removeTrackingFinalizers(this.ctx.client.resource<Pod>('pods', namespace), [pod]);
    if (error !== undefined) throw error;
  }

  private async sync(key: string): Promise<{ requeueAfterMs?: number } | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.jobs.lister.getByName(namespace, name);
    if (!cached) {
      this.expectations.delete(key);
      this.finalizerExpectations.delete(key);
      return;
    }
    const job = structuredClone(cached) as Job;
    const jobs = this.ctx.client.resource<Job>('jobs.batch', namespace);
    const podClient = this.ctx.client.resource<Pod>('pods', namespace);
    // An empty selector would match every pod: the apiserver always sets one, so this is a broken object.
    if (!job.spec?.selector || (!job.spec.selector.matchLabels && !job.spec.selector.matchExpressions)) return;
    const satisfied = this.expectations.satisfied(key);
    const pods = await claimObjects(this.pods.lister.byIndex('namespace', namespace), {
      owner: job,
      ownerGvk: GVK,
      selector: labelSelectorFromObject(job.spec.selector),
      objects: podClient,
      recheckOwner: recheckDeletionTimestamp(() => jobs.get(name), job, GVK.kind),
      finalizers: isJobFinished(job) ? [] : [JOB_TRACKING_FINALIZER],
    });
    const plan = planJob(job, pods, {
      now: Date.now(),
      podFailureBackoffMs: this.flags['job-pod-failure-backoff'],
      expectedRemovals: this.finalizerExpectations.get(key),
      manage: satisfied && !job.metadata?.deletionTimestamp,
    });
    const manageError = await this.managePods(key, job, plan);
    await this.trackStatus(key, job, plan);
    if (manageError !== undefined) throw manageError;
    return plan.requeueAfterMs !== undefined ? { requeueAfterMs: plan.requeueAfterMs } : undefined;
  }

  /** Deletes and creates the plan's pods; returns the first error (status is tracked regardless). */
  private async managePods(key: string, job: Job, plan: JobPlan): Promise<unknown> {
    const pc = { ctx: this.ctx, component: COMPONENT, expectations: this.expectations };
    const podClient = this.ctx.client.resource<Pod>('pods', job.metadata?.namespace ?? '');
    try {
      // Finishing: deleted with the finalizer kept, so each is counted as it ends (deleteActivePods).
      if (plan.terminate.length > 0) {
        const { error } = await deletePods(pc, key, job, plan.terminate);
        if (error !== undefined) throw error;
      }
      // Surplus: the finalizer goes first, these are not counted (deleteJobPods).
      if (plan.remove.length > 0) {
        const { removed, error } = await removeTrackingFinalizers(podClient, plan.remove, { key, exp: this.finalizerExpectations });
        const { error: delError } = await deletePods(pc, key, job, plan.remove.filter((p) => !hasTrackingFinalizer(p) || removed.has(podUid(p))));
        if (error !== undefined || delError !== undefined) throw error ?? delError;
      }
      if (plan.create > 0) await createPods(pc, key, job, (i) => this.newPod(job, plan.indexes[i]), Math.min(plan.create, BURST_REPLICAS));
    } catch (e) {
      return e;
    }
    return undefined;
  }

  /** A pod of `job` (of completion index `index` when Indexed), carrying the tracking finalizer. */
  private newPod(job: Job, index: number | undefined): Pod {
    const jobName = job.metadata?.name ?? '';
    const source = index === undefined ? job : { metadata: job.metadata, spec: { template: indexedTemplate(jobName, job.spec?.template ?? {}, index) } };
    const pod = podFromTemplate(source, newControllerRef(job, GVK));
    const meta = pod.metadata ?? {};
    meta.finalizers = [...new Set([...(meta.finalizers ?? []), JOB_TRACKING_FINALIZER])];
    if (index !== undefined) meta.generateName = generateNameWithIndex(jobName, index);
    return pod;
  }

  /**
   * trackJobStatusAndRemoveFinalizers: write the status that records the finished pods, remove
   * their finalizers, then count them (and finish the Job) in a second write. Both writes are
   * conditional on the resourceVersion read: a stale Job is retried from fresh state, never
   * overwritten, so nothing is counted twice.
   */
  private async trackStatus(key: string, job: Job, plan: JobPlan): Promise<void> {
    const namespace = job.metadata?.namespace ?? '';
    const jobs = this.ctx.client.resource<Job>('jobs.batch', namespace);
    let current = job;
    if (!semanticEqual(job.status ?? {}, plan.status)) current = await jobs.updateStatus({ ...current, status: plan.status });
    const { removed, error } = await removeTrackingFinalizers(this.ctx.client.resource<Pod>('pods', namespace), plan.removeFinalizers, { key, exp: this.finalizerExpectations });
    const final = structuredClone(plan.status);
    const finished = settleStatus(final, plan.withFinalizer, removed, plan.finish, plan.terminating);
    if (!semanticEqual(plan.status, final)) current = await jobs.updateStatus({ ...current, status: final });
    this.recordEvents(job, final);
    recordJobSync(jobMetrics(this.ctx.registry), job, job.status ?? {}, final, finished ? plan.finish : undefined, plan.policyActions);
    if (error !== undefined) throw error;
  }

  private recordEvents(job: Job, status: NonNullable<Job['status']>): void {
    const recorder = this.ctx.recorder(COMPONENT);
    const before = job.status?.conditions ?? [];
    for (const c of status.conditions ?? []) {
      const prev = before.find((b) => b.type === c.type);
      if (prev?.status === c.status) continue;
      if (c.type === 'Complete' && c.status === 'True') recorder.event(job, 'Normal', 'Completed', 'Job completed');
      if (c.type === 'Failed' && c.status === 'True') recorder.event(job, 'Warning', c.reason ?? 'Failed', c.message ?? '');
      if (c.type === 'Suspended') recorder.event(job, 'Normal', c.status === 'True' ? 'Suspended' : 'Resumed', c.status === 'True' ? 'Job suspended' : 'Job resumed');
    }
  }
}
