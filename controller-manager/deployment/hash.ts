// The pod-template-hash label: a Deployment names each ReplicaSet `<deployment>-<hash>`
// (controller-utils' computeHash), labels its pods and extends its selector with
// `pod-template-hash=<hash>`, so ReplicaSets of different templates never select each other's pods.
import type { LabelSelector } from 'kubernetes-types/meta/v1';

/** The label (and selector key) carrying the hash (apps.DefaultDeploymentUniqueLabelKey). */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** A copy of `labels` with key=value added (labelsutil.CloneAndAddLabel; empty value = unchanged). */
export function cloneAndAddLabel(labels: Record<string, string> | undefined, key: string, value: string): Record<string, string> {
  if (value === '') return { ...labels };
  return { ...labels, [key]: value };
}

/** A copy of the selector requiring key=value too (labelsutil.CloneSelectorAndAddLabel). */
export function cloneSelectorAndAddLabel(selector: LabelSelector | undefined, key: string, value: string): LabelSelector {
  const copy: LabelSelector = structuredClone(selector ?? {});
  if (value === '') return copy;
  copy.matchLabels = { ...copy.matchLabels, [key]: value };
  return copy;
}
