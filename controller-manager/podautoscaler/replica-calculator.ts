// The replica calculator for resource metrics (Kubernetes' replica_calculator.go and
// metrics/utilization.go), as pure functions of the pods, their metrics and the clock:
// GetResourceReplicas (target Utilization, a percentage of the pods' requests) and
// GetRawResourceReplicas (target AverageValue). The arithmetic is upstream's to the integer:
// utilization is floor(100 × usage / requests), the usage ratio is utilization / target,
// and the proposal is ceil(ratio × pods counted).
import type { Pod } from 'kubernetes-types/core/v1';
import { milliValue } from '../../api/quantity.js';
import type { PodMetricsInfo } from './metrics-client.js';

export interface CalculatorConfig {
  /** --horizontal-pod-autoscaler-tolerance: a ratio within 1 ± tolerance changes nothing. */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period (ms). */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay (ms). */
  delayOfInitialReadinessStatusMs: number;
}

export const DEFAULT_CALCULATOR_CONFIG: CalculatorConfig = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 5 * 60_000,
  delayOfInitialReadinessStatusMs: 30_000,
};

export interface PodGroups {
  readyPodCount: number;
  /** Pending pods, and (for CPU) pods not ready or still warming up. */
  unreadyPods: Set<string>;
  /** Running pods the metrics API had nothing for. */
  missingPods: Set<string>;
  /** Deleted or failed pods: not counted at all. */
  ignoredPods: Set<string>;
}

const time = (t: string | undefined): number => (t ? Date.parse(t) : NaN);

/** groupPods: sorts the pods by how their metric may be used. */
export function groupPods(pods: readonly Pod[], metrics: PodMetricsInfo, resource: string, cfg: CalculatorConfig, now: number): PodGroups {
  const g: PodGroups = { readyPodCount: 0, unreadyPods: new Set(), missingPods: new Set(), ignoredPods: new Set() };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignoredPods.add(name);
      continue;
    }
    if (pod.status?.phase === 'Pending') {
      g.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missingPods.add(name);
      continue;
    }
    if (resource === 'cpu' && cpuSampleUnusable(pod, metric, cfg, now)) {
      g.unreadyPods.add(name);
      continue;
    }
    g.readyPodCount++;
  }
  return g;
}

/**
 * CPU of a pod that just started is not representative: during the initialization period a
 * sample counts only if the pod is ready and the sample window began after it became ready;
 * afterwards, only a pod that has never been ready (its readiness flipped to false within the
 * initial readiness delay of starting) is skipped.
 */
function cpuSampleUnusable(pod: Pod, metric: { timestamp: number; windowMs: number }, cfg: CalculatorConfig, now: number): boolean {
  const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
  const start = time(pod.status?.startTime);
  if (!ready || Number.isNaN(start)) return true;
  const transition = time(ready.lastTransitionTime) || 0;
  if (start + cfg.cpuInitializationPeriodMs > now) return ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
  return ready.status === 'False' && start + cfg.delayOfInitialReadinessStatusMs > transition;
}

