// The metrics half of an HPA sync (horizontal.go's computeReplicasForMetrics and the
// computeStatusFor…Metric functions): for each metric spec, the calculator's proposal and the
// MetricStatus the HPA reports, the largest proposal winning. A metric that fails sets
// ScalingActive=False with its reason and records a Warning event; if every metric failed (or
// some failed and the rest would scale down) nothing is proposed. Resource and
// ContainerResource metrics come from the resource metrics API; Pods, Object and External
// metrics need a custom or external metrics API, which tskube does not serve, so they fail as
// they do on a cluster without one.
import type { Pod } from 'kubernetes-types/core/v1';
import type { HorizontalPodAutoscaler, MetricSpec, MetricStatus, MetricTarget, MetricValueStatus } from 'kubernetes-types/autoscaling/v2';
import { formatQuantity, milliValue } from '../../api/quantity.js';
import type { LabelSelector } from '../../api/labels.js';
import type { MetricsClient } from './metrics-client.js';
import { rawResourceReplicas, resourceReplicas, type CalculatorConfig } from './replica-calculator.js';
import { setCondition } from './status.js';

export interface ComputeDeps {
  metrics: MetricsClient;
  /** The pods in the namespace the selector matches (from the informer cache). */
  pods(namespace: string, selector: LabelSelector): Pod[];
  calculator: CalculatorConfig;
  /** Records a Warning event on the HPA. */
  warn(reason: string, message: string): void;
  now(): number;
}

interface Proposal {
  replicas: number;
  /** How the metric is described in a rescale reason ("cpu resource utilization (percentage of request)"). */
  metricName: string;
  status: MetricStatus;
}

/** A metric's failure: the ScalingActive reason and the error (its message is the event's). */
class MetricError extends Error {
  constructor(
    readonly reason: string,
    /** The metric's own error, which the event and the condition show. */
    readonly inner: string,
    prefix: string,
  ) {
    super(`${prefix}: ${inner}`);
  }
}

const milliQuantity = (milli: number): string => formatQuantity({ nanos: BigInt(Math.trunc(milli)) * 1_000_000n, format: 'DecimalSI' });

/** computeStatusForResourceMetricGeneric: Utilization or AverageValue of one resource. */
async function resourceProposal(
  deps: ComputeDeps,
  namespace: string,
  selector: LabelSelector,
  specReplicas: number,
  target: MetricTarget,
  resource: string,
  container: string,
): Promise<{ replicas: number; metricName: string; current: MetricValueStatus }> {
  let fetched;
  try {
    fetched = await deps.metrics.getResourceMetric(resource, namespace, selector.toString(), container);
  } catch (e) {
    const what = target.averageValue !== undefined ? 'usage' : 'utilization';
    throw new Error(`failed to get ${resource} ${what}: unable to get metrics for resource ${resource}: ${(e as Error).message}`);
  }
  const input = { currentReplicas: specReplicas, resource, container, pods: deps.pods(namespace, selector), metrics: fetched.metrics, now: deps.now() };
  if (target.averageValue !== undefined) {
    try {
      const r = rawResourceReplicas(input, milliValue(String(target.averageValue)), deps.calculator);
      return { replicas: r.replicas, metricName: `${resource} resource`, current: { averageValue: milliQuantity(r.usage) } };
    } catch (e) {
      throw new Error(`failed to get ${resource} usage: ${(e as Error).message}`);
    }
  }
  if (target.averageUtilization === undefined)
    throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
  try {
    const r = resourceReplicas(input, target.averageUtilization, deps.calculator);
    const kind = container ? 'container resource' : 'resource';
    return {
      replicas: r.replicas,
      metricName: `${resource} ${kind} utilization (percentage of request)`,
      current: { averageUtilization: r.utilization, averageValue: milliQuantity(r.rawUtilization) },
    };
  } catch (e) {
    throw new Error(`failed to get ${resource} utilization: ${(e as Error).message}`);
  }
}

