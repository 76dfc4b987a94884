// What the pod sync code shares: the runtime and managers it drives, node facts, and the
// per-pod memory the kubelet keeps between syncs (the last sync error of each container,
// when the pod was first seen). One place, so the sync files stay small.
import type { ObjectReference, Pod } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { EventRecorder, EventType } from '../../client/index.js';
import type { KeyedBackoff } from '../backoff.js';
import type { DnsSettings } from './dns.js';
import type { EnvSources } from '../env/env.js';
import type { ImageManager } from '../image-manager.js';
import type { KubeletMetrics } from '../metrics.js';
import type { PodChange } from '../pleg.js';
import type { SyncError } from '../status/pod-status.js';
import type { ProbeManager } from '../prober/probe-manager.js';
import type { Runtime } from '../runtime/runtime.js';
import type { StatusManager } from '../status/status-manager.js';
import type { VolumeManager } from '../volumes/volume-manager.js';

export interface PodRecord {
  firstSeen: number;
  /** Per container name: why it waits (CrashLoopBackOff, ErrImagePull, …). */
  syncErrors: Map<string, SyncError>;
  /** The pod-start latency has been observed. */
  startObserved: boolean;
  /** Containers stopped and sandbox stopped after the pod finished. */
  finished: boolean;
  /** When the runtime state behind the last written status was read (ms). */
  stateReadAt?: number;
  /** The runtime fingerprint behind the last written status. */
  fingerprint?: string;
  /** Runtime changes seen while a sync ran (decided on when it ends). */
  changesDuringSync: PodChange[];
  /** The phase the last sync computed. */
  phase?: string;
  /** A terminal pod's containers are re-read until then (Docker's late OOMKilled mark). */
  recheckTerminatedUntil?: number;
}

export interface SyncDeps {
  runtime: Runtime;
  log: Logger;
  recorder: EventRecorder;
  volumes: VolumeManager;
  images: ImageManager;
  probes: ProbeManager;
  status: StatusManager;
  metrics: KubeletMetrics;
  crashBackoff: KeyedBackoff;
  nodeName: string;
  nodeIP: string;
  dns: DnsSettings;
  /** The host's /etc/hosts text (host-network pods get it). */
  hostHostsFile: string;
  /** ConfigMaps/Secrets from the informers, node allocatable, pod/host IPs for the downward API. */
  envSources(podIP: string): EnvSources;
}

/** Whether the last sync's final read of the runtime already reflects `c`. */
export function changeCovered(r: PodRecord, c: PodChange): boolean {
  if (r.stateReadAt !== undefined && c.at < r.stateReadAt) return true;
  return c.fingerprint !== undefined && c.fingerprint === r.fingerprint;
}

export function podKey(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ''}/${pod.metadata?.name ?? ''}`;
}

/** An event reference to one container of the pod (kubectl describe groups by fieldPath). */
export function containerRef(pod: Pod, container: string, kind: 'init' | 'app' = 'app'): ObjectReference {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    name: pod.metadata?.name,
    namespace: pod.metadata?.namespace,
    uid: pod.metadata?.uid,
    ...(pod.metadata?.resourceVersion ? { resourceVersion: pod.metadata.resourceVersion } : {}),
    fieldPath: `spec.${kind === 'init' ? 'initContainers' : 'containers'}{${container}}`,
  };
}

export function podRef(pod: Pod): ObjectReference {
  return { kind: 'Pod', apiVersion: 'v1', name: pod.metadata?.name, namespace: pod.metadata?.namespace, uid: pod.metadata?.uid };
}

export function emit(deps: SyncDeps, ref: ObjectReference, type: EventType, reason: string, message: string): void {
  deps.recorder.event(ref, type, reason, message);
}
