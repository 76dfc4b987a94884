// What a pod sync must do, decided from the pod spec and what the runtime has (kuberuntime
// computePodActions): create a sandbox (or not, for a finished pod), run the next init
// container, start/restart app containers per restartPolicy, kill containers whose spec
// changed or whose liveness/startup probe failed, and stop the whole pod once nothing is left
// to run. Backoff is not decided here: the sync applies it to each start. Pure.
import type { Container as ApiContainer, Pod } from 'kubernetes-types/core/v1';
import type { ContainerStatus as RuntimeContainerStatus } from '../runtime/runtime.js';
import type { RuntimePodState } from '../runtime/state.js';
import { containerHash, LABEL_CONTAINER_HASH } from './container-config.js';

export interface ContainerToStart {
  container: ApiContainer;
  kind: 'init' | 'app';
  attempt: number;
  /** The exited container this one replaces (crash-loop backoff is keyed on it). */
  previous?: RuntimeContainerStatus;
}

export interface ContainerToKill {
  id: string;
  name: string;
  /** Event message, e.g. "Container c failed liveness probe, will be restarted". */
  message: string;
  /** Whether a probe caused it (the event reason stays Killing either way). */
  probe?: 'liveness' | 'startup';
}

export interface PodActions {
  /** Stop every container and the sandbox (new sandbox needed, or the pod is done). */
  killPod: boolean;
  createSandbox: boolean;
  sandboxAttempt: number;
  /** The ready sandbox to start containers in (when not creating one). */
  sandboxId?: string;
  /** Started before any app container; at most one at a time. */
  initToStart?: ContainerToStart;
  /** An init container failed and restartPolicy is Never: the pod fails. */
  initFailed: boolean;
  containersToStart: ContainerToStart[];
  containersToKill: ContainerToKill[];
}

export interface ProbeVerdicts {
  livenessFailed(containerId: string): boolean;
  startupFailed(containerId: string): boolean;
}

/** The newest runtime container per container name. */
export function latestByName(containers: RuntimeContainerStatus[]): Map<string, RuntimeContainerStatus[]> {
  const out = new Map<string, RuntimeContainerStatus[]>();
  for (const c of containers) {
    const list = out.get(c.metadata.name) ?? [];
    list.push(c);
    out.set(c.metadata.name, list);
  }
  for (const list of out.values()) list.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt.getTime() - a.createdAt.getTime());
  return out;
}

export function shouldRestart(policy: string | undefined, exitCode: number): boolean {
  if (policy === 'Never') return false;
  if (policy === 'OnFailure') return exitCode !== 0;
  return true;
}

function nextAttempt(s: RuntimeContainerStatus | undefined): number {
  return s ? s.metadata.attempt + 1 : 0;
}

// One function on purpose (~90 lines): a pure plan read top to bottom like upstream's computePodActions.
export function computePodActions(pod: Pod, state: RuntimePodState, probes: ProbeVerdicts): PodActions {
  const spec = pod.spec;
  const policy = spec?.restartPolicy ?? 'Always';
  const inits = spec?.initContainers ?? [];
  const apps = spec?.containers ?? [];
  const byName = latestByName(state.containers);
  const latest = (name: string): RuntimeContainerStatus | undefined => byName.get(name)?.[0];
  const sandbox = state.sandboxes[0];
  const actions: PodActions = {
    killPod: false,
    createSandbox: false,
    sandboxAttempt: sandbox ? sandbox.attempt + 1 : 0,
    initFailed: false,
    containersToStart: [],
    containersToKill: [],
  };

  if (!sandbox || !sandbox.ready) {
    // A pod that has run before and must not restart keeps its dead sandbox.
    if (sandbox && policy === 'Never' && state.containers.length > 0) {
      actions.killPod = true;
      return actions;
    }
    const toStart = apps.filter((c) => {
      const s = latest(c.name);
      return !(s && s.state === 'exited' && !shouldRestart(policy, s.exitCode));
    });
    const initDone = inits.every((c) => latest(c.name)?.state === 'exited' && latest(c.name)?.exitCode === 0);
    if (toStart.length === 0 && (initDone || inits.length === 0)) {
      actions.killPod = true;
      return actions;
    }
    actions.killPod = state.sandboxes.length > 0;
    actions.createSandbox = true;
    // A new sandbox runs the init containers again from the first (k8s does the same).
    if (inits.length > 0) {
      actions.initToStart = { container: inits[0], kind: 'init', attempt: nextAttempt(latest(inits[0].name)) };
    } else {
      actions.containersToStart = toStart.map((c) => ({ container: c, kind: 'app', attempt: nextAttempt(latest(c.name)) }));
    }
    return actions;
  }
  actions.sandboxId = sandbox.id;

  for (const c of inits) {
    const s = latest(c.name);
    if (!s || s.state === 'created' || s.state === 'unknown') {
      if (s) actions.containersToKill.push({ id: s.id, name: c.name, message: `Container ${c.name} was never started, will be restarted` });
      actions.initToStart = { container: c, kind: 'init', attempt: nextAttempt(s) };
      return actions;
    }
    if (s.state === 'running') return actions;
    if (s.exitCode === 0) continue;
    if (policy === 'Never') {
      actions.initFailed = true;
      actions.killPod = true;
      return actions;
    }
    actions.initToStart = { container: c, kind: 'init', attempt: nextAttempt(s), previous: s };
    return actions;
  }

  let keep = 0;
  for (const c of apps) {
    const s = latest(c.name);
    if (!s || s.state === 'created' || s.state === 'unknown') {
      if (s) actions.containersToKill.push({ id: s.id, name: c.name, message: `Container ${c.name} was never started, will be restarted` });
      actions.containersToStart.push({ container: c, kind: 'app', attempt: nextAttempt(s) });
      continue;
    }
    if (s.state === 'exited') {
      if (shouldRestart(policy, s.exitCode)) actions.containersToStart.push({ container: c, kind: 'app', attempt: nextAttempt(s), previous: s });
      continue;
    }
    const hash = s.labels[LABEL_CONTAINER_HASH];
    let kill: ContainerToKill | undefined;
    if (hash && hash !== containerHash(c)) {
      kill = { id: s.id, name: c.name, message: `Container ${c.name} definition changed, will be restarted` };
    } else if (probes.livenessFailed(s.id)) {
      kill = { id: s.id, name: c.name, message: `Container ${c.name} failed liveness probe, will be restarted`, probe: 'liveness' };
    } else if (probes.startupFailed(s.id)) {
      kill = { id: s.id, name: c.name, message: `Container ${c.name} failed startup probe, will be restarted`, probe: 'startup' };
    }
    if (!kill) {
      keep++;
      continue;
    }
    // Killed only: the next sync sees it exited and restarts it under the crash-loop backoff.
    actions.containersToKill.push(kill);
    if (policy !== 'Never') keep++;
  }
  if (keep === 0 && actions.containersToStart.length === 0) actions.killPod = true;
  return actions;
}
