// The DaemonSet rolling update (pkg/controller/daemon/update.go rollingUpdate), pure. Without
// maxSurge, old pods are deleted within maxUnavailable and the manage loop puts new ones on
// the emptied nodes. With maxSurge, a new pod is started next to an old one (at most maxSurge
// at a time, and at once where the old one is unavailable anyway), and the old one is deleted
// only when the new one is available, so availability never drops during the update.
import type { DaemonSet } from 'kubernetes-types/apps/v1';
import type { Pod } from 'kubernetes-types/core/v1';
import { REVISION_HASH_LABEL, isPodAvailable, scaledValueFromIntOrPercent } from '../controller/controller-utils.js';

/** One node's view: whether the daemon should run there and its pods that are not being deleted. */
export interface NodePods {
  node: string;
  shouldRun: boolean;
  pods: Pod[];
}

export interface RollingPlan {
  /** Nodes to start a new pod on (surge). */
  create: string[];
  remove: Pod[];
}

/** updatedDesiredNodeCounts: maxSurge and maxUnavailable scaled to the desired count; both 0 means maxUnavailable 1. */
export function updateBudget(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  const ru = ds.spec?.updateStrategy?.type === 'OnDelete' ? undefined : ds.spec?.updateStrategy?.rollingUpdate;
  const maxUnavailable = scaledValueFromIntOrPercent(ru?.maxUnavailable ?? (ru ? 0 : 1), desired, true);
  const maxSurge = scaledValueFromIntOrPercent(ru?.maxSurge ?? 0, desired, true);
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) return { maxSurge, maxUnavailable: 1 };
  return { maxSurge, maxUnavailable };
}

/** findUpdatedPodsOnNode: at most one new and one old pod, or not ok (the manage loop prunes first). */
function splitNode(pods: readonly Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  let newPod: Pod | undefined;
  let oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata?.deletionTimestamp) continue;
    if (p.metadata?.labels?.[REVISION_HASH_LABEL] === hash) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

export function planRollingUpdate(ds: DaemonSet, nodes: readonly NodePods[], hash: string, now: number): RollingPlan {
  const desired = nodes.filter((n) => n.shouldRun).length;
  const { maxSurge, maxUnavailable } = updateBudget(ds, desired);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: Pod): boolean => isPodAvailable(p, minReady, now);
  return maxSurge === 0 ? withoutSurge(nodes, hash, maxUnavailable, available) : withSurge(nodes, hash, maxSurge, desired, available);
}

/** Delete just enough old pods to stay within maxUnavailable; unavailable old pods may always go. */
function withoutSurge(nodes: readonly NodePods[], hash: string, maxUnavailable: number, available: (p: Pod) => boolean): RollingPlan {
  let numUnavailable = 0;
  const replace: Pod[] = [];
  const candidates: Pod[] = [];
  for (const n of nodes) {
    const { newPod, oldPod, ok } = splitNode(n.pods, hash);
    if (!ok || (!newPod && !oldPod) || (newPod && oldPod)) numUnavailable++;
    else if (newPod) {
      if (!available(newPod)) numUnavailable++;
    } else if (oldPod) {
      if (!available(oldPod)) replace.push(oldPod);
      else if (numUnavailable < maxUnavailable) candidates.push(oldPod);
    }
  }
  const room = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidates.length);
  return { create: [], remove: [...replace, ...candidates.slice(0, room)] };
}

/**
 * Surge: a node with an unavailable old pod gets its new pod at once; available old pods get
 * one within maxSurge; an old pod goes when the new one beside it is available. Old pods on
 * nodes the daemon no longer fits are removed only while more than the desired count are available.
 */
function withSurge(nodes: readonly NodePods[], hash: string, maxSurge: number, desired: number, available: (p: Pod) => boolean): RollingPlan {
  const remove: Pod[] = [];
  const shouldNotRun: Pod[] = [];
  const allowedNew: string[] = [];
  const candidateNew: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const n of nodes) {
    const { newPod, oldPod, ok } = splitNode(n.pods, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    const counted = oldPod ?? newPod;
    if (counted && available(counted)) numAvailable++;
    if (!oldPod) continue; // nothing to roll here; the manage loop handles empty nodes
    if (!newPod) {
      if (!available(oldPod)) {
        if (n.shouldRun) allowedNew.push(n.node);
        else remove.push(oldPod);
      } else if (!n.shouldRun) shouldNotRun.push(oldPod);
      else if (numSurge < maxSurge) candidateNew.push(n.node);
      continue;
    }
    // Already surged here: wait for the new pod, then the old one goes.
    if (!available(newPod)) numSurge++;
    else remove.push(oldPod);
  }
  const deletable = Math.min(Math.max(numAvailable - desired, 0), shouldNotRun.length);
  remove.push(...shouldNotRun.slice(0, deletable));
  const room = Math.min(Math.max(maxSurge - numSurge, 0), candidateNew.length);
  return { create: [...allowedNew, ...candidateNew.slice(0, room)], remove };
}
