// The kubelet's view of a container runtime, shaped after the CRI (k8s.io/cri-api
// RuntimeService + ImageService) with TypeScript naming: a pod is a sandbox that owns the
// network namespace, app containers join it. Streaming calls (exec, logs) hand back Node
// streams directly instead of the CRI's streaming-server URLs, since runtime and kubelet
// live in one process. Docker is the implementation (docker/).
import type { Readable, Writable } from 'node:stream';

export * from './errors.js';

// Labels the runtime writes on everything it creates (dockershim's keys where it had one),
// so a restarted kubelet can adopt running pods, and `docker ps` is readable.
export const LABEL_POD_NAME = 'io.kubernetes.pod.name';
export const LABEL_POD_NAMESPACE = 'io.kubernetes.pod.namespace';
export const LABEL_POD_UID = 'io.kubernetes.pod.uid';
export const LABEL_CONTAINER_NAME = 'io.kubernetes.container.name';
/** 'podsandbox' or 'container'. */
export const LABEL_CONTAINER_TYPE = 'io.kubernetes.docker.type';
export const CONTAINER_TYPE_SANDBOX = 'podsandbox';
export const CONTAINER_TYPE_CONTAINER = 'container';
/** On app containers: the id of the sandbox they belong to. */
export const LABEL_SANDBOX_ID = 'io.kubernetes.sandbox.id';
/** Metadata.attempt of an app container — the kubelet's restart count. */
export const LABEL_RESTART_COUNT = 'io.kubernetes.container.restartCount';
/** Metadata.attempt of a sandbox. */
export const LABEL_SANDBOX_ATTEMPT = 'io.kubernetes.sandbox.attempt';
/** The node (kubelet) that owns the container: several kubelets may share one Docker. */
export const LABEL_NODE_NAME = 'io.tskube.node.name';
/**
 * The cluster the owning kubelet belongs to (its --runtime-cluster-id): every cluster names its
 * nodes node-1, node-2…, so two clusters on one Docker are told apart by this label.
 */
export const LABEL_CLUSTER_ID = 'io.tskube.cluster-id';
/** CRI annotations are stored as labels with this prefix (as dockershim did). */
export const ANNOTATION_LABEL_PREFIX = 'annotation.';

export type Labels = Record<string, string>;

// ---- sandboxes ----------------------------------------------------------------------------

export interface PodSandboxMetadata {
  name: string;
  uid: string;
  namespace: string;
  attempt: number;
}

export interface DNSConfig {
  servers?: string[];
  searches?: string[];
  options?: string[];
}

export type Protocol = 'TCP' | 'UDP' | 'SCTP';

export interface PortMapping {
  protocol?: Protocol;
  containerPort: number;
  hostPort: number;
  hostIp?: string;
}

/** The pod network: a bridge network all nodes on this host share. */
export interface PodNetwork {
  name: string;
  /** Used when the network has to be created, e.g. '10.244.0.0/16'. */
  subnet?: string;
}

export type Mount =
  | { type: 'bind'; containerPath: string; hostPath: string; readonly?: boolean }
  | { type: 'tmpfs'; containerPath: string; sizeBytes?: number; mode?: number };

export interface PodSandboxConfig {
  metadata: PodSandboxMetadata;
  /** Defaults to metadata.name. */
  hostname?: string;
  /** Defaults to the runtime's pod network. Ignored with hostNetwork. */
  network?: PodNetwork;
  hostNetwork?: boolean;
  dnsConfig?: DNSConfig;
  portMappings?: PortMapping[];
  /** Mounts into the sandbox container itself (e.g. generated /etc/hosts, /etc/resolv.conf). */
  mounts?: Mount[];
  labels?: Labels;
  annotations?: Labels;
}

export type PodSandboxState = 'ready' | 'notready';

export interface PodSandbox {
  id: string;
  metadata: PodSandboxMetadata;
  state: PodSandboxState;
  createdAt: Date;
  labels: Labels;
  annotations: Labels;
}

