// The pod's API status from what the runtime has (kubelet_pods.go generateAPIPodStatus and
// convertToAPIContainerStatuses, getPhase, the status package's condition generators): phase,
// conditions with stable transition times, pod/host IPs, and per-container state, lastState,
// restartCount, ready and started. Pure: "now" and the probe verdicts come in.
import type {
  Container as ApiContainer,
  ContainerState,
  ContainerStatus,
  Pod,
  PodCondition,
  PodStatus,
} from 'kubernetes-types/core/v1';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/runtime.js';
import type { RuntimePodState } from '../runtime/state.js';
import { latestByName } from '../pod/actions.js';
import { metaTime } from '../../api/time.js';

/** Why a container is waiting, from the last sync (CrashLoopBackOff, ErrImagePull, …). */
export interface SyncError {
  reason: string;
  message: string;
}

export interface StatusInput {
  pod: Pod;
  state: RuntimePodState;
  /** Per container name. */
  syncErrors: Map<string, SyncError>;
  /** Readiness verdict per container id (undefined = no probe: ready when running). */
  ready(containerId: string): boolean;
  /** Startup verdict per container id (true when there is no startup probe). */
  started(containerId: string): boolean;
  hostIP: string;
  /** An init container failed under restartPolicy Never. */
  initFailed?: boolean;
  /**
   * The pod is being deleted and its containers have been stopped for good: its phase becomes
   * terminal whatever the restart policy (upstream's getPhase with podIsTerminal).
   */
  podIsTerminal?: boolean;
  now: Date;
}


function terminated(s: RuntimeContainerStatus): ContainerState {
  return {
    terminated: {
      exitCode: s.exitCode,
      reason: s.reason || (s.exitCode === 0 ? 'Completed' : 'Error'),
      ...(s.message ? { message: s.message } : {}),
      ...(s.startedAt ? { startedAt: metaTime(s.startedAt) } : {}),
      ...(s.finishedAt ? { finishedAt: metaTime(s.finishedAt) } : {}),
      containerID: `docker://${s.id}`,
    },
  };
}

function waiting(reason: string, message?: string): ContainerState {
  return { waiting: { reason, ...(message ? { message } : {}) } };
}

function containerStatus(
  c: ApiContainer,
  kind: 'init' | 'app',
  history: RuntimeContainerStatus[],
  input: StatusInput,
  defaultWaiting: string,
): ContainerStatus {
  const [latest, previous] = history;
  const err = input.syncErrors.get(c.name);
  const base = { name: c.name, image: c.image ?? '', imageID: '', restartCount: latest?.metadata.attempt ?? 0 };
  if (!latest) {
    return { ...base, ready: false, started: false, state: waiting(err?.reason ?? defaultWaiting, err?.message), lastState: {} };
  }
  const ids = { imageID: latest.imageRef, containerID: `docker://${latest.id}` };
  const last = previous && previous.state === 'exited' ? terminated(previous) : {};
  switch (latest.state) {
    case 'running': {
      const started = input.started(latest.id);
      return {
        ...base,
        ...ids,
        state: { running: { ...(latest.startedAt ? { startedAt: metaTime(latest.startedAt) } : {}) } },
        lastState: last,
        started,
        ready: kind === 'app' ? started && input.ready(latest.id) : false,
      };
    }
    case 'exited':
      // A container that will be restarted waits (CrashLoopBackOff); its exit moves to lastState.
      if (err) return { ...base, ...ids, state: waiting(err.reason, err.message), lastState: terminated(latest), ready: false, started: false };
      return { ...base, ...ids, state: terminated(latest), lastState: last, ready: kind === 'init' && latest.exitCode === 0, started: false };
    default:
      return { ...base, ...ids, state: waiting(err?.reason ?? 'ContainerCreating', err?.message), lastState: last, ready: false, started: false };
  }
}

/** kubelet getPhase (restartable init containers aside). */
export function podPhase(pod: Pod, init: ContainerStatus[], apps: ContainerStatus[], initFailed: boolean, podIsTerminal = false): string {
  const policy = pod.spec?.restartPolicy ?? 'Always';
  let pendingInit = 0;
  let failedInit = 0;
  for (const s of init) {
    if (s.state?.running) pendingInit++;
    else if (s.state?.terminated) {
      if (s.state.terminated.exitCode !== 0) failedInit++;
    } else if (s.state?.waiting && s.lastState?.terminated) {
      if (s.lastState.terminated.exitCode !== 0) failedInit++;
    } else pendingInit++;
  }
  let running = 0;
  let waitingN = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of apps) {
    if (s.state?.running) running++;
    else if (s.state?.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state?.waiting) {
      if (s.lastState?.terminated) stopped++;
      else waitingN++;
    }
  }
  if (initFailed || (failedInit > 0 && policy === 'Never')) return 'Failed';
  // Nothing will run again: all regular containers succeeded → Succeeded, anything else Failed.
  if (podIsTerminal) return running === 0 && waitingN === 0 && stopped > 0 && stopped === succeeded && pendingInit === 0 ? 'Succeeded' : 'Failed';
  if (pendingInit > 0 || waitingN > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, reason?: string, message?: string): PodCondition {
  return { type, status: ok ? 'True' : 'False', ...(!ok && reason ? { reason } : {}), ...(!ok && message ? { message } : {}) };
}

