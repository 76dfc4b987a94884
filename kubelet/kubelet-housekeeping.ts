// Periodic work (kubelet.go syncLoop's syncCh and housekeepingCh): every sync period each pod
// is synced again; every housekeeping interval HandlePodCleanups runs — pods the runtime has
// but the API no longer does get a worker (which removes them), orphaned pod volume dirs are
// torn down, the running pod/container gauges are set, and stale backoff entries and
// service-account tokens are dropped.
import type { KubeletState } from './kubelet-state.js';
import { enqueuePod } from './kubelet-handlers.js';

/** Starts the periodic resync and housekeeping; clear the returned timers to stop them. */
export function startPeriodicWork(k: KubeletState): NodeJS.Timeout[] {
  const every = (ms: number, fn: () => Promise<void> | void): NodeJS.Timeout => {
    const t = setInterval(() => {
      Promise.resolve(fn()).catch((err: unknown) => k.log.warn({ err }, 'housekeeping failed'));
    }, ms);
    t.unref();
    return t;
  };
  return [
    every(k.o.syncFrequencyMs, () => {
      for (const pod of k.podInformer.lister.list()) enqueuePod(k, pod);
    }),
    every(k.o.housekeepingIntervalMs, () => handlePodCleanups(k)),
  ];
}

export async function handlePodCleanups(k: KubeletState): Promise<void> {
  const known = new Set([...k.podInformer.lister.list()].map((p) => p.metadata?.uid ?? ''));
  for (const uid of k.lastKnown.keys()) known.add(uid);
  const inRuntime = k.pleg?.podUids() ?? new Set<string>();
  // A pod in the runtime that no one knows of: its worker finds no pod and removes it.
  for (const uid of inRuntime) if (!known.has(uid) && !k.podWorkers.has(uid)) k.podWorkers.update(uid);
  for (const uid of await k.deps.volumes.orphanedPodUids(new Set([...known, ...inRuntime]))) await k.deps.volumes.teardown(uid);
  updateRunningGauges(k);
  k.deps.crashBackoff.gc();
  k.tokens.cleanup();
}

function updateRunningGauges(k: KubeletState): void {
  const counts = k.pleg?.counts();
  if (!counts) return;
  k.metrics.runningPods.set(counts.readySandboxes);
  k.metrics.runningContainers.set({ container_state: 'running' }, counts.running);
  k.metrics.runningContainers.set({ container_state: 'exited' }, counts.exited);
}