export interface PodSandboxStatus extends PodSandbox {
  /** The pod IP on the pod network; '' with host networking or when not running. */
  network: { ip: string };
  hostNetwork: boolean;
}

export interface PodSandboxFilter {
  id?: string;
  state?: PodSandboxState;
  /** Every key must match exactly. */
  labelSelector?: Labels;
}

// ---- containers ---------------------------------------------------------------------------

export interface ContainerMetadata {
  name: string;
  attempt: number;
}

export interface KeyValue {
  key: string;
  value: string;
}

/** CRI LinuxContainerResources (the subset Docker maps); the kubelet converts from the pod spec. */
export interface LinuxContainerResources {
  /** Relative weight (requests.cpu): milliCPU * 1024 / 1000, at least 2. */
  cpuShares?: number;
  /** CFS quota/period in microseconds (limits.cpu); both or neither. */
  cpuQuota?: number;
  cpuPeriod?: number;
  memoryLimitInBytes?: number;
}

export interface LinuxContainerSecurityContext {
  runAsUser?: number;
  runAsGroup?: number;
  privileged?: boolean;
  readonlyRootfs?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
}

export interface ContainerConfig {
  metadata: ContainerMetadata;
  image: string;
  /** The image's entrypoint is replaced when set (Kubernetes' `command`). */
  command?: string[];
  /** The image's CMD is replaced when set (Kubernetes' `args`). */
  args?: string[];
  workingDir?: string;
  envs?: KeyValue[];
  mounts?: Mount[];
  labels?: Labels;
  annotations?: Labels;
  stdin?: boolean;
  stdinOnce?: boolean;
  tty?: boolean;
  resources?: LinuxContainerResources;
  securityContext?: LinuxContainerSecurityContext;
  /** e.g. 'SIGTERM' (the image's STOPSIGNAL otherwise). */
  stopSignal?: string;
}

export type ContainerState = 'created' | 'running' | 'exited' | 'unknown';

export interface Container {
  id: string;
  podSandboxId: string;
  metadata: ContainerMetadata;
  image: string;
  /** 'docker://sha256:…' or 'docker-pullable://repo@sha256:…' (what pod status calls imageID). */
  imageRef: string;
  state: ContainerState;
  createdAt: Date;
  labels: Labels;
  annotations: Labels;
}

export interface ContainerStatus extends Container {
  startedAt?: Date;
  finishedAt?: Date;
  exitCode: number;
  /** 'Completed' | 'Error' | 'OOMKilled' | 'ContainerCannotRun' when exited. */
  reason: string;
  message: string;
  pid: number;
}

export interface ContainerFilter {
  id?: string;
  state?: ContainerState;
  podSandboxId?: string;
  labelSelector?: Labels;
}

// ---- streaming ----------------------------------------------------------------------------

export interface ExecOptions {
  /** Attach the process's stdin: the session gets a writable `stdin`; end() closes it. */
  stdin?: boolean;
  /** With a TTY, stdout and stderr arrive merged on `stdout`. */
  tty?: boolean;
  env?: KeyValue[];
  workingDir?: string;
  user?: string;
}

export interface ExecSession {
  stdin: Writable | null;
  stdout: Readable;
  stderr: Readable;
  /** Resolves when the process exits. */
  exitCode: Promise<number>;
  /** Terminal size (TTY sessions; kubectl exec -t sends these). */
  resize(width: number, height: number): Promise<void>;
  /** Detach: closes the streams. The process may keep running. */
  close(): void;
}

export interface ExecSyncResult {
  stdout: Buffer;
  stderr: Buffer;
  exitCode: number;
}

export interface LogOptions {
  follow?: boolean;
  tailLines?: number;
  /** Prefix each line with an RFC3339Nano timestamp and a space (as kubectl logs --timestamps). */
  timestamps?: boolean;
  sinceSeconds?: number;
  sinceTime?: Date;
  /** Which streams to include; both by default. */
  stream?: 'stdout' | 'stderr' | 'all';
}

