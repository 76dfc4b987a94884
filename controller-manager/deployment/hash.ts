// The pod-template-hash: a Deployment names each ReplicaSet `<deployment>-<hash>`, labels its
// pods and extends its selector with `pod-template-hash=<hash>`, so ReplicaSets of different
// templates never select each other's pods. Kubernetes hashes the template with FNV-32a over
// a deep printing of the Go struct; any stable hash works as long as the mechanics are the
// same, so this one hashes canonical JSON (sorted keys) with FNV-32a, adds the collision
// count the same way, and encodes the decimal sum with k8s' SafeEncodeString alphabet.
import type { PodTemplateSpec } from 'kubernetes-types/core/v1';
import { canonicalJson } from '../../api/json.js';
import type { LabelSelector } from 'kubernetes-types/meta/v1';

/** The label (and selector key) carrying the hash (apps.DefaultDeploymentUniqueLabelKey). */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Vowel-free alphabet so generated strings never spell words (k8s rand.SafeEncodeString). */
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}

/** FNV-1a, 32 bit, over bytes; returns an unsigned 32-bit integer. */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** controller.ComputeHash: the template's hash, perturbed by the collision count when there is one. */
export function computeHash(template: PodTemplateSpec | undefined, collisionCount?: number): string {
  let h = fnv32a(Buffer.from(canonicalJson(template ?? {}), 'utf8'));
  if (collisionCount !== undefined && collisionCount !== null) {
    // As k8s: the count as 8 little-endian bytes (uint32 in the first four) fed to the same hasher.
    const extra = Buffer.alloc(8);
    extra.writeUInt32LE(collisionCount >>> 0, 0);
    h = fnv32a(extra, h);
  }
  return safeEncodeString(String(h));
}

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
