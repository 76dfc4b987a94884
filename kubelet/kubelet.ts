// The kubelet (pkg/kubelet/kubelet.go): registers its Node and heartbeats, watches the pods
// bound to it, and runs each through a pod worker (sync, or terminate when deleted) against a
// CRI-like runtime. Its phases are files of their own, as upstream's kubelet_*.go are:
// kubelet-admission.ts (admit or reject a pod), kubelet-handlers.ts (pod informer, object,
// PLEG and probe events → pod workers), kubelet-housekeeping.ts (periodic resync and
// HandlePodCleanups), kubelet-getters.ts (what the HTTP server reads), kubelet-eviction.ts
// (node-pressure eviction through the pod workers; kubelet/eviction/). The kubelet's HTTP
// server (kubelet/server/) builds on a started Kubelet.
import { readFile } from 'node:fs/promises';
import type { ConfigMap, Pod, Secret, Service } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { EventRecorder, SharedInformerFactory, isNotFound, type SharedInformer } from '../client/index.js';
import { newLogger, newRegistry } from '../client/component-base/daemon.js';
import { KeyedBackoff } from './backoff.js';
import { referencedObjects, type EnvSources } from './env/env.js';
import { serviceEnvVars, servicesForPod } from './env/service-env.js';
import { ImageManager } from './image-manager.js';
import { PodAdmission } from './kubelet-admission.js';
import { PodEvictions, newEvictionManager } from './kubelet-eviction.js';
import { parseThresholdConfig } from './eviction/config.js';
import { isHardEvictionThreshold, type Threshold } from './eviction/api.js';
import type { EvictionManager } from './eviction/eviction-manager.js';
import { findContainer, getRunningPods, podContainers, type PodContainers, type RunningPod } from './kubelet-getters.js';
import { addPodConfigHandlers, enqueuePod, handleObjectChange, handlePodLifecycleEvent } from './kubelet-handlers.js';
import { startPeriodicWork } from './kubelet-housekeeping.js';
import type { KubeletState } from './kubelet-state.js';
import { instrumentRuntime, newKubeletMetrics, type KubeletMetrics } from './metrics.js';
import { defaultNodeIP } from './node/host.js';
import { NodeManager } from './node/node-manager.js';
import { WatchBasedObjectManager } from './object-manager.js';
import { defaultRootDir, dockerSocketPath, resolveOptions, type KubeletOptions, type ResolvedKubeletOptions } from './options.js';
import { Pleg } from './pleg.js';
import { removeOrphan, terminatePod } from './pod/kill.js';
import { syncPod } from './pod/sync.js';
import { changeCovered, podKey, type PodRecord, type SyncDeps } from './pod/sync-deps.js';
import { PodWorkers, type SyncResult } from './pod/workers.js';
import { ProbeManager } from './prober/probe-manager.js';
import { DockerRuntime } from './runtime/docker/runtime.js';
import type { ContainerStatus, Runtime } from './runtime/runtime.js';
import { readRuntimeState } from './runtime/state.js';
import { StatusManager } from './status/status-manager.js';
import { VolumeManager } from './volumes/volume-manager.js';
import { TokenManager, tokenRequester } from './volumes/token-manager.js';

export type { KubeletOptions, ResolvedKubeletOptions } from './options.js';
export type { RunningPod } from './kubelet-getters.js';

const UID_INDEX = 'uid';
/** How long a pod sync waits for the first fetch of its ConfigMaps/Secrets before failing (and retrying). */
const OBJECT_SYNC_TIMEOUT_MS = 5_000;

/** The host files pods get: read once at start. */
interface HostFiles {
  resolvConf: string;
  hosts: string;
}

/** Starts a kubelet; stop() undoes it. */
export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const kubelet = await Kubelet.create(opts);
  await kubelet.start();
  return kubelet;
}

export class Kubelet implements KubeletState {
  readonly nodeName: string;
  readonly log: Logger;
  readonly registry: Registry;
  readonly metrics: KubeletMetrics;
  /** The runtime, every call timed (kubelet_runtime_operations_*). */
  readonly runtime: Runtime;

