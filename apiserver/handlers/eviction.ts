// pods/eviction (policy/v1 Eviction), as pkg/registry/core/pod/storage/eviction.go: a pod
// that a PodDisruptionBudget covers is deleted only when the budget allows one more
// disruption; the budget's status is charged first by a compare-and-swap update
// (disruptionsAllowed-1, the pod in disruptedPods), and a lost race (409) starts over with the
// fresh budget. A budget with no disruption left answers 429 TooManyRequests, which kubectl
// drain retries.
import type { PodDisruptionBudget } from 'kubernetes-types/policy/v1';
import { labelSelectorFromObject } from '../../api/labels.js';
import { StatusError, errors, isStatusError } from '../../api/status.js';
import { isObject, type KObject } from '../../api/types.js';
import { parseListOptions } from '../registry/list-options.js';
import type { DeleteOptions, ResourceStore } from '../registry/store.js';

/** Upstream's message for a blocked eviction (kubectl drain prints it as it retries). */
export const VIOLATES_BUDGET = "Cannot evict pod as it would violate the pod's disruption budget.";
/** Upstream's MaxDisruptedPodSize: evictions the controller has not confirmed yet. */
const MAX_DISRUPTED_POD_SIZE = 2000;
/** Upstream's EvictionsRetry: 20 conflicts before giving up. */
const CONFLICT_RETRIES = 20;

type Pdb = PodDisruptionBudget & KObject;
type Pod = KObject & { status?: { phase?: string; conditions?: { type?: string; status?: string }[] } };

/** A 429 with a DisruptionBudget cause, as upstream's createTooManyRequestsError. */
function tooManyRequests(causeMessage: string): StatusError {
  return new StatusError(429, 'TooManyRequests', VIOLATES_BUDGET, { causes: [{ reason: 'DisruptionBudget', message: causeMessage }] });
}

const isReady = (pod: Pod): boolean => (pod.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');

/**
 * canIgnorePDB: a pod already being deleted, or not running (Pending, Succeeded, Failed),
 * disrupts nothing, so its eviction is a plain delete.
 */
export function canIgnorePdb(pod: Pod): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata?.deletionTimestamp || phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending';
}

/** The budgets whose (policy/v1) selector picks the pod; invalid selectors pick nothing. */
export function budgetsFor(pod: Pod, pdbs: readonly Pdb[]): Pdb[] {
  return pdbs.filter((pdb) => {
    try {
      return pdb.metadata?.namespace === pod.metadata?.namespace && labelSelectorFromObject(pdb.spec?.selector).matches(pod.metadata?.labels ?? {});
    } catch {
      return false;
    }
  });
}

/**
 * An unready pod may go without spending the budget when the budget is already met
 * (IfHealthyBudget) or always (AlwaysAllow), as upstream's unhealthy-pod eviction policy.
 */
export function unhealthyMayGo(pod: Pod, pdb: Pdb): boolean {
  if (isReady(pod)) return false;
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const s = pdb.status;
  return (pdb.status?.observedGeneration ?? 0) >= (pdb.metadata?.generation ?? 0) && !!s && s.desiredHealthy > 0 && s.currentHealthy >= s.desiredHealthy;
}

/**
 * checkAndDecrement: the budget's next status when one more pod (podName) is disrupted at
 * `now`, or the error that refuses it.
 */
export function chargeBudget(pdb: Pdb, podName: string, now: Date): Pdb {
  const name = pdb.metadata?.name ?? '';
  const s = pdb.status;
  const gr = { group: 'policy', resource: 'poddisruptionbudgets' };
  if ((s?.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw tooManyRequests(`The disruption budget ${name} is still being processed by the server.`);
  const allowed = s?.disruptionsAllowed ?? 0;
  if (allowed < 0) throw errors.forbidden(gr, name, 'pdb disruptions allowed is negative');
  if (Object.keys(s?.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw errors.forbidden(gr, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) throw tooManyRequests(`The disruption budget ${name} needs ${s?.desiredHealthy ?? 0} healthy pods and has ${s?.currentHealthy ?? 0} currently`);
  const at = now.toISOString().replace(/\.\d+Z$/, 'Z');
  return {
    ...pdb,
    status: { ...s!, disruptionsAllowed: allowed - 1, disruptedPods: { ...(s?.disruptedPods ?? {}), [podName]: at } },
  };
}

export interface EvictionStores {
  pods: ResourceStore;
  pdbs: ResourceStore;
}

/** Evicts pod namespace/name: the budget checks, then the delete. Throws the Status to send. `onPod` sees the pod found (for audit). */
export async function evictPod(stores: EvictionStores, namespace: string, name: string, eviction: unknown, opts: DeleteOptions, onPod?: (pod: KObject) => void): Promise<void> {
  if (isObject(eviction) && isObject(eviction.metadata) && eviction.metadata.name !== undefined && eviction.metadata.name !== name) {
    throw errors.badRequest('name in URL does not match name in Eviction object');
  }
  for (let attempt = 0; ; attempt++) {
    const pod = (await stores.pods.get(namespace, name)) as Pod; // 404 for a missing pod
    onPod?.(pod);
    let deleteOpts = opts;
    if (!canIgnorePdb(pod)) {
      const all = (await stores.pdbs.list(namespace, parseListOptions(stores.pdbs.info, {}))).items.map((i) => i.obj as Pdb);
      const pdbs = budgetsFor(pod, all);
      if (pdbs.length > 1) throw errors.internal('This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.');
      if (pdbs.length === 1 && unhealthyMayGo(pod, pdbs[0])) {
        // Free only while it stays unready: a pod that became Ready since is a 409, and a new try.
        if (!opts.preconditions?.resourceVersion) deleteOpts = { ...opts, preconditions: { ...opts.preconditions, resourceVersion: pod.metadata?.resourceVersion } };
      } else if (pdbs.length === 1) {
        const next = chargeBudget(pdbs[0], name, new Date());
        if (!opts.dryRun) {
          try {
            // resourceVersion is the listed one: a concurrent eviction or controller write is a 409.
            await stores.pdbs.update(namespace, pdbs[0].metadata?.name ?? '', next, { subresource: 'status' });
          } catch (e) {
            if (isStatusError(e) && e.code === 409 && attempt < CONFLICT_RETRIES) continue;
            throw e;
          }
        }
      }
    }
    try {
      await stores.pods.delete(namespace, name, deleteOpts);
    } catch (e) {
      if (deleteOpts !== opts && isStatusError(e) && e.code === 409 && attempt < CONFLICT_RETRIES) continue;
      throw e;
    }
    return;
  }
}
