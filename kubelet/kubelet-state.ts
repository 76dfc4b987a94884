// The part of the Kubelet's state its phase files (kubelet-handlers.ts, kubelet-housekeeping.ts)
// read and change. The Kubelet class implements it; the phase files take it rather than the
// class, so they do not import kubelet.ts back (which would make an import cycle).
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { SharedInformer } from '../client/index.js';
import type { KubeletMetrics } from './metrics.js';
import type { WatchBasedObjectManager } from './object-manager.js';
import type { ResolvedKubeletOptions } from './options.js';
import type { Pleg } from './pleg.js';
import type { PodRecord, SyncDeps } from './pod/sync-deps.js';
import type { PodWorkers } from './pod/workers.js';
import type { TokenManager } from './volumes/token-manager.js';

export interface KubeletState {
  readonly o: ResolvedKubeletOptions;
  readonly log: Logger;
  readonly metrics: KubeletMetrics;
  /** Our pods (spec.nodeName = us). */
  readonly podInformer: SharedInformer<Pod>;
  /** The ConfigMaps/Secrets our pods read. */
  readonly configMaps: WatchBasedObjectManager<ConfigMap>;
  readonly secrets: WatchBasedObjectManager<Secret>;
  readonly tokens: TokenManager;
  /** What the pod sync code drives (volumes, crash backoff, …). */
  readonly deps: SyncDeps;
  readonly podWorkers: PodWorkers;
  /** Set once start() runs. */
  readonly pleg?: Pleg;
  /** Per pod: what the kubelet remembers between syncs. */
  readonly records: Map<string, PodRecord>;
  /** The last state of pods deleted from the API while their containers may still run. */
  readonly lastKnown: Map<string, Pod>;
  /** The informers have synced: a pod missing from them is then known to be gone. */
  readonly synced: boolean;
}
