// The read side the kubelet's HTTP server uses (kubelet_getters.go and the runtime-backed
// parts of kubelet_pods.go): running pods straight from the runtime, and a pod's containers
// by name (current and previous instance) for logs, exec and attach.
import { LABEL_POD_UID, type ContainerStatus, type Runtime } from './runtime/runtime.js';

export interface RunningPod {
  uid: string;
  namespace: string;
  name: string;
  containers: Array<{ name: string; id: string; state: string }>;
}

/** A pod's containers by name: the newest instance's id and the one before it. */
export type PodContainers = Map<string, { id: string; previousId?: string }>;

/** Pods that have a ready sandbox, with their running containers (/runningpods). */
export async function getRunningPods(runtime: Runtime): Promise<RunningPod[]> {
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
}

/** One container of a pod: the current instance, or with `previous` the one before it. */
export async function findContainer(runtime: Runtime, podUid: string, containerName: string, previous: boolean): Promise<ContainerStatus | undefined> {
  const list = await runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: podUid } });
  const mine = list.filter((c) => c.metadata.name === containerName).sort((a, b) => b.metadata.attempt - a.metadata.attempt);
  const pick = mine[previous ? 1 : 0];
  return pick ? runtime.containerStatus(pick.id) : undefined;
}

export async function podContainers(runtime: Runtime, podUid: string): Promise<PodContainers> {
  const list = await runtime.listContainers({ labelSelector: { [LABEL_POD_UID]: podUid } });
  list.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt.getTime() - a.createdAt.getTime());
  const containers: PodContainers = new Map();
  for (const c of list) {
    const seen = containers.get(c.metadata.name);
    if (!seen) containers.set(c.metadata.name, { id: c.id });
    else seen.previousId ??= c.id;
  }
  return containers;
}
