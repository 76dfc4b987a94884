// One sync of one pod (kubelet.go SyncPod + kuberuntime SyncPod): read what the runtime has,
// decide (computePodActions), act — kill what must go, create the sandbox, set up volumes
// and the pod's hosts/resolv.conf, start the next init container or the app containers —
// then read the runtime again and write the pod status if it changed. Finished pods have
// their sandbox stopped; containers stay for logs until the pod is deleted.
import type { Pod } from 'kubernetes-types/core/v1';
import { startContainer, type PodFiles } from './container-start.js';
import { podHostname, podHostsFile, podResolvConf, formatResolvConf } from './dns.js';
import { computePodActions, type PodActions } from './actions.js';
import { gracePeriodSeconds, killContainer, killPod } from './kill.js';
import { generatePodStatus } from '../status/pod-status.js';
import type { SyncResult } from './workers.js';
import { readRuntimeState, type RuntimePodSnapshot } from '../runtime/state.js';
import type { PortMapping, Protocol } from '../runtime/runtime.js';
import { emit, podKey, podRef, type PodRecord, type SyncDeps } from './sync-deps.js';
import type { MountedVolume } from '../volumes/volume-manager.js';
import { VolumeSetupError } from '../volumes/sources.js';

function portMappings(pod: Pod): PortMapping[] {
  const out: PortMapping[] = [];
  for (const c of pod.spec?.containers ?? []) {
    for (const p of c.ports ?? []) {
      if (!p.hostPort) continue;
      out.push({ containerPort: p.containerPort, hostPort: p.hostPort, protocol: (p.protocol ?? 'TCP') as Protocol, ...(p.hostIP ? { hostIp: p.hostIP } : {}) });
    }
  }
  return out;
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

async function writePodFiles(deps: SyncDeps, pod: Pod, podIP: string): Promise<PodFiles> {
  const uid = pod.metadata?.uid ?? '';
  const hostsPath = await deps.volumes.writePodFile(uid, 'etc-hosts', podHostsFile(pod, podIP, deps.dns.clusterDomain, deps.hostHostsFile));
  const resolvConfPath = await deps.volumes.writePodFile(uid, 'resolv.conf', formatResolvConf(podResolvConf(pod, deps.dns)));
  return { hostsPath, resolvConfPath };
}

/** How long a terminal pod's SIGKILLed containers are re-read for a late OOMKilled mark. */
const LATE_OOM_RECHECK_MS = 30_000;

/** Syncs a live (not deleted) pod. */
export async function syncPod(deps: SyncDeps, pod: Pod, record: PodRecord): Promise<SyncResult> {
  const uid = pod.metadata?.uid ?? '';
  const phase = pod.status?.phase;
  const readAt = Date.now();
  const state = await readRuntimeState(deps.runtime, uid);
  if (phase === 'Succeeded' || phase === 'Failed') return syncTerminalPod(deps, pod, record, state);

  deps.probes.updatePod(pod, state, state.sandboxes[0]?.ip ?? '');
  const actions = computePodActions(pod, state, deps.probes);
  let acted = await killForActions(deps, pod, state, actions);

  let sandboxId = actions.sandboxId;
  let podIP = state.sandboxes[0]?.ready ? state.sandboxes[0].ip : '';
  const wantsStart = actions.createSandbox || !!actions.initToStart || actions.containersToStart.length > 0;
  const firstStatus = wantsStart && !deps.status.hasWritten(uid) ? writeFirstStatus(deps, pod, record, state) : undefined;
  let volumes = await setupVolumes(deps, pod, podIP, wantsStart);
  if (!volumes) {
    await firstStatus;
    await writeStatus(deps, pod, record, state, actions.initFailed);
    return { requeueAfterMs: 2_000 };
  }

  if (actions.createSandbox) {
    acted = true;
    ({ sandboxId, podIP, volumes } = await createSandbox(deps, pod, actions.sandboxAttempt, volumes));
  }
  let retry: number | undefined;
  if (sandboxId && (actions.initToStart || actions.containersToStart.length > 0)) {
    const files = await writePodFiles(deps, pod, podIP);
    const toStart = actions.initToStart ? [actions.initToStart] : actions.containersToStart;
    for (const s of toStart) {
      const out = await startContainer(deps, pod, record, sandboxId, podIP, volumes, files, s);
      acted ||= out.started;
      retry = earliest(retry, out.retryAfterMs);
    }
  }
  return finishSync(deps, pod, record, { state, readAt, acted, podIP, initFailed: actions.initFailed, firstStatus, retry });
}

/** Terminal: make sure nothing runs, report the final container states once more. */
async function syncTerminalPod(deps: SyncDeps, pod: Pod, record: PodRecord, state: RuntimePodSnapshot): Promise<SyncResult> {
  const uid = pod.metadata?.uid ?? '';
  if (!record.finished) {
    await killPod(deps, pod, state, gracePeriodSeconds(pod), state.sandboxes[0]?.ip);
    deps.probes.removePod(uid, state.allContainerIds);
    record.finished = true;
    state = await readRuntimeState(deps.runtime, uid);
    await writeStatus(deps, pod, record, state, false);
  } else if (record.recheckTerminatedUntil !== undefined) {
    await writeStatus(deps, pod, record, state, false);
  }
  // Docker marks an OOM kill from a separate event that can land seconds after the exit on a
  // loaded host: a container reported as killed (137, Error) is looked at again for a while,
  // and its status corrected to OOMKilled if Docker says so then.
  if (state.containers.some((c) => c.state === 'exited' && c.exitCode === 137 && c.reason === 'Error')) {
    record.recheckTerminatedUntil ??= Date.now() + LATE_OOM_RECHECK_MS;
    if (Date.now() < record.recheckTerminatedUntil) return { requeueAfterMs: 1000 };
  }
  record.recheckTerminatedUntil = undefined;
  return {};
}

/** Kills what computePodActions says must go; whether anything was done. */
async function killForActions(deps: SyncDeps, pod: Pod, state: RuntimePodSnapshot, actions: PodActions): Promise<boolean> {
  let acted = false;
  for (const k of actions.containersToKill) {
    const c = state.containers.find((x) => x.id === k.id);
    if (!c) continue;
    acted = true;
    if (c.state === 'running') await killContainer(deps, pod, c, pod.spec?.terminationGracePeriodSeconds ?? 30, k.message, state.sandboxes[0]?.ip);
    else await deps.runtime.removeContainer(c.id);
  }
  if (actions.killPod) {
    acted = true;
    if (actions.createSandbox) emit(deps, podRef(pod), 'Normal', 'SandboxChanged', 'Pod sandbox changed, it will be killed and re-created.');
    await killPod(deps, pod, state, pod.spec?.terminationGracePeriodSeconds ?? 30, state.sandboxes[0]?.ip);
  }
  return acted;
}

/**
 * The first word on a new pod (Pending, ContainerCreating), before a pull or a start takes
 * time; written while the runtime works, awaited before the next status write.
 */
function writeFirstStatus(deps: SyncDeps, pod: Pod, record: PodRecord, state: RuntimePodSnapshot): Promise<void> {
  return writeStatus(deps, pod, record, state, false).then(
    () => undefined,
    (err: unknown) => deps.log.warn({ pod: podKey(pod), err }, 'could not write the first pod status'),
  );
}

/**
 * The pod's volumes, mounted (also on every sync of a running pod: configMap/secret/downwardAPI
 * contents refresh). Undefined when one failed and containers are waiting to start: nothing new
 * starts until the volume is there, while running containers keep what they have.
 */
async function setupVolumes(deps: SyncDeps, pod: Pod, podIP: string, wantsStart: boolean): Promise<Map<string, MountedVolume> | undefined> {
  if (!wantsStart && !pod.spec?.volumes?.some((v) => v.configMap || v.secret || v.downwardAPI || v.projected)) return new Map();
  try {
    return await deps.volumes.setup(pod, deps.envSources(podIP));
  } catch (err) {
    if (!(err instanceof VolumeSetupError)) throw err;
    emit(deps, podRef(pod), 'Warning', 'FailedMount', `MountVolume.SetUp failed: ${err.message}`);
    return wantsStart ? undefined : new Map();
  }
}

async function createSandbox(
  deps: SyncDeps,
  pod: Pod,
  attempt: number,
  volumes: Map<string, MountedVolume>,
): Promise<{ sandboxId: string; podIP: string; volumes: Map<string, MountedVolume> }> {
  const sandboxId = await deps.runtime.runPodSandbox({
    metadata: { name: pod.metadata?.name ?? '', namespace: pod.metadata?.namespace ?? '', uid: pod.metadata?.uid ?? '', attempt },
    hostname: podHostname(pod),
    hostNetwork: pod.spec?.hostNetwork ?? false,
    portMappings: portMappings(pod),
    labels: { ...(pod.metadata?.labels ?? {}) },
  });
  const st = await deps.runtime.podSandboxStatus(sandboxId);
  const podIP = pod.spec?.hostNetwork ? deps.nodeIP : st.network.ip;
  // Volumes whose contents need the pod IP (downward API status.podIP).
  if (pod.spec?.volumes?.some((v) => v.downwardAPI || v.projected)) volumes = await deps.volumes.setup(pod, deps.envSources(podIP));
  return { sandboxId, podIP, volumes };
}

interface SyncOutcome {
  /** The runtime state read at the start, and when. */
  state: RuntimePodSnapshot;
  readAt: number;
  /** Something was killed, created or started: read the runtime again. */
  acted: boolean;
  podIP: string;
  initFailed: boolean;
  firstStatus: Promise<void> | undefined;
  /** Come back when a backoff expires. */
  retry: number | undefined;
}

/** Reads the runtime again if the sync acted, removes garbage, writes the status, and decides when to come back. */
async function finishSync(deps: SyncDeps, pod: Pod, record: PodRecord, o: SyncOutcome): Promise<SyncResult> {
  let { state, readAt } = o;
  if (o.acted) {
    readAt = Date.now();
    state = await readRuntimeState(deps.runtime, pod.metadata?.uid ?? '');
  }
  await removeGarbage(deps, state);
  deps.probes.updatePod(pod, state, o.podIP || state.sandboxes[0]?.ip || '');
  await o.firstStatus;
  const status = await writeStatus(deps, pod, record, state, o.initFailed);
  record.phase = status.phase;
  // Runtime events from before this read are in the status already (see the kubelet's PLEG hook).
  record.stateReadAt = readAt;
  record.fingerprint = state.fingerprint;
  if (!record.startObserved && status.phase === 'Running' && status.containerStatuses?.every((c) => c.state?.running)) {
    record.startObserved = true;
    deps.metrics.podStartDuration.observe((Date.now() - record.firstSeen) / 1000);
  }
  // What changed while we acted (a container that exited at once, one we killed to restart)
  // is in the state just read — and its events are considered seen — so act on it now.
  if (o.acted && hasWork(computePodActions(pod, state, deps.probes), state)) return { requeueAfterMs: 0 };
  return o.retry !== undefined ? { requeueAfterMs: o.retry } : {};
}

function hasWork(a: PodActions, state: RuntimePodSnapshot): boolean {
  if (a.createSandbox || a.initToStart || a.containersToStart.length > 0 || a.containersToKill.length > 0) return true;
  return a.killPod && (state.sandboxes.some((s) => s.ready) || state.containers.some((c) => c.state === 'running'));
}

async function writeStatus(deps: SyncDeps, pod: Pod, record: PodRecord, state: RuntimePodSnapshot, initFailed: boolean) {
  // A sync error only explains a container that is not running.
  for (const c of state.containers) if (c.state === 'running') record.syncErrors.delete(c.metadata.name);
  const status = generatePodStatus({
    pod,
    state,
    syncErrors: record.syncErrors,
    ready: (id) => deps.probes.ready(id),
    started: (id) => deps.probes.started(id),
    hostIP: deps.nodeIP,
    initFailed,
    now: new Date(),
  });
  const wrote = await deps.status.setPodStatus(pod, status);
  if (wrote) deps.log.debug({ pod: podKey(pod), phase: status.phase }, 'pod status updated');
  return status;
}

/** Dead containers beyond the newest two per name, and dead sandboxes left with no containers. */
async function removeGarbage(deps: SyncDeps, state: RuntimePodSnapshot): Promise<void> {
  for (const id of state.stale) await deps.runtime.removeContainer(id);
  const used = new Set(state.containers.map((c) => c.podSandboxId));
  for (const s of state.sandboxes.slice(1)) if (!s.ready && !used.has(s.id)) await deps.runtime.removePodSandbox(s.id);
}
