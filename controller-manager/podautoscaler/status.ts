// The HPA status the controller writes (horizontal.go's setCondition, setStatus and
// updateStatusIfNeeded): conditions keep their lastTransitionTime unless their status flips,
// and the status is written only when it differs from what was read.
import { isDeepStrictEqual } from 'node:util';
import type { HorizontalPodAutoscaler, HorizontalPodAutoscalerCondition, HorizontalPodAutoscalerStatus, MetricStatus } from 'kubernetes-types/autoscaling/v2';
import { metaTime } from '../../api/time.js';

export type ConditionType = 'AbleToScale' | 'ScalingActive' | 'ScalingLimited';
export type ConditionStatus = 'True' | 'False' | 'Unknown';

/** setConditionInList: sets (or adds, at the end) one condition type. */
export function setCondition(hpa: HorizontalPodAutoscaler, type: ConditionType, status: ConditionStatus, reason: string, message: string, now: number): void {
  const st: HorizontalPodAutoscalerStatus = (hpa.status ??= { desiredReplicas: 0 });
  const list = (st.conditions ??= []);
  let cond = list.find((c) => c.type === type);
  if (!cond) {
    cond = { type, status: '' };
    list.push(cond);
  }
  if (cond.status !== status) (cond as HorizontalPodAutoscalerCondition).lastTransitionTime = metaTime(now);
  cond.status = status;
  cond.reason = reason;
  cond.message = message;
}

export function conditionOf(hpa: HorizontalPodAutoscaler, type: ConditionType): HorizontalPodAutoscalerCondition | undefined {
  return hpa.status?.conditions?.find((c) => c.type === type);
}

export interface StatusArgs {
  currentReplicas: number;
  desiredReplicas: number;
  metricStatuses: MetricStatus[] | undefined;
  rescaled: boolean;
  now: number;
}

/** setStatus: a fresh status keeping lastScaleTime (bumped on a rescale) and the conditions. */
export function setStatus(hpa: HorizontalPodAutoscaler, a: StatusArgs): void {
  const prev = hpa.status;
  const status: HorizontalPodAutoscalerStatus = {
    ...(hpa.metadata?.generation !== undefined ? { observedGeneration: hpa.metadata.generation } : {}),
    currentReplicas: a.currentReplicas,
    desiredReplicas: a.desiredReplicas,
  };
  const lastScaleTime = a.rescaled ? metaTime(a.now) : prev?.lastScaleTime;
  if (lastScaleTime) status.lastScaleTime = lastScaleTime;
  if (a.metricStatuses) status.currentMetrics = a.metricStatuses;
  if (prev?.conditions) status.conditions = prev.conditions;
  hpa.status = status;
}

/** Whether the status changed from what was read (apiequality.Semantic.DeepEqual on the JSON). */
export function statusChanged(original: HorizontalPodAutoscalerStatus | undefined, current: HorizontalPodAutoscalerStatus | undefined): boolean {
  const norm = (s: HorizontalPodAutoscalerStatus | undefined): unknown => JSON.parse(JSON.stringify(s ?? {})) as unknown;
  return !isDeepStrictEqual(norm(original), norm(current));
}