  // What follows is the kubelet's own state; its phase files (kubelet-*.ts) use the part of it
  // that KubeletState (kubelet-state.ts) names.
  readonly o: ResolvedKubeletOptions;
  readonly nodeIP: string;
  readonly rootDir: string;
  readonly recorder: EventRecorder;
  readonly factory: SharedInformerFactory;
  /** Our pods (spec.nodeName = us), indexed by uid. */
  readonly podInformer: SharedInformer<Pod>;
  readonly serviceInformer: SharedInformer<Service>;
  /** The ConfigMaps/Secrets our pods read (the Node authorizer lets us read only those, one name at a time). */
  readonly configMaps: WatchBasedObjectManager<ConfigMap>;
  readonly secrets: WatchBasedObjectManager<Secret>;
  readonly tokens: TokenManager;
  readonly nodeManager: NodeManager;
  readonly probes: ProbeManager;
  readonly admission: PodAdmission;
  /** Node-pressure eviction: the manager, and the evictions the pod workers carry out. */
  readonly evictionManager: EvictionManager;
  readonly evictions = new PodEvictions();
  private readonly closeEviction: () => Promise<void>;
  /** What the pod sync code drives. */
  readonly deps: SyncDeps;
  readonly podWorkers: PodWorkers;
  pleg?: Pleg;
  /** Per pod: what the kubelet remembers between syncs (sync errors, first seen, the last runtime read). */
  readonly records = new Map<string, PodRecord>();
  /** The last state of pods deleted from the API while their containers may still run. */
  readonly lastKnown = new Map<string, Pod>();
  /** The informers have synced: a pod missing from them is then known to be gone. */
  synced = false;

  private readonly baseRuntime: Runtime;
  /** The kubelet created its runtime (and closes it on stop). */
  private readonly ownRuntime: boolean;
  private timers: NodeJS.Timeout[] = [];
  private stopped = false;

  /** Reads the host files pods get, then builds the kubelet (start() runs it). */
  static async create(opts: KubeletOptions): Promise<Kubelet> {
    const o = resolveOptions(opts);
    const [resolvConf, hosts] = await Promise.all([readFile(o.resolvConf, 'utf8').catch(() => ''), readFile('/etc/hosts', 'utf8').catch(() => '')]);
    return new Kubelet(o, { resolvConf, hosts });
  }

