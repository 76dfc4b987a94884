// autoscaling/v1 HorizontalPodAutoscaler ⇄ autoscaling/v2 (the stored form), as
// pkg/apis/autoscaling/v1/conversion.go does it: v1 has only a target CPU utilization, so what
// v2 says beyond that (other metrics, current metrics, conditions, behavior) rides in
// annotations and comes back on the way in, and a v1 client can round-trip a v2 object.
// (Upstream writes the metrics annotations in autoscaling/v1's alpha MetricSpec shape; here
// they hold the v2 shape, which only a client reading these annotations would notice.)
import type { KObject } from '../types.js';
import { isObject } from '../types.js';

export const METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
export const CURRENT_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/current-metrics';
export const CONDITIONS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/conditions';
export const BEHAVIOR_ANNOTATION = 'autoscaling.alpha.kubernetes.io/behavior';


type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (isObject(v) ? v : {});
const arr = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isObject) : []);

function isCpuUtilization(m: Json): boolean {
  const r = obj(m.resource);
  return m.type === 'Resource' && r.name === 'cpu' && obj(r.target).type === 'Utilization';
}

function withAnnotations(meta: unknown, add: Record<string, unknown>): Json {
  const m = { ...obj(meta) };
  const ann: Record<string, string> = { ...(obj(m.annotations) as Record<string, string>) };
  for (const [k, v] of Object.entries(add)) if (v !== undefined) ann[k] = JSON.stringify(v);
  if (Object.keys(ann).length) m.annotations = ann;
  return m;
}

export function hpaV2ToV1(hpa: KObject): KObject {
  const spec = obj(hpa.spec);
  const status = obj(hpa.status);
  const metrics = arr(spec.metrics);
  const cpu = metrics.find(isCpuUtilization);
  const others = metrics.filter((m) => m !== cpu);
  const current = arr(status.currentMetrics);
  const currentCpu = current.find((m) => m.type === 'Resource' && obj(m.resource).name === 'cpu');
  const conditions = arr(status.conditions);
  const v1Spec: Json = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v1Spec.minReplicas = spec.minReplicas;
  if (cpu) v1Spec.targetCPUUtilizationPercentage = obj(obj(cpu.resource).target).averageUtilization;
  const v1Status: Json = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 };
  for (const k of ['observedGeneration', 'lastScaleTime']) if (status[k] !== undefined) v1Status[k] = status[k];
  const util = obj(obj(currentCpu?.resource).current).averageUtilization;
  if (util !== undefined) v1Status.currentCPUUtilizationPercentage = util;
  const metadata = withAnnotations(hpa.metadata, {
    [METRICS_ANNOTATION]: others.length ? others : undefined,
    [CURRENT_METRICS_ANNOTATION]: current.length ? current : undefined,
    [CONDITIONS_ANNOTATION]: conditions.length ? conditions : undefined,
    [BEHAVIOR_ANNOTATION]: spec.behavior,
  });
  return { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata, spec: v1Spec, ...(hpa.status ? { status: v1Status } : {}) };
}

function takeAnnotation(ann: Record<string, string>, key: string): unknown {
  const raw = ann[key];
  delete ann[key];
  if (raw === undefined) return undefined;
  try {
    return JSON.parse(raw);
  } catch {
    return undefined; // a hand-edited annotation that is not JSON carries nothing
  }
}

export function hpaV1ToV2(hpa: KObject): KObject {
  const spec = obj(hpa.spec);
  const status = obj(hpa.status);
  const metadata = { ...obj(hpa.metadata) };
  const ann = { ...(obj(metadata.annotations) as Record<string, string>) };
  const others = arr(takeAnnotation(ann, METRICS_ANNOTATION));
  const current = arr(takeAnnotation(ann, CURRENT_METRICS_ANNOTATION));
  const conditions = arr(takeAnnotation(ann, CONDITIONS_ANNOTATION));
  const behavior = takeAnnotation(ann, BEHAVIOR_ANNOTATION);
  if (Object.keys(ann).length) metadata.annotations = ann;
  else delete metadata.annotations;
  const metrics: Json[] = [];
  if (typeof spec.targetCPUUtilizationPercentage === 'number') {
    metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
  }
  metrics.push(...others);
  const v2Spec: Json = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
  if (spec.minReplicas !== undefined) v2Spec.minReplicas = spec.minReplicas;
  if (metrics.length) v2Spec.metrics = metrics;
  if (isObject(behavior)) v2Spec.behavior = behavior;
  const out: KObject = { apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler', metadata, spec: v2Spec };
  if (hpa.status !== undefined) {
    const v2Status: Json = { currentReplicas: status.currentReplicas ?? 0, desiredReplicas: status.desiredReplicas ?? 0 };
    for (const k of ['observedGeneration', 'lastScaleTime']) if (status[k] !== undefined) v2Status[k] = status[k];
    if (current.length) v2Status.currentMetrics = current;
    else if (typeof status.currentCPUUtilizationPercentage === 'number') {
      v2Status.currentMetrics = [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } }];
    }
    if (conditions.length) v2Status.conditions = conditions;
    out.status = v2Status;
  }
  return out;
}