// ---- stats, images, events ----------------------------------------------------------------

export interface ContainerStats {
  id: string;
  labels: Labels;
  timestamp: Date;
  /** Cumulative CPU time consumed, in nanoseconds. */
  cpuUsageCoreNanoSeconds: number;
  /** Memory usage minus inactive file cache (what eviction and `kubectl top` use). */
  memoryWorkingSetBytes: number;
  memoryUsageBytes: number;
}

export interface ImageStatus {
  /** 'sha256:…' */
  id: string;
  repoTags: string[];
  repoDigests: string[];
  sizeBytes: number;
}

export type ContainerEventType =
  | 'ContainerCreated'
  | 'ContainerStarted'
  | 'ContainerStopped'
  | 'ContainerDeleted';

export interface ContainerEvent {
  type: ContainerEventType;
  /** The runtime's own action name ('create', 'start', 'die', 'destroy'). */
  action: string;
  containerId: string;
  /** True for sandbox containers. */
  sandbox: boolean;
  /** For app containers, the sandbox id; for sandboxes, their own id. */
  podSandboxId: string;
  labels: Labels;
  time: Date;
  /** On ContainerStopped. */
  exitCode?: number;
}

export interface EventOptions {
  signal?: AbortSignal;
  /** Replay events since this time first (the runtime keeps a short history). */
  since?: Date;
}

export interface VersionInfo {
  runtimeName: string;
  runtimeVersion: string;
  runtimeApiVersion: string;
}

// ---- the interface ------------------------------------------------------------------------

export interface RuntimeService {
  version(): Promise<VersionInfo>;

  runPodSandbox(config: PodSandboxConfig): Promise<string>;
  /** Stops every container of the sandbox, then the sandbox. Idempotent. */
  stopPodSandbox(id: string): Promise<void>;
  /** Removes every container of the sandbox, then the sandbox. Idempotent. */
  removePodSandbox(id: string): Promise<void>;
  podSandboxStatus(id: string): Promise<PodSandboxStatus>;
  listPodSandboxes(filter?: PodSandboxFilter): Promise<PodSandbox[]>;

  createContainer(podSandboxId: string, config: ContainerConfig): Promise<string>;
  startContainer(id: string): Promise<void>;
  /** Signals the stop signal, waits up to timeoutSeconds, then kills. Idempotent. */
  stopContainer(id: string, timeoutSeconds: number): Promise<void>;
  /** Removes the container (killing it if needed). Idempotent. */
  removeContainer(id: string): Promise<void>;
  listContainers(filter?: ContainerFilter): Promise<Container[]>;
  containerStatus(id: string): Promise<ContainerStatus>;

  exec(id: string, cmd: string[], options?: ExecOptions): Promise<ExecSession>;
  /** Runs cmd to completion (probes); throws DeadlineExceededError after timeoutSeconds (0 = none). */
  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult>;
  /** The container's output, demultiplexed; destroy the stream to stop following. */
  logs(id: string, options?: LogOptions): Promise<Readable>;

  containerStats(id: string): Promise<ContainerStats>;
  listContainerStats(filter?: ContainerFilter): Promise<ContainerStats[]>;

  /** Container lifecycle changes as they happen (the PLEG's fast path); ends on abort. */
  events(options?: EventOptions): AsyncIterable<ContainerEvent>;
}

export interface ImageService {
  /** Makes the image present locally; returns its image ref. Throws ImagePullError. */
  pullImage(image: string): Promise<string>;
  /** null when the image is not present. */
  imageStatus(image: string): Promise<ImageStatus | null>;
  /** Idempotent. */
  removeImage(image: string): Promise<void>;
  listImages(): Promise<ImageStatus[]>;
}

export interface Runtime extends RuntimeService, ImageService {
  close(): Promise<void>;
}
