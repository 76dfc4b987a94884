// Pure translation between the CRI-shaped runtime types and Docker Engine API objects:
// create bodies for sandboxes and containers, and statuses from inspect/list replies.
// No I/O here, so every mapping rule is unit-tested without Docker.
import {
  ANNOTATION_LABEL_PREFIX,
  CONTAINER_TYPE_CONTAINER,
  CONTAINER_TYPE_SANDBOX,
  LABEL_CONTAINER_NAME,
  LABEL_CONTAINER_TYPE,
  LABEL_POD_NAME,
  LABEL_POD_NAMESPACE,
  LABEL_POD_UID,
  LABEL_RESTART_COUNT,
  LABEL_SANDBOX_ATTEMPT,
  LABEL_SANDBOX_ID,
  type Container,
  type ContainerConfig,
  type ContainerMetadata,
  type ContainerState,
  type ContainerStatus,
  type Labels,
  type Mount,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxMetadata,
  type PodSandboxStatus,
} from '../runtime.js';
import { ownerLabels } from './scope.js';

// ---- the Docker shapes we read (only the fields used) ---------------------------------------

export interface DockerState {
  Status: string;
  Running: boolean;
  OOMKilled: boolean;
  Pid: number;
  ExitCode: number;
  Error: string;
  StartedAt: string;
  FinishedAt: string;
}

export interface DockerContainerJSON {
  Id: string;
  Name: string;
  Created: string;
  Image: string;
  State: DockerState;
  Config: { Image: string; Labels: Labels | null; Tty: boolean };
  HostConfig: { NetworkMode: string; Memory?: number };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }> | null };
}

export interface DockerContainerSummary {
  Id: string;
  Names: string[];
  Image: string;
  ImageID: string;
  Created: number;
  State: string;
  Labels: Labels | null;
}

export interface DockerImageJSON {
  Id: string;
  RepoTags: string[] | null;
  RepoDigests: string[] | null;
  Size: number;
}

export type DockerBody = Record<string, unknown>;

// ---- names and labels ---------------------------------------------------------------------

// Docker names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; Kubernetes names already fit, this guards the rest.
function nameSafe(s: string): string {
  return s.replace(/[^a-zA-Z0-9_.-]/g, '-');
}

/** dockershim's naming, so `docker ps` reads like a node running Kubernetes. */
export function sandboxName(m: PodSandboxMetadata): string {
  return ['k8s', 'POD', m.name, m.namespace, m.uid, String(m.attempt)].map(nameSafe).join('_');
}

export function containerName(m: ContainerMetadata, pod: PodSandboxMetadata): string {
  return ['k8s', m.name, pod.name, pod.namespace, pod.uid, String(m.attempt)].map(nameSafe).join('_');
}

/** CRI labels + annotations → Docker labels (annotations under a prefix, as dockershim did). */
export function toDockerLabels(labels: Labels | undefined, annotations: Labels | undefined): Labels {
  const out: Labels = { ...(labels ?? {}) };
  for (const [k, v] of Object.entries(annotations ?? {})) out[ANNOTATION_LABEL_PREFIX + k] = v;
  return out;
}

export function fromDockerLabels(docker: Labels | null | undefined): { labels: Labels; annotations: Labels } {
  const labels: Labels = {};
  const annotations: Labels = {};
  for (const [k, v] of Object.entries(docker ?? {})) {
    if (k.startsWith(ANNOTATION_LABEL_PREFIX)) annotations[k.slice(ANNOTATION_LABEL_PREFIX.length)] = v;
    else labels[k] = v;
  }
  return { labels, annotations };
}

function attemptOf(value: string | undefined): number {
  const n = Number(value);
  return Number.isInteger(n) && n >= 0 ? n : 0;
}

export function sandboxMetadataFromLabels(l: Labels): PodSandboxMetadata {
  return {
    name: l[LABEL_POD_NAME] ?? '',
    namespace: l[LABEL_POD_NAMESPACE] ?? '',
    uid: l[LABEL_POD_UID] ?? '',
    attempt: attemptOf(l[LABEL_SANDBOX_ATTEMPT]),
  };
}

export function containerMetadataFromLabels(l: Labels): ContainerMetadata {
  return { name: l[LABEL_CONTAINER_NAME] ?? '', attempt: attemptOf(l[LABEL_RESTART_COUNT]) };
}

// ---- create bodies ------------------------------------------------------------------------

/** Mounts → Docker's Binds (host directories are created if missing) and Tmpfs. */
export function dockerMounts(mounts: Mount[] | undefined): { Binds?: string[]; Tmpfs?: Record<string, string> } {
  const binds: string[] = [];
  const tmpfs: Record<string, string> = {};
  for (const m of mounts ?? []) {
    if (m.type === 'bind') {
      binds.push(`${m.hostPath}:${m.containerPath}${m.readonly ? ':ro' : ''}`);
    } else {
      const opts: string[] = [];
      if (m.sizeBytes !== undefined) opts.push(`size=${m.sizeBytes}`);
      if (m.mode !== undefined) opts.push(`mode=${m.mode.toString(8)}`);
      tmpfs[m.containerPath] = opts.join(',');
    }
  }
  return {
    ...(binds.length > 0 ? { Binds: binds } : {}),
    ...(Object.keys(tmpfs).length > 0 ? { Tmpfs: tmpfs } : {}),
  };
}

