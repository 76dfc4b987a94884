// Evicting a pod from the kubelet's side (TerminatePodAbnormallyAndWait in pod_workers.go): the
// eviction manager asks, the pod's own worker does it — so the kill never races a sync that
// would restart the containers. The worker sees the pod as Failed/Evicted from then on, kills
// it with the eviction's grace period and writes that status (the DisruptionTarget condition
// and the reason kept), then frees the pod's volumes (an evicted emptyDir is what relieves disk
// pressure). Until the informer shows the Failed pod, the worker keeps seeing the evicted one.
import type { Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { EventRecorder } from '../client/index.js';
import type { Threshold } from './eviction/api.js';
import { EvictionManager, type EvictionStatus } from './eviction/eviction-manager.js';
import { EvictionStats } from './eviction/stats.js';
import { dockerSocketPath, type ResolvedKubeletOptions } from './options.js';
import { DockerClient } from './runtime/docker/client.js';
import type { Runtime } from './runtime/runtime.js';

interface Eviction {
  gracePeriodSeconds: number;
  status: EvictionStatus;
}

interface Pending {
  resolve(): void;
  done: Promise<void>;
}

export class PodEvictions {
  /** Pods evicted (or being evicted), by uid. */
  private readonly evicted = new Map<string, Eviction>();
  private readonly pending = new Map<string, Pending>();

  /** Asks for the eviction; `wake` gets the pod's worker going; resolves when the worker has run it. */
  request(uid: string, gracePeriodSeconds: number, status: EvictionStatus, wake: (uid: string) => void): Promise<void> {
    this.evicted.set(uid, { gracePeriodSeconds, status });
    let p = this.pending.get(uid);
    if (!p) {
      let resolve: () => void = () => undefined;
      const done = new Promise<void>((r) => (resolve = r));
      this.pending.set(uid, (p = { resolve, done }));
    }
    wake(uid);
    return p.done;
  }

  has(uid: string): boolean {
    return this.evicted.has(uid);
  }

  /** The pod as its worker must sync it: Failed/Evicted once evicted, until the API says it is terminal. */
  podForSync(pod: Pod): Pod {
    const e = this.evicted.get(pod.metadata?.uid ?? '');
    const phase = pod.status?.phase;
    if (!e || phase === 'Failed' || phase === 'Succeeded') return pod;
    const others = (pod.status?.conditions ?? []).filter((c) => !e.status.conditions.some((x) => x.type === c.type));
    return {
      ...pod,
      // The kill uses the eviction's grace period, not the pod's own.
      spec: { ...pod.spec!, terminationGracePeriodSeconds: e.gracePeriodSeconds },
      status: { ...pod.status, phase: 'Failed', reason: e.status.reason, message: e.status.message, conditions: [...others, ...e.status.conditions] },
    };
  }

  /** Whether the worker has an eviction to report done. */
  isPending(uid: string): boolean {
    return this.pending.has(uid);
  }

  /** The worker ran the eviction (or the pod is gone): wake whoever waits. */
  settle(uid: string): void {
    this.pending.get(uid)?.resolve();
    this.pending.delete(uid);
  }

  /** On stop: nobody will run the pending evictions. */
  settleAll(): void {
    for (const uid of [...this.pending.keys()]) this.settle(uid);
  }

  forget(uid: string): void {
    this.settle(uid);
    this.evicted.delete(uid);
  }
}

/** What the wiring reads of the Kubelet (lazily: the admission and the pod workers come later in its constructor). */
export interface EvictionWiring {
  readonly o: ResolvedKubeletOptions;
  readonly rootDir: string;
  readonly runtime: Runtime;
  readonly recorder: EventRecorder;
  readonly log: Logger;
  readonly registry: Registry;
  readonly evictions: PodEvictions;
  readonly admission: { isAdmitted(uid: string): boolean };
  readonly podWorkers: { update(uid: string): void };
  /** Our pods, from the informer. */
  getPods(): Pod[];
}

/** The eviction manager, its signals read from this host (and Docker's data root when the kubelet runs its own Docker runtime). */
export function newEvictionManager(w: EvictionWiring, thresholds: Threshold[]): { manager: EvictionManager; close(): Promise<void> } {
  const docker = w.o.runtime ? undefined : new DockerClient({ socketPath: dockerSocketPath(w.o.dockerHost) });
  const manager = new EvictionManager({
    thresholds,
    pressureTransitionPeriodMs: w.o.evictionPressureTransitionPeriodMs,
    monitoringIntervalMs: w.o.evictionMonitoringIntervalMs,
    maxPodGracePeriodSeconds: w.o.evictionMaxPodGracePeriodSeconds,
    stats: new EvictionStats({ nodeName: w.o.nodeName, clusterId: w.o.runtimeClusterId ?? '', rootDir: w.rootDir, runtime: w.runtime, ...(docker ? { docker } : {}) }),
    // GetActivePods: admitted, not finished, not being deleted, not already evicted.
    activePods: () =>
      w.getPods().filter((p) => {
        const uid = p.metadata?.uid ?? '';
        const phase = p.status?.phase;
        return w.admission.isAdmitted(uid) && phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata?.deletionTimestamp && !w.evictions.has(uid);
      }),
    evictPod: (pod, grace, status) => w.evictions.request(pod.metadata?.uid ?? '', grace, status, (uid) => w.podWorkers.update(uid)),
    recorder: w.recorder,
    nodeRef: { kind: 'Node', apiVersion: 'v1', name: w.o.nodeName, uid: w.o.nodeName },
    log: w.log,
    registry: w.registry,
  });
  return { manager, close: async () => docker?.close() };
}