/** Requests of `resource` per pod, in milli-units: containers and restartable (sidecar) init containers. */
export function calculatePodRequests(pods: readonly Pod[], container: string, resource: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const pod of pods) {
    const name = pod.metadata?.name ?? '';
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    let sum = 0;
    for (const c of containers) {
      if (container && c.name !== container) continue;
      const req = c.resources?.requests?.[resource];
      if (req === undefined) throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${name}`);
      sum += milliValue(req);
    }
    out.set(name, sum);
  }
  return out;
}

export interface UtilizationRatio {
  usageRatio: number;
  /** Percentage of the requests, floored (int32 in upstream). */
  utilization: number;
  /** Average usage per pod in milli-units, floored. */
  rawAverageValue: number;
}

/** metrics.GetResourceUtilizationRatio: only pods that have both a metric and a request count. */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): UtilizationRatio {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  let entries = 0n;
  for (const [pod, m] of metrics) {
    const req = requests.get(pod);
    if (req === undefined) continue;
    metricsTotal += BigInt(Math.trunc(m.value));
    requestsTotal += BigInt(Math.trunc(req));
    entries++;
  }
  if (requestsTotal === 0n) throw new Error('no metrics returned matched known pods');
  // Integer arithmetic as upstream's int64: large memory totals stay exact.
  const utilization = Number((metricsTotal * 100n) / requestsTotal);
  return { usageRatio: utilization / targetUtilization, utilization, rawAverageValue: Number(metricsTotal / entries) };
}

/** metrics.GetMetricUsageRatio: the floored average against the target average. */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { usageRatio: number; usage: number } {
  let total = 0n;
  for (const m of metrics.values()) total += BigInt(Math.trunc(m.value));
  const usage = Number(total / BigInt(metrics.size));
  return { usageRatio: usage / targetUsage, usage };
}

export interface ResourceReplicasInput {
  currentReplicas: number;
  resource: string;
  /** '' for a Resource metric; the container's name for ContainerResource. */
  container: string;
  pods: readonly Pod[];
  metrics: PodMetricsInfo;
  now: number;
}

export interface ResourceReplicasResult {
  replicas: number;
  utilization: number;
  rawUtilization: number;
}

function withoutPods(metrics: PodMetricsInfo, ...sets: Set<string>[]): PodMetricsInfo {
  const out: PodMetricsInfo = new Map(metrics);
  for (const s of sets) for (const p of s) out.delete(p);
  return out;
}

const changesDirection = (before: number, after: number): boolean => (before < 1 && after > 1) || (before > 1 && after < 1);

/** GetResourceReplicas: the replica count for a target average Utilization (percent of requests). */
export function resourceReplicas(input: ResourceReplicasInput, targetUtilization: number, cfg: CalculatorConfig): ResourceReplicasResult {
  const { currentReplicas, pods } = input;
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, input.metrics, input.resource, cfg, input.now);
  const metrics = withoutPods(input.metrics, g.ignoredPods, g.unreadyPods);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const requests = calculatePodRequests(pods, input.container, input.resource);
  const { usageRatio, utilization, rawAverageValue } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const same = { utilization, rawUtilization: rawAverageValue };

  const scaleUpWithUnready = g.unreadyPods.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (Math.abs(1 - usageRatio) <= cfg.tolerance) return { replicas: currentReplicas, ...same };
    return { replicas: Math.ceil(usageRatio * g.readyPodCount), ...same };
  }
  if (g.missingPods.size > 0) {
    // Scale-down: a pod without a metric is taken to use its whole request (or the target,
    // when that is above 100%); scale-up: nothing. Either way it damps the change.
    const fallback = Math.max(100, targetUtilization);
    for (const p of g.missingPods) {
      if (usageRatio < 1) metrics.set(p, { timestamp: 0, windowMs: 0, value: Math.trunc(((requests.get(p) ?? 0) * fallback) / 100) });
      else if (usageRatio > 1) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });
    }
  }
  if (scaleUpWithUnready) for (const p of g.unreadyPods) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });

  const newUsageRatio = resourceUtilizationRatio(metrics, requests, targetUtilization).usageRatio;
  if (Math.abs(1 - newUsageRatio) <= cfg.tolerance || changesDirection(usageRatio, newUsageRatio)) return { replicas: currentReplicas, ...same };
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1 && newReplicas > currentReplicas) || (newUsageRatio > 1 && newReplicas < currentReplicas)) return { replicas: currentReplicas, ...same };
  return { replicas: newReplicas, ...same };
}

/** GetRawResourceReplicas / calcPlainMetricReplicas: the replica count for a target AverageValue (milli-units). */
export function rawResourceReplicas(input: ResourceReplicasInput, targetUsage: number, cfg: CalculatorConfig): { replicas: number; usage: number } {
  const { currentReplicas, pods } = input;
  if (pods.length === 0) throw new Error('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, input.metrics, input.resource, cfg, input.now);
  const metrics = withoutPods(input.metrics, g.ignoredPods, g.unreadyPods);
  if (metrics.size === 0) throw new Error('did not receive metrics for targeted pods (pods might be unready)');
  const { usageRatio, usage } = metricUsageRatio(metrics, targetUsage);

  const scaleUpWithUnready = g.unreadyPods.size > 0 && usageRatio > 1;
  if (!scaleUpWithUnready && g.missingPods.size === 0) {
    if (Math.abs(1 - usageRatio) <= cfg.tolerance) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(usageRatio * g.readyPodCount), usage };
  }
  if (g.missingPods.size > 0) {
    const value = usageRatio < 1 ? targetUsage : 0;
    for (const p of g.missingPods) metrics.set(p, { timestamp: 0, windowMs: 0, value });
  }
  if (scaleUpWithUnready) for (const p of g.unreadyPods) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });

  const newUsageRatio = metricUsageRatio(metrics, targetUsage).usageRatio;
  if (Math.abs(1 - newUsageRatio) <= cfg.tolerance || changesDirection(usageRatio, newUsageRatio)) return { replicas: currentReplicas, usage };
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if ((newUsageRatio < 1 && newReplicas > currentReplicas) || (newUsageRatio > 1 && newReplicas < currentReplicas)) return { replicas: currentReplicas, usage };
  return { replicas: newReplicas, usage };
}
