// The metrics.k8s.io/v1beta1 objects (k8s.io/metrics/pkg/apis/metrics/v1beta1): NodeMetrics and
// PodMetrics built from the storage's rates and the listed Node/Pod's metadata, and their
// lists. As upstream: `timestamp` is the later point's time, `window` the interval between the
// two points (a Go duration), `creationTimestamp` the time of the answer. Pure.
import type { Node, Pod } from 'kubernetes-types/core/v1';
import { formatDurationMs } from '../client/duration.js';
import type { NodeMetricsValue, PodMetricsValue } from './storage.js';
import type { Usage } from './types.js';

export const METRICS_GROUP = 'metrics.k8s.io';
export const METRICS_VERSION = 'v1beta1';
export const METRICS_API_VERSION = `${METRICS_GROUP}/${METRICS_VERSION}`;

export interface NodeMetrics {
  kind: 'NodeMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  usage: Usage;
}

export interface PodMetrics {
  kind: 'PodMetrics';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: { name: string; namespace: string; creationTimestamp: string; labels?: Record<string, string> };
  timestamp: string;
  window: string;
  containers: { name: string; usage: Usage }[];
}

export interface MetricsList<T> {
  kind: 'NodeMetricsList' | 'PodMetricsList';
  apiVersion: typeof METRICS_API_VERSION;
  metadata: Record<string, never>;
  items: T[];
}

/** metav1.Time: RFC 3339, whole seconds. */
const metaTime = (d: Date): string => d.toISOString().replace(/\.\d{3}Z$/, 'Z');

export function nodeMetricsObject(node: Node, m: NodeMetricsValue, now: Date): NodeMetrics {
  const labels = node.metadata?.labels;
  return {
    kind: 'NodeMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: { name: node.metadata?.name ?? '', creationTimestamp: metaTime(now), ...(labels && Object.keys(labels).length ? { labels } : {}) },
    timestamp: metaTime(m.time.timestamp),
    window: formatDurationMs(m.time.windowMs),
    usage: m.usage,
  };
}

export function podMetricsObject(pod: Pod, m: PodMetricsValue, now: Date): PodMetrics {
  const labels = pod.metadata?.labels;
  return {
    kind: 'PodMetrics',
    apiVersion: METRICS_API_VERSION,
    metadata: {
      name: pod.metadata?.name ?? '',
      namespace: pod.metadata?.namespace ?? '',
      creationTimestamp: metaTime(now),
      ...(labels && Object.keys(labels).length ? { labels } : {}),
    },
    timestamp: metaTime(m.time.timestamp),
    window: formatDurationMs(m.time.windowMs),
    containers: m.containers,
  };
}

export function metricsList<T>(kind: MetricsList<T>['kind'], items: T[]): MetricsList<T> {
  return { kind, apiVersion: METRICS_API_VERSION, metadata: {}, items };
}