export interface SandboxCreateContext {
  nodeName: string;
  /** The kubelet's --runtime-cluster-id; '' or absent writes no cluster label. */
  clusterId?: string;
  image: string;
  /** The Docker network to join; ignored with hostNetwork. */
  networkName: string;
}

export function sandboxCreateBody(config: PodSandboxConfig, ctx: SandboxCreateContext): DockerBody {
  const m = config.metadata;
  const labels: Labels = {
    ...toDockerLabels(config.labels, config.annotations),
    [LABEL_POD_NAME]: m.name,
    [LABEL_POD_NAMESPACE]: m.namespace,
    [LABEL_POD_UID]: m.uid,
    [LABEL_SANDBOX_ATTEMPT]: String(m.attempt),
    [LABEL_CONTAINER_TYPE]: CONTAINER_TYPE_SANDBOX,
    ...ownerLabels(ctx),
  };
  const exposed: Record<string, Record<string, never>> = {};
  const bindings: Record<string, Array<{ HostIp: string; HostPort: string }>> = {};
  for (const p of config.portMappings ?? []) {
    if (!p.hostPort) continue;
    const key = `${p.containerPort}/${(p.protocol ?? 'TCP').toLowerCase()}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp ?? '', HostPort: String(p.hostPort) });
  }
  const dns = config.dnsConfig;
  const hostConfig: DockerBody = {
    // docker-init as PID 1 forwards SIGTERM and reaps zombies.
    Init: true,
    NetworkMode: config.hostNetwork ? 'host' : ctx.networkName,
    RestartPolicy: { Name: 'no' },
    // Shareable, so app containers can join the sandbox's IPC namespace as in a pod.
    IpcMode: 'shareable',
    ...(dns?.servers?.length ? { Dns: dns.servers } : {}),
    ...(dns?.searches?.length ? { DnsSearch: dns.searches } : {}),
    ...(dns?.options?.length ? { DnsOptions: dns.options } : {}),
    ...(Object.keys(bindings).length > 0 ? { PortBindings: bindings } : {}),
    ...dockerMounts(config.mounts),
  };
  return {
    Image: ctx.image,
    // Docker rejects a Hostname with host networking; the pod then has the node's name.
    ...(config.hostNetwork ? {} : { Hostname: config.hostname ?? m.name }),
    Labels: labels,
    ...(Object.keys(exposed).length > 0 ? { ExposedPorts: exposed } : {}),
    HostConfig: hostConfig,
  };
}

export interface ContainerCreateContext {
  nodeName: string;
  /** The kubelet's --runtime-cluster-id; '' or absent writes no cluster label. */
  clusterId?: string;
  sandboxId: string;
  /** The sandbox's Docker labels: pod name/namespace/uid are copied onto the container. */
  sandboxLabels: Labels;
}

export function containerCreateBody(config: ContainerConfig, ctx: ContainerCreateContext): DockerBody {
  const pod = sandboxMetadataFromLabels(ctx.sandboxLabels);
  const labels: Labels = {
    ...toDockerLabels(config.labels, config.annotations),
    [LABEL_POD_NAME]: pod.name,
    [LABEL_POD_NAMESPACE]: pod.namespace,
    [LABEL_POD_UID]: pod.uid,
    [LABEL_CONTAINER_NAME]: config.metadata.name,
    [LABEL_RESTART_COUNT]: String(config.metadata.attempt),
    [LABEL_CONTAINER_TYPE]: CONTAINER_TYPE_CONTAINER,
    [LABEL_SANDBOX_ID]: ctx.sandboxId,
    ...ownerLabels(ctx),
  };
  const r = config.resources ?? {};
  const sc = config.securityContext ?? {};
  const hostConfig: DockerBody = {
    Init: true,
    NetworkMode: `container:${ctx.sandboxId}`,
    IpcMode: `container:${ctx.sandboxId}`,
    RestartPolicy: { Name: 'no' },
    ...dockerMounts(config.mounts),
    ...(r.cpuShares !== undefined ? { CpuShares: r.cpuShares } : {}),
    ...(r.cpuQuota !== undefined && r.cpuPeriod
      ? { NanoCpus: Math.round((r.cpuQuota / r.cpuPeriod) * 1e9) }
      : {}),
    // No swap, as the kubelet configures it: the limit is the limit.
    ...(r.memoryLimitInBytes ? { Memory: r.memoryLimitInBytes, MemorySwap: r.memoryLimitInBytes } : {}),
    ...(sc.privileged ? { Privileged: true } : {}),
    ...(sc.readonlyRootfs ? { ReadonlyRootfs: true } : {}),
    ...(sc.capabilities?.add?.length ? { CapAdd: sc.capabilities.add } : {}),
    ...(sc.capabilities?.drop?.length ? { CapDrop: sc.capabilities.drop } : {}),
  };
  let user: string | undefined;
  if (sc.runAsUser !== undefined) user = sc.runAsGroup !== undefined ? `${sc.runAsUser}:${sc.runAsGroup}` : String(sc.runAsUser);
  return {
    Image: config.image,
    ...(config.command?.length ? { Entrypoint: config.command } : {}),
    ...(config.args?.length ? { Cmd: config.args } : {}),
    ...(config.workingDir ? { WorkingDir: config.workingDir } : {}),
    Env: (config.envs ?? []).map((e) => `${e.key}=${e.value}`),
    Labels: labels,
    ...(user !== undefined ? { User: user } : {}),
    ...(config.stopSignal ? { StopSignal: config.stopSignal } : {}),
    Tty: config.tty ?? false,
    OpenStdin: config.stdin ?? false,
    StdinOnce: config.stdinOnce ?? false,
    AttachStdin: config.stdin ?? false,
    HostConfig: hostConfig,
  };
}

// ---- statuses -----------------------------------------------------------------------------

/** Docker writes the zero time ("0001-01-01T00:00:00Z") for "never". */
export function parseDockerTime(s: string | undefined): Date | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const d = new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function toContainerState(dockerStatus: string): ContainerState {
  switch (dockerStatus) {
    case 'created':
      return 'created';
    case 'running':
    case 'paused':
    case 'restarting':
      return 'running';
    case 'exited':
    case 'dead':
      return 'exited';
    default:
      return 'unknown';
  }
}

/** How Kubernetes names an image's identity: a digest when pulled from a registry, else the id. */
export function imageRefOf(image: DockerImageJSON | null, imageId: string): string {
  const digest = image?.RepoDigests?.[0];
  return digest ? `docker-pullable://${digest}` : `docker://${image?.Id ?? imageId}`;
}

export function toContainerStatus(c: DockerContainerJSON, imageRef: string): ContainerStatus {
  const { labels, annotations } = fromDockerLabels(c.Config.Labels);
  const s = c.State;
  const startedAt = parseDockerTime(s.StartedAt);
  const finishedAt = parseDockerTime(s.FinishedAt);
  let state = toContainerState(s.Status);
  let reason = '';
  let message = '';
  // The same rules dockershim used to explain an exit.
  if (s.Running) {
    state = 'running';
  } else if (finishedAt) {
    state = 'exited';
    if (s.OOMKilled) reason = 'OOMKilled';
    else if (s.ExitCode === 0) reason = 'Completed';
    else reason = 'Error';
    message = s.Error;
  } else if (s.ExitCode !== 0) {
    // Never ran: the process could not be started (bad command, missing binary…).
    state = 'exited';
    reason = 'ContainerCannotRun';
    message = s.Error;
  }
  return {
    id: c.Id,
    podSandboxId: labels[LABEL_SANDBOX_ID] ?? '',
    metadata: containerMetadataFromLabels(labels),
    image: c.Config.Image,
    imageRef,
    state,
    createdAt: parseDockerTime(c.Created) ?? new Date(0),
    ...(startedAt ? { startedAt } : {}),
    ...(finishedAt ? { finishedAt } : {}),
    exitCode: s.ExitCode,
    reason,
    message,
    pid: s.Pid,
    labels,
    annotations,
  };
}

export function toContainer(c: DockerContainerSummary): Container {
  const { labels, annotations } = fromDockerLabels(c.Labels);
  return {
    id: c.Id,
    podSandboxId: labels[LABEL_SANDBOX_ID] ?? '',
    metadata: containerMetadataFromLabels(labels),
    image: c.Image,
    imageRef: `docker://${c.ImageID}`,
    state: toContainerState(c.State),
    createdAt: new Date(c.Created * 1000),
    labels,
    annotations,
  };
}

export function toPodSandbox(c: DockerContainerSummary): PodSandbox {
  const { labels, annotations } = fromDockerLabels(c.Labels);
  return {
    id: c.Id,
    metadata: sandboxMetadataFromLabels(labels),
    state: c.State === 'running' ? 'ready' : 'notready',
    createdAt: new Date(c.Created * 1000),
    labels,
    annotations,
  };
}

export function toPodSandboxStatus(c: DockerContainerJSON): PodSandboxStatus {
  const { labels, annotations } = fromDockerLabels(c.Config.Labels);
  const hostNetwork = c.HostConfig.NetworkMode === 'host';
  const networks = c.NetworkSettings.Networks ?? {};
  const ip = hostNetwork
    ? ''
    : (networks[c.HostConfig.NetworkMode]?.IPAddress ?? Object.values(networks).find((n) => n.IPAddress)?.IPAddress ?? '');
  return {
    id: c.Id,
    metadata: sandboxMetadataFromLabels(labels),
    state: c.State.Running ? 'ready' : 'notready',
    createdAt: parseDockerTime(c.Created) ?? new Date(0),
    labels,
    annotations,
    network: { ip: c.State.Running ? ip : '' },
    hostNetwork,
  };
}
