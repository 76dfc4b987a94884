// Helpers every workload controller shares, as Kubernetes' pkg/controller/controller_utils.go:
// expectations (so a burst of informer events never makes a controller act twice on the same
// gap), slow-start batches, pods from templates, template hashes, resolving a controllerRef,
// and pod state predicates.
import type { Pod, PodCondition, PodTemplateSpec } from 'kubernetes-types/core/v1';
import type { ObjectMeta, OwnerReference } from 'kubernetes-types/meta/v1';
import { isConflict, isNotFound, type Lister, type ObjectLike, type ResourceClient } from '../../client/index.js';
import { canonicalJson } from '../../api/json.js';
import type { GroupVersionKind } from './controller-ref-manager.js';
import { semanticEqual } from '../../api/validation/equal.js';

/** How long unobserved expectations block a controller before it syncs anyway (k8s: 5 min). */
export const EXPECTATIONS_TTL_MS = 5 * 60 * 1000;
/** The first batch of a slow start (k8s' SlowStartInitialBatchSize). */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** Pods created or deleted per sync at most (k8s' BurstReplicas). */
export const BURST_REPLICAS = 500;
/** The label carrying a pod's template revision (apps.ControllerRevisionHashLabelKey). */
export const REVISION_HASH_LABEL = 'controller-revision-hash';

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
}

/**
 * ControllerExpectations with UID tracking (UIDTrackingControllerExpectations): a controller
 * records how many creates/deletes it issued; the informer lowers the counts as it observes
 * them; until both reach zero (or the TTL passes) the controller does not act again on the
 * key, because its cache cannot yet show the effect of its own writes. Deletions are tracked
 * by pod key, so a pod whose deletion is seen twice (update with deletionTimestamp, then
 * delete) is counted once.
 */
export class ControllerExpectations {
  private readonly entries = new Map<string, Expectation>();
  private readonly deleting = new Map<string, Set<string>>();

  constructor(
    private readonly now: () => number = Date.now,
    private readonly ttlMs = EXPECTATIONS_TTL_MS,
  ) {}

  /** True when the controller may act: no expectations, all observed, or expired. */
  satisfied(key: string): boolean {
    const e = this.entries.get(key);
    if (!e) return true;
    return (e.add <= 0 && e.del <= 0) || this.now() - e.timestamp > this.ttlMs;
  }

  get(key: string): { add: number; del: number } | undefined {
    const e = this.entries.get(key);
    return e ? { add: e.add, del: e.del } : undefined;
  }

  expectCreations(key: string, adds: number): void {
    this.entries.set(key, { add: adds, del: 0, timestamp: this.now() });
  }

  /** Expects the given pods (by `namespace/name`) to be deleted. */
  expectDeletions(key: string, podKeys: readonly string[]): void {
    const set = this.deleting.get(key) ?? new Set<string>();
    for (const k of podKeys) set.add(k);
    this.deleting.set(key, set);
    this.entries.set(key, { add: 0, del: podKeys.length, timestamp: this.now() });
  }

  creationObserved(key: string): void {
    this.lower(key, 1, 0);
  }

  /** Lowers the delete count only if this pod's deletion was expected and not yet seen. */
  deletionObserved(key: string, podKey: string): void {
    const set = this.deleting.get(key);
    if (!set || !set.delete(podKey)) return;
    if (set.size === 0) this.deleting.delete(key);
    this.lower(key, 0, 1);
  }

  /** Forgets a controller (it was deleted). */
  delete(key: string): void {
    this.entries.delete(key);
    this.deleting.delete(key);
  }

  private lower(key: string, add: number, del: number): void {
    const e = this.entries.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }
}

/**
 * Calls `fn` `count` times in batches of 1, 2, 4, … (k8s' slowStartBatch), all calls of a
 * batch in parallel; stops after the first batch with an error, so a failing apiserver or a
 * quota is hit once, not `count` times. Returns how many calls succeeded and the first error.
 */
