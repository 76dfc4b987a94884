// The HorizontalPodAutoscaler controller (Kubernetes' pkg/controller/podautoscaler/horizontal.go):
// every --horizontal-pod-autoscaler-sync-period each autoscaling/v2 HPA is reconciled: read the
// target's Scale, propose a size from the metrics (compute.ts), stabilize and rate-limit it
// (behavior.ts), write the Scale when it changes, then the HPA's status with the AbleToScale,
// ScalingActive and ScalingLimited conditions, and events. A target at zero replicas is left
// alone (ScalingDisabled): the HPA never scales to or from zero.
import type { HorizontalPodAutoscaler as HPAObject, HorizontalPodAutoscalerSpec } from 'kubernetes-types/autoscaling/v2';
import type { Scale } from 'kubernetes-types/autoscaling/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { WorkQueue, deletedObject, metaNamespaceKey, splitKey, type EventRecorder, type SharedInformer } from '../../client/index.js';
import { parseLabelSelector, type LabelSelector } from '../../api/labels.js';
import type { Controller, ControllerContext } from '../controller.js';
import { runQueue } from '../run-queue.js';
import { controllerFlags, durationFlag, intFlag, stringFlag, type FlagDeclarations, type FlagValues } from '../options.js';
import { RestMetricsClient, type MetricsClient } from './metrics-client.js';
import type { CalculatorConfig } from './replica-calculator.js';
import { ScalingHistory } from './behavior.js';
import { computeReplicasForMetrics, type ComputeDeps } from './compute.js';
import { getScale, scaleMappings, updateScale, type ScaleMapping } from './scale-target.js';
import { setCondition, setStatus, statusChanged } from './status.js';

export interface HorizontalControllerOptions {
  /** The metrics source; default: the resource metrics API through the apiserver. */
  metricsClient?: MetricsClient;
  /** The clock (tests). */
  now?: () => number;
}

/** An HPA with its spec (the apiserver requires one). */
type HorizontalPodAutoscaler = HPAObject & { spec: HorizontalPodAutoscalerSpec };

const errMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class HorizontalController implements Controller {
  static readonly controllerName = 'horizontal-pod-autoscaler';
  static readonly flags = {
    'concurrent-horizontal-pod-autoscaler-syncs': intFlag(5, 'HorizontalPodAutoscalers synced at once'),
    'horizontal-pod-autoscaler-sync-period': durationFlag('15s', 'How often every HorizontalPodAutoscaler is reconciled'),
    'horizontal-pod-autoscaler-downscale-stabilization': durationFlag('5m0s', 'How far back the autoscaler looks for a higher recommendation before scaling down'),
    'horizontal-pod-autoscaler-tolerance': stringFlag('0.1', 'The minimum change (from 1.0) in the desired-to-actual metrics ratio for the autoscaler to act'),
    'horizontal-pod-autoscaler-cpu-initialization-period': durationFlag('5m0s', 'After a pod starts, how long its CPU samples may be skipped'),
    'horizontal-pod-autoscaler-initial-readiness-delay': durationFlag('30s', 'After a pod starts, how long readiness changes count as its initial readiness'),
  } satisfies FlagDeclarations;
  readonly name = HorizontalController.controllerName;
  private readonly flags: FlagValues<typeof HorizontalController.flags>;
  private readonly hpas: SharedInformer<HPAObject>;
  private readonly pods: SharedInformer<Pod>;
  private readonly queue: WorkQueue<string>;
  private readonly recorder: EventRecorder;
  private readonly metrics: MetricsClient;
  private readonly history: ScalingHistory;
  private readonly calculator: CalculatorConfig;
  private readonly now: () => number;
  /** The last parsed selector of each HPA, to find pods two HPAs would both control. */
  private readonly selectors = new Map<string, LabelSelector>();

  constructor(
    private readonly ctx: ControllerContext,
    opts: HorizontalControllerOptions = {},
  ) {
    this.flags = controllerFlags(ctx, HorizontalController.flags);
    const tolerance = Number(this.flags['horizontal-pod-autoscaler-tolerance']);
    if (!Number.isFinite(tolerance) || tolerance < 0) throw new Error(`--horizontal-pod-autoscaler-tolerance: ${this.flags['horizontal-pod-autoscaler-tolerance']} is not a non-negative number`);
    this.calculator = {
      tolerance,
      cpuInitializationPeriodMs: this.flags['horizontal-pod-autoscaler-cpu-initialization-period'],
      delayOfInitialReadinessStatusMs: this.flags['horizontal-pod-autoscaler-initial-readiness-delay'],
    };
    this.now = opts.now ?? Date.now;
    this.metrics = opts.metricsClient ?? new RestMetricsClient(ctx.client);
    this.history = new ScalingHistory(this.flags['horizontal-pod-autoscaler-downscale-stabilization']);
    this.recorder = ctx.recorder('horizontal-pod-autoscaler');
    const period = this.flags['horizontal-pod-autoscaler-sync-period'];
    // Every add waits one sync period and duplicates collapse (upstream's
    // FixedItemIntervalRateLimiter), so each HPA is looked at once per period, failures included.
    this.queue = new WorkQueue<string>({ name: 'horizontalpodautoscaler', rateLimiter: { when: () => period, forget: () => undefined, numRequeues: () => 0 } });
    this.hpas = ctx.factory.informerFor('horizontalpodautoscalers.autoscaling');
    this.pods = ctx.factory.informerFor('pods');
    const enqueue = (h: HPAObject): void => this.queue.addRateLimited(metaNamespaceKey(h));
    this.hpas.addEventHandler({
      onAdd: enqueue,
      onUpdate: (_old, cur) => enqueue(cur),
      onDelete: (h) => {
        const key = metaNamespaceKey(deletedObject(h));
        this.queue.forget(key);
        this.selectors.delete(key);
      },
    });
  }

  async run(signal: AbortSignal): Promise<void> {
    await Promise.all([this.hpas.waitForSync(signal), this.pods.waitForSync(signal)]);
    await runQueue(this.ctx, signal, {
      name: 'horizontalpodautoscaler',
      queue: this.queue,
      workers: this.flags['concurrent-horizontal-pod-autoscaler-syncs'],
      reconcile: (key) => this.sync(key),
    });
  }

  private async sync(key: string): Promise<{ requeueAfterMs: number } | void> {
    const { namespace, name } = splitKey(key);
    const cached = this.hpas.lister.getByName(namespace, name);
    if (!cached) {
      this.history.forget(key);
      this.selectors.delete(key);
      return;
    }
    if (!cached.spec) return;
    // Never mutate the informer's copy.
    const hpa = { ...structuredClone(cached), apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler' } as HorizontalPodAutoscaler;
    await this.reconcileAutoscaler(hpa, key);
    return { requeueAfterMs: this.flags['horizontal-pod-autoscaler-sync-period'] };
  }

  private matchingPods(namespace: string, selector: LabelSelector): Pod[] {
    return this.pods.lister.byIndex('namespace', namespace).filter((p) => selector.matches(p.metadata?.labels));
  }

  /** reconcileAutoscaler: one sync of one HPA. Throws to be retried after a sync period. */
  private async reconcileAutoscaler(hpa: HorizontalPodAutoscaler, key: string): Promise<void> {
    const original = structuredClone(hpa.status);
    const ref = hpa.spec.scaleTargetRef;
    const namespace = hpa.metadata?.namespace ?? '';
    const reference = `${ref.kind}/${namespace}/${ref.name}`;
    let target: { scale: Scale; mapping: ScaleMapping };
    try {
      target = await getScale(this.ctx.client, await scaleMappings(this.ctx.client, ref.apiVersion ?? '', ref.kind), namespace, ref.name);
    } catch (e) {
      this.recorder.event(hpa, 'Warning', 'FailedGetScale', errMessage(e));
      setCondition(hpa, 'AbleToScale', 'False', 'FailedGetScale', `the HPA controller was unable to get the target's current scale: ${errMessage(e)}`, this.now());
      await this.updateStatusQuietly(original, hpa);
      throw new Error(`failed to query scale subresource for ${reference}: ${errMessage(e)}`);
    }
    setCondition(hpa, 'AbleToScale', 'True', 'SucceededGetScale', "the HPA controller was able to get the target's current scale", this.now());
    const decision = await this.decide(hpa, key, target.scale, reference, original);
    const { currentReplicas, metricStatuses, rescaleReason, metricsError } = decision;
    let desiredReplicas = decision.desiredReplicas;
    const rescale = decision.rescale;
    if (rescale) {
      try {
        await updateScale(this.ctx.client, target.mapping, namespace, ref.name, target.scale, desiredReplicas);
      } catch (e) {
        this.recorder.event(hpa, 'Warning', 'FailedRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}; error: ${errMessage(e)}`);
        setCondition(hpa, 'AbleToScale', 'False', 'FailedUpdateScale', `the HPA controller was unable to update the target scale: ${errMessage(e)}`, this.now());
        setStatus(hpa, { currentReplicas, desiredReplicas: hpa.status?.desiredReplicas ?? 0, metricStatuses, rescaled: false, now: this.now() });
        await this.updateStatusQuietly(original, hpa);
        throw new Error(`failed to rescale ${reference}: ${errMessage(e)}`);
      }
      setCondition(hpa, 'AbleToScale', 'True', 'SucceededRescale', `the HPA controller was able to update the target scale to ${desiredReplicas}`, this.now());
      this.recorder.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desiredReplicas}; reason: ${rescaleReason}`);
      this.history.storeScaleEvent(hpa.spec.behavior, key, currentReplicas, desiredReplicas, this.now());
      this.ctx.log.info({ hpa: key, currentReplicas, desiredReplicas, reason: rescaleReason }, 'Successfully rescaled');
    } else {
      desiredReplicas = currentReplicas;
    }
    setStatus(hpa, { currentReplicas, desiredReplicas, metricStatuses, rescaled: rescale, now: this.now() });
    await this.updateStatusIfNeeded(original, hpa);
    if (metricsError) throw metricsError;
  }

  /**
   * The size the HPA wants: the min/max bounds first, then the metrics' proposal through
   * stabilization and the rate limits. When the metrics failed, the status and event are
   * written and the error thrown.
   */
  private async decide(
    hpa: HorizontalPodAutoscaler,
    key: string,
    scale: Scale,
    reference: string,
    original: HorizontalPodAutoscaler['status'],
  ): Promise<{ currentReplicas: number; desiredReplicas: number; rescale: boolean; rescaleReason: string; metricStatuses?: NonNullable<HorizontalPodAutoscaler['status']>['currentMetrics']; metricsError?: Error }> {
    const currentReplicas = scale.spec?.replicas ?? 0;
    const now = this.now();
    this.history.recordInitialRecommendation(key, currentReplicas, now);
    const minReplicas = hpa.spec.minReplicas ?? 1;
    const maxReplicas = hpa.spec.maxReplicas;
    if (currentReplicas === 0 && minReplicas !== 0) {
      setCondition(hpa, 'ScalingActive', 'False', 'ScalingDisabled', 'scaling is disabled since the replica count of the target is zero', now);
      return { currentReplicas, desiredReplicas: 0, rescale: false, rescaleReason: '' };
    }
    if (currentReplicas > maxReplicas) return { currentReplicas, desiredReplicas: maxReplicas, rescale: true, rescaleReason: 'Current number of replicas above Spec.MaxReplicas' };
    if (currentReplicas < minReplicas) return { currentReplicas, desiredReplicas: minReplicas, rescale: true, rescaleReason: 'Current number of replicas below Spec.MinReplicas' };

    const selector = this.validateAndParseSelector(hpa, key, scale.status?.selector ?? '');
    const result =
      selector instanceof Error
        ? { replicas: -1, metricName: '', statuses: undefined, error: selector }
        : await computeReplicasForMetrics(this.computeDeps(hpa), hpa, currentReplicas, selector);
    if (result.replicas === -1) {
      setStatus(hpa, { currentReplicas, desiredReplicas: hpa.status?.desiredReplicas ?? 0, metricStatuses: result.statuses, rescaled: false, now });
      await this.updateStatusQuietly(original, hpa);
      const err = result.error ?? new Error('no metrics');
      this.recorder.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', err.message);
      throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${err.message}`);
    }
    let rescaleReason = '';
    if (result.replicas > currentReplicas) rescaleReason = `${result.metricName} above target`;
    if (result.replicas < currentReplicas) rescaleReason = 'All metrics below target';
    const args = { key, currentReplicas, desiredReplicas: result.replicas, minReplicas, maxReplicas, now };
    const n = hpa.spec.behavior ? this.history.normalizeWithBehaviors(args, hpa.spec.behavior) : this.history.normalize(args);
    setCondition(hpa, 'AbleToScale', 'True', n.ableToScale.reason, n.ableToScale.message, now);
    setCondition(hpa, 'ScalingLimited', n.scalingLimited.status, n.scalingLimited.reason, n.scalingLimited.message, now);
    return {
      currentReplicas,
      desiredReplicas: n.desiredReplicas,
      rescale: n.desiredReplicas !== currentReplicas,
      rescaleReason,
      metricStatuses: result.statuses,
      ...(result.error ? { metricsError: result.error } : {}),
    };
  }

  private computeDeps(hpa: HorizontalPodAutoscaler): ComputeDeps {
    return {
      metrics: this.metrics,
      pods: (ns, sel) => this.matchingPods(ns, sel),
      calculator: this.calculator,
      warn: (reason, message) => this.recorder.event(hpa, 'Warning', reason, message),
      now: this.now,
    };
  }

  /**
   * validateAndParseSelector: the Scale's selector must be present and parse, and the pods it
   * selects must not also be selected by another HPA's target (two HPAs would fight).
   */
  private validateAndParseSelector(hpa: HorizontalPodAutoscaler, key: string, selector: string): LabelSelector | Error {
    const now = this.now();
    if (!selector) {
      this.recorder.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', "the HPA target's scale is missing a selector", now);
      return new Error('selector is required');
    }
    let parsed: LabelSelector;
    try {
      parsed = parseLabelSelector(selector);
    } catch (e) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${errMessage(e)}`;
      this.recorder.event(hpa, 'Warning', 'InvalidSelector', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'InvalidSelector', msg, now);
      return new Error(msg);
    }
    this.selectors.set(key, parsed);
    const namespace = hpa.metadata?.namespace ?? '';
    const pods = this.matchingPods(namespace, parsed);
    const controlling = [...this.selectors].filter(([k, sel]) => splitKey(k).namespace === namespace && pods.some((p) => sel.matches(p.metadata?.labels))).map(([k]) => k);
    if (controlling.length > 1) {
      const msg = `pods by selector ${selector} are controlled by multiple HPAs: [${controlling.sort().join(' ')}]`;
      this.recorder.event(hpa, 'Warning', 'AmbiguousSelector', msg);
      setCondition(hpa, 'ScalingActive', 'False', 'AmbiguousSelector', msg, now);
      return new Error(msg);
    }
    return parsed;
  }

  /** On a path that fails anyway: a failed status write is logged, and the first error is the one returned. */
  private async updateStatusQuietly(original: HorizontalPodAutoscaler['status'], hpa: HorizontalPodAutoscaler): Promise<void> {
    await this.updateStatusIfNeeded(original, hpa).catch((e: unknown) => this.ctx.log.warn({ err: e, hpa: metaNamespaceKey(hpa) }, 'could not update HPA status'));
  }

  /** updateStatusIfNeeded: PUT /status only when the status changed. */
  private async updateStatusIfNeeded(original: HorizontalPodAutoscaler['status'], hpa: HorizontalPodAutoscaler): Promise<void> {
    if (!statusChanged(original, hpa.status)) return;
    try {
      await this.ctx.client.resource('horizontalpodautoscalers.autoscaling', hpa.metadata?.namespace).updateStatus(hpa);
    } catch (e) {
      this.recorder.event(hpa, 'Warning', 'FailedUpdateStatus', errMessage(e));
      throw new Error(`failed to update status for ${hpa.metadata?.name}: ${errMessage(e)}`);
    }
  }
}
