// The kubelet: registers its Node and heartbeats, watches the pods bound to it, and runs each
// through a pod worker (sync, or terminate when deleted) against a CRI-like runtime. The PLEG
// and probe results trigger syncs; housekeeping removes what belongs to pods that are gone.
// `startKubelet` returns a handle the kubelet's HTTP server (kubelet/server/) builds on.
import { readFile } from 'node:fs/promises';
import type { ConfigMap, Pod, Secret } from 'kubernetes-types/core/v1';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { EventRecorder, SharedInformerFactory, deletedObject, isNotFound } from '../client/index.js';
import { newLogger, newRegistry } from '../client/component-base/daemon.js';
import { admitPod } from './pod/admission.js';
import { KeyedBackoff } from './backoff.js';
import { DockerRuntime } from './runtime/docker/runtime.js';
import { referencedObjects, type EnvSources } from './env/env.js';
import { serviceEnvVars, servicesForPod } from './env/service-env.js';
import { defaultNodeIP } from './node/host.js';
import { ImageManager } from './image-manager.js';
import { instrumentRuntime, newKubeletMetrics, type KubeletMetrics } from './metrics.js';
import { NodeManager } from './node/node-manager.js';
import { WatchBasedObjectManager } from './object-manager.js';
import { DEFAULTS, defaultRootDir, dockerSocketPath, type KubeletOptions } from './options.js';
import { Pleg } from './pleg.js';
import { ProbeManager } from './prober/probe-manager.js';
import { removeOrphan, terminatePod } from './pod/kill.js';
import { syncPod } from './pod/sync.js';
import { PodWorkers, type SyncResult } from './pod/workers.js';
import { readRuntimeState } from './runtime/state.js';
import { LABEL_POD_UID, type ContainerStatus, type Runtime } from './runtime/runtime.js';
import { StatusManager } from './status/status-manager.js';
import { TokenManager, tokenRequester } from './volumes/token-manager.js';
import { changeCovered, podKey, podRef, type PodRecord, type SyncDeps } from './pod/sync-deps.js';
import { VolumeManager } from './volumes/volume-manager.js';

export type { KubeletOptions } from './options.js';

const UID_INDEX = 'uid';
/** How long a pod sync waits for the first fetch of its ConfigMaps/Secrets before failing (and retrying). */
const OBJECT_SYNC_TIMEOUT_MS = 5_000;

export interface RunningPod {
  uid: string;
  namespace: string;
  name: string;
  containers: Array<{ name: string; id: string; state: string }>;
}

/** What other kubelet parts (the HTTP server: logs, exec, port-forward, stats) use. */
export interface Kubelet {
  readonly nodeName: string;
  readonly runtime: Runtime;
  readonly registry: Registry;
  readonly log: Logger;
  readonly metrics: KubeletMetrics;
  /** A pod bound to this node, as the kubelet knows it (deep-frozen). */
  getPodByName(namespace: string, name: string): Pod | undefined;
  getPodByUid(uid: string): Pod | undefined;
  /** Every pod bound to this node (the kubelet's /pods). */
  getPods(): Pod[];
  /** Pods that have containers in the runtime, from the runtime itself (/runningpods). */
  getRunningPods(): Promise<RunningPod[]>;
  /** A container of a pod: the current instance, or with `previous` the one before it. */
  findContainer(namespace: string, podName: string, containerName: string, previous?: boolean): Promise<ContainerStatus | undefined>;
  /** A pod's containers by name: the newest instance's id and the one before it (the server's PodResolver). */
  resolvePod(namespace: string, podName: string): Promise<{ podUid: string; containers: Map<string, { id: string; previousId?: string }> } | undefined>;
  stop(): Promise<void>;
}

