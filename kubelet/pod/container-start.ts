// Starting one container of a pod (kuberuntime_container.go startContainer): crash-loop
// backoff first, then the image (pull per policy), the environment and mounts, create, start,
// and the postStart hook. Each failure becomes the container's waiting reason
// (CrashLoopBackOff, ErrImagePull/ImagePullBackOff, CreateContainerConfigError,
// CreateContainerError, RunContainerError) and an event, never an exception.
import type { Container, ObjectReference, Pod, VolumeMount } from 'kubernetes-types/core/v1';
import { formatDuration } from '../backoff.js';
import { buildContainerConfig } from './container-config.js';
import { ContainerConfigError, expand, makeEnvironment } from '../env/env.js';
import { ImageError } from '../image-manager.js';
import type { ContainerToStart } from './actions.js';
import { runHandler } from '../prober/prober.js';
import type { ContainerConfig, Mount } from '../runtime/runtime.js';
import { containerRef, emit, podKey, type PodRecord, type SyncDeps } from './sync-deps.js';
import { mountSource, type MountedVolume } from '../volumes/volume-manager.js';
import { VolumeSetupError } from '../volumes/sources.js';
import { DownwardError } from '../env/downward.js';

export interface PodFiles {
  hostsPath: string;
  resolvConfPath: string;
}

export interface StartOutcome {
  started: boolean;
  /** Come back when a backoff expires. */
  retryAfterMs?: number;
}

function crashKey(pod: Pod, c: Container): string {
  return `${pod.metadata?.uid ?? ''}/${c.name}`;
}

async function containerMounts(c: Container, volumes: Map<string, MountedVolume>, files: PodFiles, env: Map<string, string>): Promise<Mount[]> {
  const mounts: Mount[] = [];
  for (const vm of c.volumeMounts ?? ([] as VolumeMount[])) {
    const vol = volumes.get(vm.name);
    if (!vol) throw new ContainerConfigError(`volume "${vm.name}" not found in pod volumes`);
    const sub = vm.subPathExpr ? expand(vm.subPathExpr, (n) => env.get(n)) : vm.subPath;
    const hostPath = await mountSource(vol, sub || undefined);
    mounts.push({ type: 'bind', containerPath: vm.mountPath, hostPath, readonly: vm.readOnly || vol.readOnly });
  }
  const taken = new Set(mounts.map((m) => m.containerPath));
  if (!taken.has('/etc/hosts')) mounts.push({ type: 'bind', containerPath: '/etc/hosts', hostPath: files.hostsPath });
  if (!taken.has('/etc/resolv.conf')) mounts.push({ type: 'bind', containerPath: '/etc/resolv.conf', hostPath: files.resolvConfPath });
  return mounts;
}

/** Why a container did not start: its waiting reason, message, and when to try again. */
class StartFailure extends Error {
  constructor(
    readonly reason: string,
    message: string,
    readonly retryAfterMs?: number,
  ) {
    super(message);
  }
}

export async function startContainer(
  deps: SyncDeps,
  pod: Pod,
  record: PodRecord,
  sandboxId: string,
  podIP: string,
  volumes: Map<string, MountedVolume>,
  files: PodFiles,
  s: ContainerToStart,
): Promise<StartOutcome> {
  const c = s.container;
  const ref = containerRef(pod, c.name, s.kind);
  try {
    checkCrashLoopBackOff(deps, pod, ref, s);
    await pullImage(deps, pod, ref, c);
    const config = await generateContainerConfig(deps, pod, ref, s, podIP, volumes, files);
    const id = await createAndStart(deps, ref, c, sandboxId, config);
    record.syncErrors.delete(c.name);
    deps.log.debug({ pod: podKey(pod), container: c.name, attempt: s.attempt }, 'container started');
    await runPostStartHook(deps, pod, ref, c, id, podIP);
    return { started: true };
  } catch (err) {
    if (!(err instanceof StartFailure)) throw err;
    record.syncErrors.set(c.name, { reason: err.reason, message: err.message });
    return { started: false, ...(err.retryAfterMs !== undefined ? { retryAfterMs: err.retryAfterMs } : {}) };
  }
}

