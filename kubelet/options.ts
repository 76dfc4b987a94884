// The kubelet's configuration: what main.ts reads from flags, and what tests shrink (every
// interval and backoff base is an option, so a test sees a crash loop in seconds).
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { RestClient } from '../client/index.js';
import type { PodNetwork, Runtime } from './runtime/runtime.js';
import { DEFAULT_EVICTION_HARD } from './eviction/api.js';

export interface KubeletOptions {
  nodeName: string;
  client: RestClient;
  /** A runtime to use instead of creating a DockerRuntime (stop() then leaves it open). */
  runtime?: Runtime;
  /**
   * --runtime-cluster-id: labels this kubelet's containers with io.tskube.cluster-id and scopes
   * every runtime list to it, so clusters sharing a Docker and node names (node-1…) keep apart.
   * '' (default) = no label, node name only.
   */
  runtimeClusterId?: string;
  /** unix:///var/run/docker.sock */
  dockerHost?: string;
  podNetwork?: PodNetwork;
  podInfraContainerImage?: string;
  maxPods?: number;
  /** The kubelet server's port, reported in status.daemonEndpoints (the server itself is kubelet/server/). */
  port?: number;
  /** Default /var/lib/tskube-kubelet/<node>. */
  rootDir?: string;
  clusterDNS?: string[];
  clusterDomain?: string;
  /** Default: the first address of a non-virtual interface. */
  nodeIP?: string;
  /** The host resolv.conf Default-policy pods get (--resolv-conf). */
  resolvConf?: string;
  logger?: Logger;
  registry?: Registry;

  nodeLeaseRenewIntervalMs?: number;
  nodeStatusUpdateFrequencyMs?: number;
  nodeStatusReportFrequencyMs?: number;
  plegRelistPeriodMs?: number;
  /** Every pod is synced at least this often. */
  syncFrequencyMs?: number;
  /** Orphan cleanup and gauges. */
  housekeepingIntervalMs?: number;
  crashLoopBackOffBaseMs?: number;
  crashLoopBackOffMaxMs?: number;
  imagePullBackOffBaseMs?: number;
  imagePullBackOffMaxMs?: number;
  /** Pod syncs running at once. */
  maxConcurrentSyncs?: number;
  /** Wait after a sync failed with an unexpected error. */
  syncErrorBackoffMs?: number;

  /** --eviction-hard, as the flag: "memory.available<100Mi,nodefs.available<10%" ('' = none). */
  evictionHard?: string;
  /** --eviction-soft (each needs a grace period in evictionSoftGracePeriod). */
  evictionSoft?: string;
  /** --eviction-soft-grace-period: "memory.available=1m30s". */
  evictionSoftGracePeriod?: string;
  /** --eviction-minimum-reclaim: "memory.available=0Mi,nodefs.available=500Mi". */
  evictionMinimumReclaim?: string;
  /** How long a pressure condition stays True after its threshold was last met. */
  evictionPressureTransitionPeriodMs?: number;
  /** The grace a soft eviction gives a pod. */
  evictionMaxPodGracePeriodSeconds?: number;
  /** How often the eviction manager looks at the signals (upstream: a fixed 10 s). */
  evictionMonitoringIntervalMs?: number;
}

export const DEFAULTS = {
  dockerHost: 'unix:///var/run/docker.sock',
  maxPods: 110,
  port: 10250,
  clusterDomain: 'cluster.local',
  resolvConf: '/etc/resolv.conf',
  nodeLeaseRenewIntervalMs: 10_000,
  nodeStatusUpdateFrequencyMs: 10_000,
  nodeStatusReportFrequencyMs: 60_000,
  plegRelistPeriodMs: 1_000,
  syncFrequencyMs: 60_000,
  housekeepingIntervalMs: 2_000,
  crashLoopBackOffBaseMs: 10_000,
  crashLoopBackOffMaxMs: 300_000,
  imagePullBackOffBaseMs: 10_000,
  imagePullBackOffMaxMs: 300_000,
  maxConcurrentSyncs: 5,
  syncErrorBackoffMs: 5_000,
  evictionHard: DEFAULT_EVICTION_HARD,
  evictionPressureTransitionPeriodMs: 300_000,
  evictionMaxPodGracePeriodSeconds: 0,
  evictionMonitoringIntervalMs: 10_000,
} as const;

export function defaultRootDir(nodeName: string): string {
  return `/var/lib/tskube-kubelet/${nodeName}`;
}

/** The options with every default filled in. */
export type ResolvedKubeletOptions = typeof DEFAULTS & KubeletOptions;

/** The options with the defaults filled in where a value is absent (undefined counts as absent). */
export function resolveOptions(opts: KubeletOptions): ResolvedKubeletOptions {
  return { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as ResolvedKubeletOptions;
}

/** `unix:///var/run/docker.sock` → `/var/run/docker.sock`. */
export function dockerSocketPath(host: string): string {
  if (host.startsWith('unix://')) return host.slice('unix://'.length);
  if (host.startsWith('/')) return host;
  throw new Error(`--docker-host: only unix sockets are supported, got ${host}`);
}