/** computeReplicasForMetric: one metric spec's proposal, or a MetricError. */
async function metricProposal(deps: ComputeDeps, namespace: string, selector: LabelSelector, specReplicas: number, spec: MetricSpec): Promise<Proposal> {
  const fail = (reason: string, e: unknown, prefix: string): MetricError => {
    deps.warn(reason, (e as Error).message);
    return new MetricError(reason, (e as Error).message, prefix);
  };
  switch (spec.type) {
    case 'Resource': {
      const src = spec.resource!;
      try {
        const p = await resourceProposal(deps, namespace, selector, specReplicas, src.target, src.name, '');
        return { replicas: p.replicas, metricName: p.metricName, status: { type: 'Resource', resource: { name: src.name, current: p.current } } };
      } catch (e) {
        throw fail('FailedGetResourceMetric', e, `failed to get ${src.name} resource metric value`);
      }
    }
    case 'ContainerResource': {
      const src = spec.containerResource!;
      try {
        const p = await resourceProposal(deps, namespace, selector, specReplicas, src.target, src.name, src.container);
        const status: MetricStatus = { type: 'ContainerResource', containerResource: { name: src.name, container: src.container, current: p.current } };
        return { replicas: p.replicas, metricName: p.metricName, status };
      } catch (e) {
        throw fail('FailedGetContainerResourceMetric', e, `failed to get ${src.container} container metric value`);
      }
    }
    case 'Pods':
    case 'Object':
    case 'External': {
      const name = (spec.pods ?? spec.object ?? spec.external)?.metric.name ?? '';
      const api = spec.type === 'External' ? 'external.metrics.k8s.io' : 'custom.metrics.k8s.io';
      const e = new Error(`unable to get metric ${name}: no ${spec.type === 'External' ? 'external' : 'custom'} metrics API (${api}) registered`);
      throw fail(`FailedGet${spec.type}Metric`, e, `failed to get ${spec.type.toLowerCase()} metric value`);
    }
    default:
      throw fail('InvalidMetricSourceType', new Error(`unknown metric source type "${String(spec.type)}"`), 'invalid metric');
  }
}

export interface MetricsResult {
  /** -1: nothing can be proposed (upstream's failure signal). */
  replicas: number;
  metricName: string;
  statuses: MetricStatus[];
  /** Set when some metric failed (with replicas ≥ 0: the others still scale). */
  error?: Error;
}

/** computeReplicasForMetrics after the selector was validated. */
export async function computeReplicasForMetrics(deps: ComputeDeps, hpa: HorizontalPodAutoscaler, specReplicas: number, selector: LabelSelector): Promise<MetricsResult> {
  const specs = hpa.spec?.metrics ?? [];
  const namespace = hpa.metadata?.namespace ?? '';
  // Go's zero MetricStatus for a metric that failed.
  const statuses: MetricStatus[] = specs.map(() => ({ type: '' }));
  let replicas = 0;
  let metricName = '';
  let invalid = 0;
  let first: MetricError | undefined;
  for (const [i, spec] of specs.entries()) {
    try {
      const p = await metricProposal(deps, namespace, selector, specReplicas, spec);
      statuses[i] = p.status;
      if (replicas === 0 || p.replicas > replicas) [replicas, metricName] = [p.replicas, p.metricName];
    } catch (e) {
      const err = e instanceof MetricError ? e : new MetricError('FailedGetResourceMetric', (e as Error).message, 'failed to compute metric');
      if (!first) first = err;
      invalid++;
    }
  }
  const now = deps.now();
  const error = first ? new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${first.message}`) : undefined;
  if (first && (invalid >= specs.length || replicas < specReplicas)) {
    // The condition carries the metric's own error, as getUnableComputeReplicaCountCondition does.
    setCondition(hpa, 'ScalingActive', 'False', first.reason, `the HPA was unable to compute the replica count: ${first.inner}`, now);
    return { replicas: -1, metricName: '', statuses, error };
  }
  setCondition(hpa, 'ScalingActive', 'True', 'ValidMetricFound', `the HPA was able to successfully calculate a replica count from ${metricName}`, now);
  return { replicas, metricName, statuses, ...(error ? { error } : {}) };
}