export async function slowStartBatch(
  count: number,
  initialBatchSize: number,
  fn: () => Promise<void>,
): Promise<{ successes: number; error?: unknown }> {
  let remaining = count;
  let successes = 0;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    const results = await Promise.allSettled(Array.from({ length: batch }, () => fn()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    successes += results.filter((r) => r.status === 'fulfilled').length;
    if (failed) return { successes, error: failed.reason };
    remaining -= batch;
  }
  return { successes };
}

/** The batch sizes slowStartBatch uses for `count` calls (for tests and logs). */
export function slowStartBatchSizes(count: number, initialBatchSize = SLOW_START_INITIAL_BATCH_SIZE): number[] {
  const sizes: number[] = [];
  let remaining = count;
  for (let batch = Math.min(remaining, initialBatchSize); batch > 0; batch = Math.min(2 * batch, remaining)) {
    sizes.push(batch);
    remaining -= batch;
  }
  return sizes;
}

// ---- pod predicates (k8s.io/kubernetes/pkg/api/v1/pod) ----

/** Not terminated and not being deleted (controller.IsPodActive). */
export function isPodActive(pod: Pod): boolean {
  return pod.status?.phase !== 'Succeeded' && pod.status?.phase !== 'Failed' && !pod.metadata?.deletionTimestamp;
}

export function podReadyCondition(pod: Pod): PodCondition | undefined {
  return pod.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(pod: Pod): boolean {
  return podReadyCondition(pod)?.status === 'True';
}

/** Ready for at least `minReadySeconds` as of `now` (podutil.IsPodAvailable). */
export function isPodAvailable(pod: Pod, minReadySeconds: number, now: number): boolean {
  const c = podReadyCondition(pod);
  if (c?.status !== 'True') return false;
  if (!minReadySeconds) return true;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(since) && since + minReadySeconds * 1000 < now;
}

/**
 * When a ready-but-not-yet-available pod becomes available (ms from `now`), the soonest over
 * `pods`; undefined when none is waiting. Controllers requeue for then, since no event marks
 * the moment minReadySeconds passes.
 */
export function nextAvailableInMs(pods: readonly Pod[], minReadySeconds: number, now: number): number | undefined {
  if (!minReadySeconds) return undefined;
  let soonest: number | undefined;
  for (const pod of pods) {
    const c = podReadyCondition(pod);
    if (c?.status !== 'True' || !c.lastTransitionTime) continue;
    const at = Date.parse(c.lastTransitionTime) + minReadySeconds * 1000 + 1;
    if (at > now && (soonest === undefined || at - now < soonest)) soonest = at - now;
  }
  return soonest;
}

/** The key an informer files an object under: `namespace/name`. */
export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/**
 * PUT `obj`'s status subresource with `status` unless it is already that (semantically); on a
 * conflict, once more on a fresh GET (k8s' statusUpdateRetries). An object gone meanwhile is
 * not an error.
 */
export async function putStatus<T extends ObjectLike & { status?: unknown }>(client: ResourceClient<T>, obj: T, status: T['status']): Promise<void> {
  if (semanticEqual(obj.status ?? {}, status)) return;
  let current = obj;
  for (let attempt = 0; ; attempt++) {
    try {
      await client.updateStatus({ ...current, status });
      return;
    } catch (e) {
      if (isNotFound(e)) return;
      if (attempt >= 1 || !isConflict(e)) throw e;
      current = await client.get(obj.metadata?.name ?? '');
    }
  }
}

/** The pod an owner creates (GetPodFromTemplate): template metadata + spec, generateName, controllerRef. */
export function podFromTemplate(owner: { metadata?: ObjectMeta; spec?: { template?: PodTemplateSpec } }, controllerRef: OwnerReference): Pod {
  const tmpl = owner.spec?.template ?? {};
  const meta = tmpl.metadata ?? {};
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: `${owner.metadata?.name ?? ''}-`,
      namespace: owner.metadata?.namespace,
      ...(meta.labels ? { labels: { ...meta.labels } } : {}),
      ...(meta.annotations ? { annotations: { ...meta.annotations } } : {}),
      ...(meta.finalizers ? { finalizers: [...meta.finalizers] } : {}),
      ownerReferences: [controllerRef],
    },
    spec: structuredClone(tmpl.spec ?? { containers: [] }),
  };
}

/**
 * The owner a controllerRef points at (each controller's resolveControllerRef): of kind `gvk`
 * (any version of its group), in `owners`, and still the same object (uid), else undefined.
 */
export function resolveControllerRef<T extends ObjectLike>(owners: Lister<T>, gvk: GroupVersionKind, namespace: string, ref: OwnerReference | undefined): T | undefined {
  if (!ref || ref.kind !== gvk.kind || groupOf(ref.apiVersion) !== groupOf(gvk.apiVersion)) return undefined;
  const owner = owners.getByName(namespace, ref.name);
  return owner?.metadata?.uid === ref.uid ? owner : undefined;
}

/** The group of an apiVersion (`apps/v1` → `apps`; core `v1` → `v1`, which no group is named). */
const groupOf = (apiVersion: string): string => apiVersion.split('/')[0] ?? '';

/** A 403 with cause NamespaceTerminating: the namespace is going away, nothing to do. */
export function namespaceTerminating(e: unknown): boolean {
  const causes = (e as { status?: { details?: { causes?: { reason?: string }[] } } })?.status?.details?.causes ?? [];
  return causes.some((c) => c.reason === 'NamespaceTerminating');
}

// ---- template hashes (controller.ComputeHash) ----
// Kubernetes hashes the template with FNV-32a over a deep printing of the Go struct; any
// stable hash works as long as the mechanics are the same, so this one hashes canonical JSON
// (sorted keys) with FNV-32a, adds the collision count the same way, and encodes the decimal
// sum with k8s' SafeEncodeString alphabet.

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

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is, or `N%` of `total`, rounded up or
 * down. Anything else is an error (validation rejects it on write).
 */
export function scaledValueFromIntOrPercent(v: number | string | undefined, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}