export async function startKubelet(opts: KubeletOptions): Promise<Kubelet> {
  const nodeName = opts.nodeName;
  const log = opts.logger ?? newLogger('kubelet');
  const registry = opts.registry ?? newRegistry();
  const metrics = newKubeletMetrics(registry);
  const o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS & KubeletOptions;
  const ownRuntime = !opts.runtime;
  const baseRuntime =
    opts.runtime ??
    new DockerRuntime({
      nodeName,
      socketPath: dockerSocketPath(o.dockerHost),
      ...(opts.podInfraContainerImage ? { podInfraImage: opts.podInfraContainerImage } : {}),
      ...(opts.podNetwork ? { podNetwork: opts.podNetwork } : {}),
    });
  const runtime = instrumentRuntime(baseRuntime, metrics);
  const rootDir = opts.rootDir ?? defaultRootDir(nodeName);
  const nodeIP = opts.nodeIP ?? defaultNodeIP();
  const client = opts.client;
  const recorder = new EventRecorder(client, { component: 'kubelet', host: nodeName, logger: log });

  // ---- informers: our pods and Services (for their env); the ConfigMaps/Secrets they read ----
  const factory = new SharedInformerFactory(client, { logger: log });
  const podInformer = factory.informerFor('pods', {
    fieldSelector: `spec.nodeName=${nodeName}`,
    indexers: { [UID_INDEX]: (p: Pod) => (p.metadata?.uid ? [p.metadata.uid] : []) },
  });
  // The Node authorizer lets a kubelet read only its pods' objects, one name at a time.
  const onObjectChange = (uids: string[]): void => {
    if (synced) for (const uid of uids) podWorkers.update(uid);
  };
  const configMaps = new WatchBasedObjectManager<ConfigMap>({
    kind: 'configmap',
    client: (ns) => client.resource('configmaps', ns),
    referencedNames: (p) => referencedObjects(p).configMaps,
    onChange: onObjectChange,
    logger: log,
  });
  const secrets = new WatchBasedObjectManager<Secret>({
    kind: 'secret',
    client: (ns) => client.resource('secrets', ns),
    referencedNames: (p) => referencedObjects(p).secrets,
    onChange: onObjectChange,
    logger: log,
  });
  const tokens = new TokenManager({ requestToken: tokenRequester(client), logger: log });
  const serviceInformer = factory.informerFor('services');
  const podByUid = (uid: string): Pod | undefined => podInformer.lister.byIndex(UID_INDEX, uid)[0];

  let pleg: Pleg | undefined;
  const nodeManager = new NodeManager({
    client,
    log,
    nodeName,
    nodeIP,
    rootDir,
    maxPods: o.maxPods,
    kubeletPort: o.port,
    runtimeVersion: async () => (await runtime.version()).runtimeVersion,
    notReadyReason: () => pleg?.healthProblem() ?? '',
    leaseRenewIntervalMs: o.nodeLeaseRenewIntervalMs,
    statusUpdateFrequencyMs: o.nodeStatusUpdateFrequencyMs,
    statusReportFrequencyMs: o.nodeStatusReportFrequencyMs,
  });

  const records = new Map<string, PodRecord>();
  /** Pods the kubelet has accepted and not yet seen finish: admission counts these. */
  const admitted = new Map<string, Pod>();
  const rejected = new Set<string>();
  /** The last state of pods deleted from the API while their containers may still run. */
  const lastKnown = new Map<string, Pod>();
  let synced = false;

  const [hostResolvConf, hostHostsFile] = await Promise.all([
    readFile(o.resolvConf, 'utf8').catch(() => ''),
    readFile('/etc/hosts', 'utf8').catch(() => ''),
  ]);
  const podWorkersRef: { current?: PodWorkers } = {};
  const probes = new ProbeManager({
    runtime,
    recorder,
    onChange: (uid) => podWorkersRef.current?.update(uid),
    observe: (kind, result) => metrics.probeTotal.inc({ probe_type: kind, result }),
  });
  const deps: SyncDeps = {
    runtime,
    log,
    recorder,
    volumes: new VolumeManager({
      rootDir,
      getPVC: (ns, name) => getOrUndefined(() => client.resource('persistentvolumeclaims', ns).get(name)),
      getPV: (name) => getOrUndefined(() => client.resource('persistentvolumes').get(name)),
      serviceAccountToken: (pod, source) => tokens.podToken(pod, source),
    }),
    images: new ImageManager(runtime, new KeyedBackoff(o.imagePullBackOffBaseMs, o.imagePullBackOffMaxMs)),
    probes,
    status: new StatusManager(client, log),
    metrics,
    crashBackoff: new KeyedBackoff(o.crashLoopBackOffBaseMs, o.crashLoopBackOffMaxMs),
    nodeName,
    nodeIP,
    dns: { clusterDNS: opts.clusterDNS ?? [], clusterDomain: o.clusterDomain, hostResolvConf },
    hostHostsFile,
    envSources: (podIP: string): EnvSources => ({
      configMap: (ns, name) => configMaps.get(ns, name),
      secret: (ns, name) => secrets.get(ns, name),
      serviceEnv: (pod) => serviceEnvVars(servicesForPod(pod, serviceInformer.lister.list())),
      podIP,
      hostIP: nodeIP,
      nodeName,
      nodeAllocatable: nodeManager.allocatable(),
    }),
  };

  const recordFor = (uid: string): PodRecord => {
    let r = records.get(uid);
    if (!r) records.set(uid, (r = { firstSeen: Date.now(), syncErrors: new Map(), startObserved: false, finished: false, changesDuringSync: [] }));
    return r;
  };
  const forgetPod = (uid: string): void => {
    records.delete(uid);
    admitted.delete(uid);
    rejected.delete(uid);
    lastKnown.delete(uid);
    configMaps.unregisterPod(uid);
    secrets.unregisterPod(uid);
    tokens.deleteServiceAccountToken(uid);
    deps.status.forget(uid);
    podWorkers.forget(uid);
  };

  /** Admission, once per pod, in the worker (so pods are admitted in the order they are synced). */
  const admit = async (pod: Pod): Promise<boolean> => {
    const uid = pod.metadata?.uid ?? '';
    if (admitted.has(uid)) return true;
    if (rejected.has(uid)) return false;
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') return true;
    const alloc = nodeManager.allocatable();
    const result = admitPod(pod, [...admitted.values()], { pods: alloc.pods, cpuMilli: alloc.cpuMilli, memoryBytes: alloc.memoryBytes });
    if (result.admit) {
      admitted.set(uid, pod);
      return true;
    }
    rejected.add(uid);
    log.warn({ pod: podKey(pod), reason: result.reason }, 'pod rejected');
    recorder.event(podRef(pod), 'Warning', result.reason ?? 'Rejected', result.message ?? '');
    await deps.status.setPodStatus(pod, { phase: 'Failed', reason: result.reason, message: result.message, ...(pod.status?.qosClass ? { qosClass: pod.status.qosClass } : {}) });
    return false;
  };

  const sync = async (uid: string): Promise<SyncResult> => {
    const end = metrics.podWorkerDuration.startTimer({ operation_type: 'sync' });
    try {
      const pod = podByUid(uid);
      if (!pod) {
        const last = lastKnown.get(uid);
        if (last) {
          const state = await readRuntimeState(runtime, uid);
          await terminatePod(deps, last, state, false);
        } else if (synced) {
          await removeOrphan(deps, uid);
          probes.removePod(uid);
        } else {
          return {};
        }
        forgetPod(uid);
        return {};
      }
      if (pod.metadata?.deletionTimestamp) {
        const state = await readRuntimeState(runtime, uid);
        await terminatePod(deps, pod, state, true);
        admitted.delete(uid);
        return {};
      }
      if (!(await admit(pod))) return {};
      await Promise.all([configMaps.waitForPod(pod, OBJECT_SYNC_TIMEOUT_MS), secrets.waitForPod(pod, OBJECT_SYNC_TIMEOUT_MS)]);
      lastKnown.set(uid, pod);
      const record = recordFor(uid);
      record.changesDuringSync = [];
      const result = await syncPod(deps, pod, record);
      const missed = record.changesDuringSync.some((c) => !changeCovered(record, c));
      record.changesDuringSync = [];
      if (missed) return { requeueAfterMs: 0 };
      // A finished pod no longer counts for admission (its containers are stopped).
      if (record.phase === 'Succeeded' || record.phase === 'Failed') admitted.delete(uid);
      return result;
    } finally {
      end();
    }
  };
  const podWorkers = new PodWorkers(sync, {
    maxConcurrent: o.maxConcurrentSyncs,
    errorBackoffMs: o.syncErrorBackoffMs,
    unlimited: (uid) => {
      const pod = podByUid(uid);
      return !pod || !!pod.metadata?.deletionTimestamp;
    },
    onError: (uid, err) => {
      const pod = podByUid(uid);
      log.warn({ pod: pod ? podKey(pod) : uid, err }, 'pod sync failed');
    },
  });
  podWorkersRef.current = podWorkers;

  // ---- event handlers ----
  const enqueue = (pod: Pod): void => {
    const uid = pod.metadata?.uid;
    if (uid && synced) podWorkers.update(uid);
  };
  const registerPod = (pod: Pod): void => {
    configMaps.registerPod(pod);
    secrets.registerPod(pod);
  };
  podInformer.addEventHandler({
    onAdd: (pod) => {
      registerPod(pod);
      enqueue(pod);
    },
    onUpdate: (old, pod) => {
      if (old.metadata?.uid !== pod.metadata?.uid) onDeleted(old);
      registerPod(pod);
      // Status-only changes (most of them our own writes) need no sync, as the kubelet's
      // config source ignores them; spec, labels, annotations and deletion do.
      if (old.metadata?.resourceVersion !== pod.metadata?.resourceVersion && !statusOnlyChange(old, pod)) enqueue(pod);
    },
    onDelete: (obj) => onDeleted(deletedObject(obj)),
  });
  function onDeleted(pod: Pod): void {
    const uid = pod.metadata?.uid;
    if (!uid) return;
    lastKnown.set(uid, pod);
    // Its objects are no longer watched for it (k8s: the pod manager's RemovePod).
    configMaps.unregisterPod(uid);
    secrets.unregisterPod(uid);
    podWorkers.update(uid);
  }

  // ---- start ----
  // Like the real kubelet, keep trying to register until the apiserver answers (it may come
  // up after us), with backoff up to 7 s; a kubelet never exits over an unreachable master.
  for (let delayMs = 200; ; delayMs = Math.min(delayMs * 2, 7_000)) {
    try {
      await nodeManager.register();
      break;
    } catch (err) {
      log.warn({ node: nodeName, err, retryInMs: delayMs }, 'unable to register the node with the apiserver');
      await new Promise((r) => setTimeout(r, delayMs));
    }
  }
  nodeManager.start();
  factory.start();
  await factory.waitForCacheSync();
  synced = true;
  // Pods already bound here are synced oldest first, so admission honours their order.
  const initial = [...podInformer.lister.list()].sort((a, b) => (a.metadata?.creationTimestamp ?? '').localeCompare(b.metadata?.creationTimestamp ?? ''));
  for (const pod of initial) enqueue(pod);

  pleg = new Pleg({
    runtime,
    log,
    relistPeriodMs: o.plegRelistPeriodMs,
    onPodChanged: (uid, change) => {
      // Our own creates and starts come back as events and relist differences; the sync that
      // made them read the runtime after them, so they need no further sync. While a sync
      // runs, decide when it ends.
      const record = records.get(uid);
      if (record && podWorkers.isRunning(uid)) {
        record.changesDuringSync.push(change);
        return;
      }
      if (record && changeCovered(record, change)) return;
      podWorkers.update(uid);
    },
    observeRelist: (s) => metrics.plegRelistDuration.observe(s),
  });
  pleg.start();

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, fn: () => Promise<void> | void): void => {
    const t = setInterval(() => {
      Promise.resolve(fn()).catch((err: unknown) => log.warn({ err }, 'housekeeping failed'));
    }, ms);
    t.unref();
    timers.push(t);
  };
  every(o.syncFrequencyMs, () => {
    for (const pod of podInformer.lister.list()) enqueue(pod);
  });
  every(o.housekeepingIntervalMs, async () => {
    const known = new Set([...podInformer.lister.list()].map((p) => p.metadata?.uid ?? ''));
    for (const uid of lastKnown.keys()) known.add(uid);
    const inRuntime = pleg?.podUids() ?? new Set<string>();
    for (const uid of inRuntime) if (!known.has(uid) && !podWorkers.has(uid)) podWorkers.update(uid);
    for (const uid of await deps.volumes.orphanedPodUids(new Set([...known, ...inRuntime]))) await deps.volumes.teardown(uid);
    const counts = pleg?.counts();
    if (counts) {
      metrics.runningPods.set(counts.readySandboxes);
      metrics.runningContainers.set({ container_state: 'running' }, counts.running);
      metrics.runningContainers.set({ container_state: 'exited' }, counts.exited);
    }
    deps.crashBackoff.gc();
    tokens.cleanup();
  });
  log.info({ node: nodeName, nodeIP, rootDir }, 'kubelet started');

  let stopped = false;
  return {
    nodeName,
    runtime,
    registry,
    log,
    metrics,
    getPodByName: (ns, name) => podInformer.lister.getByName(ns, name),
    getPodByUid: podByUid,
    getPods: () => [...podInformer.lister.list()],
    async getRunningPods() {
      const [containers, sandboxes] = await Promise.all([runtime.listContainers(), runtime.listPodSandboxes({ state: 'ready' })]);
      const pods = new Map<string, RunningPod>();
      for (const s of sandboxes) {
        pods.set(s.metadata.uid, { uid: s.metadata.uid, namespace: s.metadata.namespace, name: s.metadata.name, containers: [] });
      }
      for (const c of containers) {
        const p = pods.get(c.labels[LABEL_POD_UID] ?? '');
        if (p && c.state === 'running') p.containers.push({ name: c.metadata.name, id: c.id, state: c.state });
      }
      return [...pods.values()];
    },
    async findContainer(ns, podName, containerName, previous = false) {
      const pod = podInformer.lister.getByName(ns, podName);
      if (!pod?.metadata?.uid) return undefined;
      const list = await runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: pod.metadata.uid } });
      const mine = list.filter((c) => c.metadata.name === containerName).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
      const pick = mine[previous ? 1 : 0];
      return pick ? runtime.containerStatus(pick.id) : undefined;
    },
    async resolvePod(ns, podName) {
      const pod = podInformer.lister.getByName(ns, podName);
      const podUid = pod?.metadata?.uid;
      if (!podUid) return undefined;
      const list = await runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: podUid } });
      list.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt.getTime() - a.createdAt.getTime());
      const containers = new Map<string, { id: string; previousId?: string }>();
      for (const c of list) {
        const seen = containers.get(c.metadata.name);
        if (!seen) containers.set(c.metadata.name, { id: c.id });
        else seen.previousId ??= c.id;
      }
      return { podUid, containers };
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      for (const t of timers) clearInterval(t);
      pleg?.stop();
      nodeManager.stop();
      probes.stop();
      await factory.shutdown();
      await Promise.all([configMaps.stop(), secrets.stop()]);
      await podWorkers.stop();
      await recorder.flush();
      if (ownRuntime) await baseRuntime.close();
      log.info({ node: nodeName }, 'kubelet stopped');
    },
  };
}

function statusOnlyChange(a: Pod, b: Pod): boolean {
  const strip = (p: Pod): string => {
    const { resourceVersion: _rv, managedFields: _mf, ...meta } = p.metadata ?? {};
    return JSON.stringify([meta, p.spec]);
  };
  return strip(a) === strip(b);
}

async function getOrUndefined<T>(fn: () => Promise<T>): Promise<T | undefined> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

