// Stopping containers and pods (kuberuntime_container.go killContainer, killPodWithSyncResult):
// the preStop hook runs first and its time counts against the grace period, then the runtime
// sends SIGTERM and SIGKILL when the rest of the grace runs out. A deleted pod is then
// removed entirely: containers, sandboxes, volumes — and last the API object, with grace 0.
import type { Container, Pod } from 'kubernetes-types/core/v1';
import { runHandler } from '../prober/prober.js';
import { readRuntimeState, type RuntimePodSnapshot } from '../runtime/state.js';
import { generatePodStatus } from '../status/pod-status.js';
import { LABEL_POD_UID, type ContainerStatus, type Runtime } from '../runtime/runtime.js';
import { containerRef, emit, podKey, type SyncDeps } from './sync-deps.js';

/** The minimum k8s leaves SIGTERM after a preStop hook used up the grace period. */
const MIN_GRACE_AFTER_HOOK_SECONDS = 2;

export function gracePeriodSeconds(pod: Pod): number {
  const g = pod.metadata?.deletionGracePeriodSeconds ?? pod.spec?.terminationGracePeriodSeconds ?? 30;
  return Math.max(0, g);
}

function specOf(pod: Pod, name: string): { container?: Container; kind: 'init' | 'app' } {
  const app = pod.spec?.containers?.find((c) => c.name === name);
  if (app) return { container: app, kind: 'app' };
  return { container: pod.spec?.initContainers?.find((c) => c.name === name), kind: 'init' };
}

/**
 * A deleted pod whose containers are stopped gets a terminal phase (Failed, or Succeeded when
 * every container exited 0) and their final states before the object goes, as the kubelet does
 * since 1.27: controllers that count failures (Job podFailurePolicy, podReplacementPolicy)
 * see how the pod ended. Best effort: the deletion goes on if the write fails.
 */
async function writeTerminalStatus(deps: SyncDeps, pod: Pod, uid: string): Promise<void> {
  try {
    const state = await readRuntimeState(deps.runtime, uid);
    const status = generatePodStatus({
      pod,
      state,
      syncErrors: new Map(),
      ready: () => false,
      started: (id) => deps.probes.started(id),
      hostIP: deps.nodeIP,
      podIsTerminal: true,
      now: new Date(),
    });
    await deps.status.setPodStatus(pod, status);
  } catch (e) {
    deps.log.warn({ err: e, pod: podKey(pod) }, 'could not write the terminal status of a deleted pod');
  }
}

/** Stops one running container: preStop, then SIGTERM, then SIGKILL after the rest of the grace. */
export async function killContainer(deps: SyncDeps, pod: Pod, c: ContainerStatus, graceSeconds: number, message?: string, podIP = ''): Promise<void> {
  const { container, kind } = specOf(pod, c.metadata.name);
  emit(deps, containerRef(pod, c.metadata.name, kind), 'Normal', 'Killing', message ?? `Stopping container ${c.metadata.name}`);
  let grace = graceSeconds;
  const preStop = container?.lifecycle?.preStop;
  if (preStop && container && grace > 0) {
    const t0 = Date.now();
    const r = await runHandler(deps.runtime, preStop, { containerId: c.id, container, podIP }, grace);
    if (r.result !== 'success') {
      emit(deps, containerRef(pod, c.metadata.name, kind), 'Warning', 'FailedPreStopHook', `PreStopHook failed: ${r.output}`);
    }
    grace = Math.max(MIN_GRACE_AFTER_HOOK_SECONDS, grace - Math.ceil((Date.now() - t0) / 1000));
  }
  await deps.runtime.stopContainer(c.id, grace);
}

/** Stops every running container (in parallel) and every sandbox of the pod; removes nothing. */
export async function killPod(deps: SyncDeps, pod: Pod, state: RuntimePodSnapshot, graceSeconds: number, podIP = ''): Promise<void> {
  const running = state.containers.filter((c) => c.state === 'running');
  await Promise.all(running.map((c) => killContainer(deps, pod, c, graceSeconds, undefined, podIP)));
  for (const s of state.sandboxes) if (s.ready) await deps.runtime.stopPodSandbox(s.id);
}

/** Removes everything a pod has in the runtime (after killPod). */
export async function removePodResources(runtime: Runtime, state: RuntimePodSnapshot): Promise<void> {
  await Promise.all(state.allContainerIds.map((id) => runtime.removeContainer(id)));
  for (const s of state.sandboxes) await runtime.removePodSandbox(s.id);
}

/** Containers and sandboxes of a pod uid the kubelet no longer knows: stopped at once, removed. */
export async function removeOrphan(deps: SyncDeps, uid: string): Promise<void> {
  const selector = { [LABEL_POD_UID]: uid };
  const [containers, sandboxes] = await Promise.all([
    deps.runtime.listContainers({ labelSelector: selector }),
    deps.runtime.listPodSandboxes({ labelSelector: selector }),
  ]);
  // The pod's spec is gone with the pod, so there is no preStop and no grace period to honour.
  await Promise.all(containers.map((c) => deps.runtime.removeContainer(c.id)));
  for (const s of sandboxes) await deps.runtime.removePodSandbox(s.id);
  await deps.volumes.teardown(uid);
  if (containers.length + sandboxes.length > 0) {
    deps.log.info({ podUid: uid, containers: containers.length, sandboxes: sandboxes.length }, 'removed containers of a pod that no longer exists');
  }
}

/** A pod being deleted: kill with its grace period, remove everything, then delete the object. */
export async function terminatePod(deps: SyncDeps, pod: Pod, state: RuntimePodSnapshot, deleteObject: boolean): Promise<void> {
  const uid = pod.metadata?.uid ?? '';
  const podIP = state.sandboxes[0]?.ip || pod.status?.podIP || '';
  await killPod(deps, pod, state, gracePeriodSeconds(pod), podIP);
  if (deleteObject) await writeTerminalStatus(deps, pod, uid);
  deps.probes.removePod(uid, state.allContainerIds);
  await removePodResources(deps.runtime, state);
  await deps.volumes.teardown(uid);
  deps.crashBackoff.resetPrefix(`${uid}/`);
  deps.images.forgetPod(uid);
  if (deleteObject) await deps.status.deletePod(pod);
  deps.log.info({ pod: podKey(pod) }, 'pod terminated');
}