/** Keeps lastTransitionTime from the old condition when the status did not flip. */
export function withTransitionTimes(conds: PodCondition[], old: PodCondition[] | undefined, now: Date): PodCondition[] {
  return conds.map((c) => {
    const prev = old?.find((o) => o.type === c.type);
    const lastTransitionTime = prev && prev.status === c.status && prev.lastTransitionTime ? prev.lastTransitionTime : metaTime(now);
    return { type: c.type, status: c.status, lastProbeTime: null as unknown as string, lastTransitionTime, ...(c.reason ? { reason: c.reason } : {}), ...(c.message ? { message: c.message } : {}) };
  });
}

export function generatePodStatus(input: StatusInput): PodStatus {
  const { pod, state } = input;
  const old = pod.status ?? {};
  const byName = latestByName(state.containers);
  const inits = pod.spec?.initContainers ?? [];
  const apps = pod.spec?.containers ?? [];
  const initDone = (s: ContainerStatus): boolean => s.state?.terminated?.exitCode === 0;
  const initStatuses = inits.map((c) => containerStatus(c, 'init', byName.get(c.name) ?? [], input, 'PodInitializing'));
  const allInitDone = initStatuses.every(initDone);
  const appStatuses = apps.map((c) => containerStatus(c, 'app', byName.get(c.name) ?? [], input, allInitDone ? 'ContainerCreating' : 'PodInitializing'));

  let phase = podPhase(pod, initStatuses, appStatuses, input.initFailed ?? false, input.podIsTerminal ?? false);
  // A terminal phase is final.
  if (old.phase === 'Succeeded' || old.phase === 'Failed') phase = old.phase;
  const terminal = phase === 'Succeeded' || phase === 'Failed';

  const sandbox = state.sandboxes[0];
  const hostNetwork = pod.spec?.hostNetwork ?? false;
  const podIP = hostNetwork ? input.hostIP : sandbox?.ready && sandbox.ip ? sandbox.ip : (old.podIP ?? '');

  const notInit = inits.filter((_, i) => !initDone(initStatuses[i])).map((c) => c.name);
  const unready = apps.filter((_, i) => !appStatuses[i].ready).map((c) => c.name);
  const completed = phase === 'Succeeded';
  const gates = (pod.spec?.readinessGates ?? []).filter((g) => old.conditions?.find((c) => c.type === g.conditionType)?.status !== 'True');
  const containersReady = unready.length === 0 && !terminal;
  const conditions: PodCondition[] = [
    condition('PodReadyToStartContainers', !!sandbox?.ready),
    completed && notInit.length === 0
      ? condition('Initialized', true)
      : condition('Initialized', notInit.length === 0, 'ContainersNotInitialized', `containers with incomplete status: [${notInit.join(' ')}]`),
    terminal
      ? condition('Ready', false, 'PodCompleted')
      : gates.length > 0 && containersReady
        ? condition('Ready', false, 'ReadinessGatesNotReady', `corresponding condition of pod readiness gate "${gates[0].conditionType}" does not exist.`)
        : condition('Ready', containersReady, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`),
    terminal
      ? condition('ContainersReady', false, 'PodCompleted')
      : condition('ContainersReady', containersReady, 'ContainersNotReady', `containers with unready status: [${unready.join(' ')}]`),
  ];
  const scheduled = old.conditions?.find((c) => c.type === 'PodScheduled') ?? condition('PodScheduled', true);
  // Conditions other writers own (readiness gates, DisruptionTarget…) are kept as they are.
  const ours = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady', 'PodScheduled']);
  const foreign = (old.conditions ?? []).filter((c) => !ours.has(c.type));

  return {
    phase,
    conditions: [...withTransitionTimes([...conditions, scheduled], old.conditions, input.now), ...foreign],
    ...(input.hostIP ? { hostIP: input.hostIP, hostIPs: [{ ip: input.hostIP }] } : {}),
    ...(podIP ? { podIP, podIPs: [{ ip: podIP }] } : {}),
    startTime: old.startTime ?? metaTime(input.now),
    ...(initStatuses.length ? { initContainerStatuses: initStatuses } : {}),
    containerStatuses: appStatuses,
    ...(old.qosClass ? { qosClass: old.qosClass } : {}),
    // A terminal pod keeps why it ended (a rejection's reason and message, an eviction…).
    ...(terminal && old.reason ? { reason: old.reason } : {}),
    ...(terminal && old.message ? { message: old.message } : {}),
  };
}
