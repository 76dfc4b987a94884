// A pod's one-word status, requests and readiness as `kubectl get pods` computes them
// (printers' printPod): deletion → Terminating, a waiting/terminated container's reason, else
// the phase. Kubernetes' own rules, hence hand-written.
import type { Pod, Container } from 'kubernetes-types/core/v1';
import { parseQuantity } from './format.js';

export function podStatus(p: Pod): string {
  if (p.metadata?.deletionTimestamp) return 'Terminating';
  let reason = p.status?.reason || p.status?.phase || 'Unknown';
  for (const c of p.status?.initContainerStatuses ?? []) {
    if (c.state?.terminated && c.state.terminated.exitCode === 0) continue;
    if (c.state?.waiting?.reason && c.state.waiting.reason !== 'PodInitializing') return `Init:${c.state.waiting.reason}`;
    if (c.state?.terminated) return `Init:${c.state.terminated.reason || 'Error'}`;
    return 'Init:0/' + (p.spec?.initContainers?.length ?? 0);
  }
  for (const c of p.status?.containerStatuses ?? []) {
    if (c.state?.waiting?.reason) reason = c.state.waiting.reason;
    else if (c.state?.terminated?.reason) reason = c.state.terminated.reason;
  }
  return reason;
}

export function podReady(p: Pod): string {
  const cs = p.status?.containerStatuses ?? [];
  return `${cs.filter((c) => c.ready).length}/${p.spec?.containers.length ?? cs.length}`;
}

export function podRestarts(p: Pod): number {
  return (p.status?.containerStatuses ?? []).reduce((n, c) => n + (c.restartCount ?? 0), 0);
}

function sum(cs: Container[] | undefined, res: 'cpu' | 'memory'): number {
  return (cs ?? []).reduce((n, c) => n + parseQuantity(c.resources?.requests?.[res]), 0);
}

/** The scheduler's view of a pod's request: max(sum of containers, largest init) + overhead. */
export function podRequest(p: Pod, res: 'cpu' | 'memory'): number {
  const main = sum(p.spec?.containers, res);
  const init = Math.max(0, ...(p.spec?.initContainers ?? []).map((c) => parseQuantity(c.resources?.requests?.[res])));
  return Math.max(main, init) + parseQuantity(p.spec?.overhead?.[res]);
}

/** Pods that still hold their node's resources (not finished). */
export function podActive(p: Pod): boolean {
  return p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed';
}