/** A container that crashed waits out its backoff (CrashLoopBackOff) before it is started again. */
function checkCrashLoopBackOff(deps: SyncDeps, pod: Pod, ref: ObjectReference, s: ContainerToStart): void {
  if (!s.previous?.finishedAt) return;
  const c = s.container;
  const key = crashKey(pod, c);
  const finished = s.previous.finishedAt.getTime();
  const wait = deps.crashBackoff.remainingSince(key, finished);
  if (wait > 0) {
    const msg = `back-off ${formatDuration(deps.crashBackoff.get(key))} restarting failed container=${c.name} pod=${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`;
    emit(deps, ref, 'Warning', 'BackOff', `Back-off restarting failed container ${c.name} in pod ${pod.metadata?.name}_${pod.metadata?.namespace}(${pod.metadata?.uid})`);
    throw new StartFailure('CrashLoopBackOff', msg, wait);
  }
  deps.crashBackoff.next(key, finished);
}

/** The image per pull policy (ErrImagePull, ImagePullBackOff, ErrImageNeverPull). */
async function pullImage(deps: SyncDeps, pod: Pod, ref: ObjectReference, c: Container): Promise<void> {
  try {
    await deps.images.ensureImageExists(pod, c, {
      pulling: (image) => emit(deps, ref, 'Normal', 'Pulling', `Pulling image "${image}"`),
      pulled: (image, ms) => emit(deps, ref, 'Normal', 'Pulled', `Successfully pulled image "${image}" in ${formatDuration(ms)}`),
      present: (image) => emit(deps, ref, 'Normal', 'Pulled', `Container image "${image}" already present on machine`),
      failed: (reason, message) => {
        emit(deps, ref, 'Warning', 'Failed', message);
        emit(deps, ref, 'Warning', 'Failed', `Error: ${reason}`);
      },
      backOff: (image) => emit(deps, ref, 'Normal', 'BackOff', `Back-off pulling image "${image}"`),
    });
  } catch (err) {
    if (!(err instanceof ImageError)) throw err;
    // Right after a failed pull, sync again soon so the status moves on to ImagePullBackOff
    // (as a real kubelet's next sync shows it); then retry when the backoff expires.
    const retry = deps.images.retryAfterMs(pod, c);
    throw new StartFailure(err.reason, err.message, err.reason === 'ErrImagePull' ? Math.min(1000, retry) : retry);
  }
}

/** Environment, mounts and the rest of the runtime's config (CreateContainerConfigError). */
async function generateContainerConfig(
  deps: SyncDeps,
  pod: Pod,
  ref: ObjectReference,
  s: ContainerToStart,
  podIP: string,
  volumes: Map<string, MountedVolume>,
  files: PodFiles,
): Promise<ContainerConfig> {
  const c = s.container;
  try {
    const env = makeEnvironment(pod, c, deps.envSources(podIP));
    const mounts = await containerMounts(c, volumes, files, new Map(env.map((e) => [e.key, e.value])));
    return buildContainerConfig({ pod, container: c, kind: s.kind, attempt: s.attempt, env, mounts });
  } catch (err) {
    if (!(err instanceof ContainerConfigError || err instanceof VolumeSetupError || err instanceof DownwardError)) throw err;
    emit(deps, ref, 'Warning', 'Failed', `Error: ${err.message}`);
    throw new StartFailure('CreateContainerConfigError', err.message, 5_000);
  }
}

/** Create (CreateContainerError), then start (RunContainerError); the container's id. */
async function createAndStart(deps: SyncDeps, ref: ObjectReference, c: Container, sandboxId: string, config: ContainerConfig): Promise<string> {
  let id: string;
  try {
    id = await deps.runtime.createContainer(sandboxId, config);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    emit(deps, ref, 'Warning', 'Failed', `Error: ${msg}`);
    throw new StartFailure('CreateContainerError', msg, 5_000);
  }
  emit(deps, ref, 'Normal', 'Created', `Created container ${c.name}`);
  try {
    await deps.runtime.startContainer(id);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    emit(deps, ref, 'Warning', 'Failed', `Error: failed to start container "${c.name}": ${msg}`);
    throw new StartFailure('RunContainerError', msg, 5_000);
  }
  emit(deps, ref, 'Normal', 'Started', `Started container ${c.name}`);
  return id;
}

/** A failed postStart hook kills the container (its restart policy decides what follows). */
async function runPostStartHook(deps: SyncDeps, pod: Pod, ref: ObjectReference, c: Container, id: string, podIP: string): Promise<void> {
  const postStart = c.lifecycle?.postStart;
  if (!postStart) return;
  const r = await runHandler(deps.runtime, postStart, { containerId: id, container: c, podIP }, pod.spec?.terminationGracePeriodSeconds ?? 30);
  if (r.result !== 'success') {
    emit(deps, ref, 'Warning', 'FailedPostStartHook', `PostStartHook failed: ${r.output}`);
    await deps.runtime.stopContainer(id, 0);
  }
}