  private constructor(o: ResolvedKubeletOptions, hostFiles: HostFiles) {
    this.o = o;
    this.nodeName = o.nodeName;
    this.log = o.logger ?? newLogger('kubelet');
    this.registry = o.registry ?? newRegistry();
    this.metrics = newKubeletMetrics(this.registry);
    this.ownRuntime = !o.runtime;
    this.baseRuntime = o.runtime ?? newDockerRuntime(o);
    this.runtime = instrumentRuntime(this.baseRuntime, this.metrics);
    this.rootDir = o.rootDir ?? defaultRootDir(this.nodeName);
    this.nodeIP = o.nodeIP ?? defaultNodeIP();
    this.recorder = new EventRecorder(o.client, { component: 'kubelet', host: this.nodeName, logger: this.log });
    this.factory = new SharedInformerFactory(o.client, { logger: this.log });
    this.podInformer = this.factory.informerFor('pods', {
      fieldSelector: `spec.nodeName=${this.nodeName}`,
      indexers: { [UID_INDEX]: (p: Pod) => (p.metadata?.uid ? [p.metadata.uid] : []) },
    });
    this.serviceInformer = this.factory.informerFor('services');
    this.configMaps = new WatchBasedObjectManager<ConfigMap>({
      kind: 'configmap',
      client: (ns) => o.client.resource('configmaps', ns),
      referencedNames: (p) => referencedObjects(p).configMaps,
      onChange: (uids) => handleObjectChange(this, uids),
      logger: this.log,
    });
    this.secrets = new WatchBasedObjectManager<Secret>({
      kind: 'secret',
      client: (ns) => o.client.resource('secrets', ns),
      referencedNames: (p) => referencedObjects(p).secrets,
      onChange: (uids) => handleObjectChange(this, uids),
      logger: this.log,
    });
    this.tokens = new TokenManager({ requestToken: tokenRequester(o.client), logger: this.log });
    const thresholds = parseThresholdConfig(o);
    const eviction = newEvictionManager(this, thresholds);
    this.evictionManager = eviction.manager;
    this.closeEviction = eviction.close;
    this.nodeManager = this.newNodeManager(thresholds.filter(isHardEvictionThreshold));
    this.probes = new ProbeManager({
      runtime: this.runtime,
      recorder: this.recorder,
      onChange: (uid) => this.podWorkers.update(uid),
      observe: (kind, result) => this.metrics.probeTotal.inc({ probe_type: kind, result }),
    });
    this.deps = this.newSyncDeps(hostFiles);
    this.admission = new PodAdmission({
      allocatable: () => this.nodeManager.allocatable(),
      pressureAdmit: (pod) => this.evictionManager.admit(pod),
      status: this.deps.status,
      recorder: this.recorder,
      log: this.log,
    });
    this.podWorkers = new PodWorkers((uid) => this.podWorkerSync(uid), {
      maxConcurrent: o.maxConcurrentSyncs,
      errorBackoffMs: o.syncErrorBackoffMs,
      unlimited: (uid) => {
        const pod = this.getPodByUid(uid);
        return !pod || !!pod.metadata?.deletionTimestamp;
      },
      onError: (uid, err) => {
        const pod = this.getPodByUid(uid);
        this.log.warn({ pod: pod ? podKey(pod) : uid, err }, 'pod sync failed');
      },
    });
    addPodConfigHandlers(this);
  }

