// Reads what the runtime has for one pod (kuberuntime GetPodStatus): its sandboxes, newest
// first, with the newest one's IP; and its containers with full status, but only the two
// newest of each name (the current one and the one lastState reports) — older ones are
// garbage the sync removes, not worth an inspect each. The pod state types live here (kubecontainer.PodStatus).
import { LABEL_POD_UID, isNotFound, type ContainerStatus, type Runtime } from './runtime.js';

/** A sandbox as the sync sees it. */
export interface SandboxState {
  id: string;
  attempt: number;
  ready: boolean;
  ip: string;
  createdAt: Date;
}

/** Everything the runtime has for one pod (kubecontainer.PodStatus), newest first. */
export interface RuntimePodState {
  sandboxes: SandboxState[];
  /** All containers of the pod, newest attempt first within each name. */
  containers: ContainerStatus[];
}

export interface RuntimePodSnapshot extends RuntimePodState {
  /** Containers beyond the two newest per name (to remove). */
  stale: string[];
  /** Every container id of the pod (for cleanup). */
  allContainerIds: string[];
  /** What the lists said (ids and states), in the PLEG's terms: see runtimeFingerprint. */
  fingerprint: string;
}

/** Container and sandbox ids with their listed states, order-independent: equal means no change. */
export function runtimeFingerprint(entries: Array<[string, string]>): string {
  return entries
    .map(([id, state]) => `${id}=${state}`)
    .sort()
    .join(',');
}

export async function readRuntimeState(runtime: Runtime, uid: string): Promise<RuntimePodSnapshot> {
  const selector = { [LABEL_POD_UID]: uid };
  const [sandboxes, containers] = await Promise.all([
    runtime.listPodSandboxes({ labelSelector: selector }),
    runtime.listContainers({ labelSelector: selector }),
  ]);
  sandboxes.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt.getTime() - a.createdAt.getTime());
  const sandboxStates: SandboxState[] = sandboxes.map((s) => ({ id: s.id, attempt: s.metadata.attempt, ready: s.state === 'ready', ip: '', createdAt: s.createdAt }));
  if (sandboxStates[0]?.ready) {
    try {
      const st = await runtime.podSandboxStatus(sandboxStates[0].id);
      sandboxStates[0].ready = st.state === 'ready';
      sandboxStates[0].ip = st.network.ip;
    } catch (err) {
      if (!isNotFound(err)) throw err;
      sandboxStates[0].ready = false;
    }
  }
  const byName = new Map<string, typeof containers>();
  for (const c of containers) byName.set(c.metadata.name, [...(byName.get(c.metadata.name) ?? []), c]);
  const inspect: string[] = [];
  const stale: string[] = [];
  for (const list of byName.values()) {
    list.sort((a, b) => b.metadata.attempt - a.metadata.attempt || b.createdAt.getTime() - a.createdAt.getTime());
    inspect.push(...list.slice(0, 2).map((c) => c.id));
    stale.push(...list.slice(2).map((c) => c.id));
  }
  const statuses = await Promise.all(
    inspect.map((id) =>
      runtime.containerStatus(id).catch((err: unknown) => {
        if (isNotFound(err)) return null;
        throw err;
      }),
    ),
  );
  return {
    sandboxes: sandboxStates,
    containers: statuses.filter((s): s is ContainerStatus => s !== null),
    stale,
    allContainerIds: containers.map((c) => c.id),
    fingerprint: runtimeFingerprint([...containers.map((c): [string, string] => [c.id, c.state]), ...sandboxes.map((sb): [string, string] => [sb.id, sb.state])]),
  };
}
