// Indexed completion mode (pkg/controller/job/indexed_job_utils.go), pure: the completion index
// a pod carries, `status.completedIndexes` in Kubernetes' compressed interval format ("0-2,4",
// with two neighbours written "5,6"), which indexes still need a pod, and the per-index pod
// template (annotation + label, JOB_COMPLETION_INDEX, hostname, generateName). Hand-written:
// the format and the rules are Kubernetes' own.
import type { Container, Pod, PodTemplateSpec } from 'kubernetes-types/core/v1';

export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';
/** names.MaxGeneratedNameLength: 63 minus the 5 random characters generateName adds. */
const MAX_GENERATED_NAME_LENGTH = 58;

export interface Interval {
  first: number;
  last: number;
}

/** The pod's completion index from its annotation; -1 when missing or not a non-negative integer. */
export function completionIndex(pod: Pod): number {
  const v = pod.metadata?.annotations?.[COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^[0-9]+$/.test(v)) return -1;
  const i = Number(v);
  return Number.isSafeInteger(i) ? i : -1;
}

/** Parses completedIndexes, dropping what lies at or beyond `completions` and skipping corrupt parts, as succeededIndexesFromString. */
export function parseIntervals(s: string | undefined, completions: number): Interval[] {
  const out: Interval[] = [];
  if (!s) return out;
  for (const part of s.split(',')) {
    const [a, b] = part.split('-');
    if (!a || !/^[0-9]+$/.test(a) || (b !== undefined && !/^[0-9]+$/.test(b))) continue;
    const first = Number(a);
    if (first >= completions) break;
    const last = b === undefined ? first : Math.min(Number(b), completions - 1);
    const prev = out[out.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else out.push({ first, last });
  }
  return out;
}

/** The intervals plus `indexes` (ascending), merged: orderedIntervals.withOrderedIndexes. */
export function withIndexes(intervals: readonly Interval[], indexes: readonly number[]): Interval[] {
  const items = [...intervals.map((iv) => ({ ...iv })), ...indexes.map((i) => ({ first: i, last: i }))].sort((x, y) => x.first - y.first);
  const out: Interval[] = [];
  for (const iv of items) {
    const prev = out[out.length - 1];
    if (!prev || iv.first > prev.last + 1) out.push({ ...iv });
    else if (iv.last > prev.last) prev.last = iv.last;
  }
  return out;
}

export function formatIntervals(intervals: readonly Interval[]): string {
  return intervals.map(({ first, last }) => (last === first ? `${first}` : last === first + 1 ? `${first},${last}` : `${first}-${last}`)).join(',');
}

export function intervalsTotal(intervals: readonly Interval[]): number {
  return intervals.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
}

export function intervalsHave(intervals: readonly Interval[], i: number): boolean {
  return intervals.some((iv) => iv.first <= i && i <= iv.last);
}

/** The first `count` indexes below `completions` that neither succeeded nor have an active pod (firstPendingIndexes). */
export function firstPendingIndexes(active: readonly Pod[], succeeded: readonly Interval[], count: number, completions: number): number[] {
  const busy = withIndexes(succeeded, [...new Set(active.map(completionIndex).filter((i) => i >= 0))].sort((a, b) => a - b));
  const out: number[] = [];
  for (let i = 0; i < completions && out.length < count; i++) if (!intervalsHave(busy, i)) out.push(i);
  return out;
}

/**
 * Active pods to delete because their index is missing, out of range, or repeated (one kept
 * per index: the one furthest along, as controller.ActivePods ranks), appendDuplicatedIndexPodsForRemoval.
 */
export function duplicateIndexPods(active: readonly Pod[], completions: number, rank: (pods: readonly Pod[]) => Pod[]): Pod[] {
  const byIndex = new Map<number, Pod[]>();
  const remove: Pod[] = [];
  for (const p of active) {
    const i = completionIndex(p);
    if (i < 0 || i >= completions) remove.push(p);
    else byIndex.set(i, [...(byIndex.get(i) ?? []), p]);
  }
  // rank() lists the pods to delete first at the front: keep the last one.
  for (const pods of byIndex.values()) if (pods.length > 1) remove.push(...rank(pods).slice(0, -1));
  return remove;
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so the whole fits a generated name. */
export function generateNameWithIndex(jobName: string, index: number): string {
  const suffix = `-${index}-`;
  const prefix = jobName + suffix;
  return prefix.length > MAX_GENERATED_NAME_LENGTH ? jobName.slice(0, MAX_GENERATED_NAME_LENGTH - suffix.length) + suffix : prefix;
}

function withIndexEnv(c: Container): Container {
  if ((c.env ?? []).some((e) => e.name === COMPLETION_INDEX_ENV)) return c;
  // Read from the label (PodIndexLabel, on by default since 1.28), like the controller does.
  const fieldPath = `metadata.labels['${COMPLETION_INDEX_ANNOTATION}']`;
  return { ...c, env: [...(c.env ?? []), { name: COMPLETION_INDEX_ENV, valueFrom: { fieldRef: { fieldPath } } }] };
}

/** The template of index `index`'s pod: annotation and label, JOB_COMPLETION_INDEX in every container, hostname `<job>-<index>`. */
export function indexedTemplate(jobName: string, template: PodTemplateSpec, index: number): PodTemplateSpec {
  const t = structuredClone(template);
  const meta = (t.metadata ??= {});
  meta.annotations = { ...meta.annotations, [COMPLETION_INDEX_ANNOTATION]: String(index) };
  meta.labels = { ...meta.labels, [COMPLETION_INDEX_ANNOTATION]: String(index) };
  const spec = (t.spec ??= { containers: [] });
  spec.containers = spec.containers.map(withIndexEnv);
  if (spec.initContainers) spec.initContainers = spec.initContainers.map(withIndexEnv);
  spec.hostname = `${jobName}-${index}`;
  return t;
}