  /** Registers the node, syncs the informers, then runs the pods bound here, the PLEG and housekeeping. */
  async start(): Promise<void> {
    await this.registerNode();
    this.nodeManager.start();
    this.factory.start();
    await this.factory.waitForCacheSync();
    this.synced = true;
    // Pods already bound here are synced oldest first, so admission honours their order.
    const initial = [...this.podInformer.lister.list()].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
    for (const pod of initial) enqueuePod(this, pod);
    this.pleg = new Pleg({
      runtime: this.runtime,
      log: this.log,
      relistPeriodMs: this.o.plegRelistPeriodMs,
      onPodChanged: (uid, change) => handlePodLifecycleEvent(this, uid, change),
      observeRelist: (s) => this.metrics.plegRelistDuration.observe(s),
    });
    this.pleg.start();
    this.timers = startPeriodicWork(this);
    this.evictionManager.start();
    this.log.info({ node: this.nodeName, nodeIP: this.nodeIP, rootDir: this.rootDir }, 'kubelet started');
  }

  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    this.pleg?.stop();
    this.nodeManager.stop();
    this.probes.stop();
    this.evictions.settleAll();
    await this.evictionManager.stop();
    await this.closeEviction();
    await this.factory.shutdown();
    await Promise.all([this.configMaps.stop(), this.secrets.stop()]);
    await this.podWorkers.stop();
    await this.recorder.flush();
    if (this.ownRuntime) await this.baseRuntime.close();
    this.log.info({ node: this.nodeName }, 'kubelet stopped');
  }

  // ---- the read side (kubelet-getters.ts): the HTTP server's logs, exec, /pods, /runningpods ----

  /** A pod bound to this node, as the kubelet knows it (deep-frozen). */
  getPodByName(namespace: string, name: string): Pod | undefined {
    return this.podInformer.lister.getByName(namespace, name);
  }

  getPodByUid(uid: string): Pod | undefined {
    return this.podInformer.lister.byIndex(UID_INDEX, uid)[0];
  }

  /** Every pod bound to this node (the kubelet's /pods). */
  getPods(): Pod[] {
    return [...this.podInformer.lister.list()];
  }

  /** Pods that have containers in the runtime, from the runtime itself (/runningpods). */
  getRunningPods(): Promise<RunningPod[]> {
    return getRunningPods(this.runtime);
  }

  /** A container of a pod: the current instance, or with `previous` the one before it. */
  async findContainer(namespace: string, podName: string, containerName: string, previous = false): Promise<ContainerStatus | undefined> {
    const uid = this.getPodByName(namespace, podName)?.metadata?.uid;
    return uid ? findContainer(this.runtime, uid, containerName, previous) : undefined;
  }

  /** A pod's containers by name: the newest instance's id and the one before it (the server's PodResolver). */
  async resolvePod(namespace: string, podName: string): Promise<{ podUid: string; containers: PodContainers } | undefined> {
    const podUid = this.getPodByName(namespace, podName)?.metadata?.uid;
    if (!podUid) return undefined;
    return { podUid, containers: await podContainers(this.runtime, podUid) };
  }

  // ---- the pod worker's sync: terminate, clean up, or sync one pod ----

  private async podWorkerSync(uid: string): Promise<SyncResult> {
    const end = this.metrics.podWorkerDuration.startTimer({ operation_type: 'sync' });
    try {
      const current = this.getPodByUid(uid);
      if (!current) return await this.syncRemovedPod(uid);
      const pod = this.evictions.podForSync(current);
      if (pod.metadata?.deletionTimestamp) {
        const state = await readRuntimeState(this.runtime, uid);
        await terminatePod(this.deps, pod, state, true);
        this.admission.release(uid);
        return {};
      }
      if (!(await this.admission.admit(pod))) return {};
      if (this.evictions.isPending(uid)) return await this.syncEvictedPod(uid, pod);
      return await this.syncAdmittedPod(uid, pod);
    } finally {
      this.evictions.settle(uid);
      end();
    }
  }

  /** A pod gone from the API: stop what is left of it (or of an orphan in the runtime), then forget it. */
  private async syncRemovedPod(uid: string): Promise<SyncResult> {
    const last = this.lastKnown.get(uid);
    if (last) {
      const state = await readRuntimeState(this.runtime, uid);
      await terminatePod(this.deps, last, state, false);
    } else if (this.synced) {
      await removeOrphan(this.deps, uid);
      this.probes.removePod(uid);
    } else {
      return {};
    }
    this.forgetPod(uid);
    return {};
  }

  private async syncAdmittedPod(uid: string, pod: Pod): Promise<SyncResult> {
    await Promise.all([this.configMaps.waitForPod(pod, OBJECT_SYNC_TIMEOUT_MS), this.secrets.waitForPod(pod, OBJECT_SYNC_TIMEOUT_MS)]);
    this.lastKnown.set(uid, pod);
    const record = this.recordFor(uid);
    record.changesDuringSync = [];
    const result = await syncPod(this.deps, pod, record);
    const missed = record.changesDuringSync.some((c) => !changeCovered(record, c));
    record.changesDuringSync = [];
    if (missed) return { requeueAfterMs: 0 };
    // A finished pod no longer counts for admission (its containers are stopped).
    if (record.phase === 'Succeeded' || record.phase === 'Failed') this.admission.release(uid);
    return result;
  }

  /** An eviction: the pod, seen Failed/Evicted, is killed and its status written; its volumes go, and it no longer counts for admission. */
  private async syncEvictedPod(uid: string, pod: Pod): Promise<SyncResult> {
    const result = await this.syncAdmittedPod(uid, pod);
    await this.deps.volumes.teardown(uid);
    this.admission.release(uid);
    return result;
  }

  private recordFor(uid: string): PodRecord {
    let r = this.records.get(uid);
    if (!r) this.records.set(uid, (r = { firstSeen: Date.now(), syncErrors: new Map(), startObserved: false, finished: false, changesDuringSync: [] }));
    return r;
  }

  private forgetPod(uid: string): void {
    this.records.delete(uid);
    this.admission.forget(uid);
    this.evictions.forget(uid);
    this.lastKnown.delete(uid);
    this.configMaps.unregisterPod(uid);
    this.secrets.unregisterPod(uid);
    this.tokens.deleteServiceAccountToken(uid);
    this.deps.status.forget(uid);
    this.podWorkers.forget(uid);
  }

  // ---- construction helpers ----

  /** Like the real kubelet, keep trying until the apiserver answers (it may come up after us), with backoff up to 7 s; a kubelet never exits over an unreachable master. */
  private async registerNode(): Promise<void> {
    for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 7_000)) {
      try {
        await this.nodeManager.register();
        return;
      } catch (err) {
        this.log.warn({ node: this.nodeName, err, retryInMs: delayMs }, 'unable to register the node with the apiserver');
        await new Promise((r) => setTimeout(r, delayMs));
      }
    }
  }

  private newNodeManager(hardThresholds: Threshold[]): NodeManager {
    const o = this.o;
    return new NodeManager({
      client: o.client,
      log: this.log,
      nodeName: this.nodeName,
      nodeIP: this.nodeIP,
      rootDir: this.rootDir,
      maxPods: o.maxPods,
      kubeletPort: o.port,
      runtimeVersion: async () => (await this.runtime.version()).runtimeVersion,
      notReadyReason: () => this.pleg?.healthProblem() ?? '',
      pressure: () => this.evictionManager.nodeConditions(),
      hardThresholds,
      leaseRenewIntervalMs: o.nodeLeaseRenewIntervalMs,
      statusUpdateFrequencyMs: o.nodeStatusUpdateFrequencyMs,
      statusReportFrequencyMs: o.nodeStatusReportFrequencyMs,
    });
  }

  private newSyncDeps(hostFiles: HostFiles): SyncDeps {
    const { o, nodeName, nodeIP } = this;
    const client = o.client;
    return {
      runtime: this.runtime,
      log: this.log,
      recorder: this.recorder,
      volumes: new VolumeManager({
        rootDir: this.rootDir,
        getPVC: (ns, name) => getOrUndefined(() => client.resource('persistentvolumeclaims', ns).get(name)),
        getPV: (name) => getOrUndefined(() => client.resource('persistentvolumes').get(name)),
        nodeName,
        nodeLabels: async () => (await getOrUndefined(() => client.resource('nodes').get(nodeName)))?.metadata?.labels ?? { 'kubernetes.io/hostname': nodeName },
        serviceAccountToken: (pod, source) => this.tokens.podToken(pod, source),
      }),
      images: new ImageManager(this.runtime, new KeyedBackoff(o.imagePullBackOffBaseMs, o.imagePullBackOffMaxMs)),
      probes: this.probes,
      status: new StatusManager(client, this.log),
      metrics: this.metrics,
      crashBackoff: new KeyedBackoff(o.crashLoopBackOffBaseMs, o.crashLoopBackOffMaxMs),
      nodeName,
      nodeIP,
      dns: { clusterDNS: o.clusterDNS ?? [], clusterDomain: o.clusterDomain, hostResolvConf: hostFiles.resolvConf },
      hostHostsFile: hostFiles.hosts,
      envSources: (podIP: string): EnvSources => ({
        configMap: (ns, name) => this.configMaps.get(ns, name),
        secret: (ns, name) => this.secrets.get(ns, name),
        serviceEnv: (pod) => serviceEnvVars(servicesForPod(pod, this.serviceInformer.lister.list())),
        podIP,
        hostIP: nodeIP,
        nodeName,
        nodeAllocatable: this.nodeManager.allocatable(),
      }),
    };
  }
}

function newDockerRuntime(o: ResolvedKubeletOptions): Runtime {
  return new DockerRuntime({
    nodeName: o.nodeName,
    clusterId: o.runtimeClusterId ?? '',
    socketPath: dockerSocketPath(o.dockerHost),
    ...(o.podInfraContainerImage ? { podInfraImage: o.podInfraContainerImage } : {}),
    ...(o.podNetwork ? { podNetwork: o.podNetwork } : {}),
  });
}

async function getOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}
