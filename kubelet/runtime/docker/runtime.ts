// The Runtime on Docker Engine (API v1.41 over the unix socket). A pod sandbox is a pause
// container on the pod network (a user-defined bridge shared by every node on the host);
// app containers join its network and IPC namespaces. Everything this runtime creates is
// labelled with its node name (and cluster id, when it has one), and every list is scoped to
// them, so several kubelets — of several clusters — can share one Docker without seeing each
// other's pods.
import { randomBytes } from 'node:crypto';
import { pipeline, type Readable } from 'node:stream';
import { DockerClient, type DockerClientOptions } from './client.js';
import { execSync, startExec } from './exec.js';
import { toContainerEvent, toContainerStats, type DockerEvent, type DockerStats } from './monitor.js';
import {
  containerCreateBody,
  containerName,
  imageRefOf,
  sandboxCreateBody,
  sandboxMetadataFromLabels,
  sandboxName,
  toContainer,
  toContainerStatus,
  toPodSandbox,
  toPodSandboxStatus,
  type DockerBody,
  type DockerContainerJSON,
  type DockerContainerSummary,
  type DockerImageJSON,
} from './spec.js';
import { payloadStream, readJsonLines, STREAM_STDERR, STREAM_STDOUT } from './stream.js';
import { pullImage } from './images.js';
import { PodNetworks } from './network.js';
import { ownedBy, ownerFilters, type RuntimeScope } from './scope.js';
import {
  CONTAINER_TYPE_CONTAINER,
  CONTAINER_TYPE_SANDBOX,
  ConflictError,
  LABEL_CONTAINER_TYPE,
  LABEL_SANDBOX_ID,
  NotFoundError,
  RuntimeError,
  isConflict,
  isNotFound,
  type Container,
  type ContainerConfig,
  type ContainerEvent,
  type ContainerFilter,
  type ContainerStats,
  type ContainerStatus,
  type EventOptions,
  type ExecOptions,
  type ExecSession,
  type ExecSyncResult,
  type ImageStatus,
  type Labels,
  type LogOptions,
  type PodNetwork,
  type PodSandbox,
  type PodSandboxConfig,
  type PodSandboxFilter,
  type PodSandboxStatus,
  type Runtime,
  type VersionInfo,
} from '../runtime.js';

export interface DockerRuntimeOptions extends DockerClientOptions {
  /** Labels everything this runtime creates and scopes every list. */
  nodeName: string;
  /**
   * The cluster this node belongs to (--runtime-cluster-id): labels and scopes like nodeName,
   * so clusters whose nodes share names leave each other's containers alone. '' = none.
   */
  clusterId?: string;
  /** The sandbox image (its CMD must block forever). */
  podInfraImage?: string;
  /** Used when a sandbox config names none. */
  podNetwork?: PodNetwork;
  /** How long stopPodSandbox gives leftover containers. */
  sandboxStopTimeoutSeconds?: number;
  /** A pull that takes longer fails with ImagePullError. */
  pullTimeoutSeconds?: number;
}

export const DEFAULT_POD_INFRA_IMAGE = 'tskube/pause:3.9';
export const DEFAULT_POD_NETWORK: PodNetwork = { name: 'tskube-pods', subnet: '10.244.0.0/16' };

const ignoreNotFound = (err: unknown): void => {
  if (!isNotFound(err)) throw err;
};

export class DockerRuntime implements Runtime {
  readonly nodeName: string;
  readonly clusterId: string;
  private readonly client: DockerClient;
  private readonly podInfraImage: string;
  private readonly podNetwork: PodNetwork;
  private readonly sandboxStopTimeout: number;
  private readonly pullTimeout: number;
  private readonly networks: PodNetworks;
  private readonly imageRefs = new Map<string, string>();

  constructor(options: DockerRuntimeOptions) {
    this.nodeName = options.nodeName;
    this.clusterId = options.clusterId ?? '';
    this.client = new DockerClient(options);
    this.networks = new PodNetworks(this.client);
    this.podInfraImage = options.podInfraImage ?? DEFAULT_POD_INFRA_IMAGE;
    this.podNetwork = options.podNetwork ?? DEFAULT_POD_NETWORK;
    this.sandboxStopTimeout = options.sandboxStopTimeoutSeconds ?? 10;
    this.pullTimeout = options.pullTimeoutSeconds ?? 300;
  }

  async version(): Promise<VersionInfo> {
    const v = await this.client.request<{ Version: string; ApiVersion: string }>('GET', '/version');
    return { runtimeName: 'docker', runtimeVersion: v?.Version ?? '', runtimeApiVersion: v?.ApiVersion ?? '' };
  }

  // ---- sandboxes --------------------------------------------------------------------------

  async runPodSandbox(config: PodSandboxConfig): Promise<string> {
    const network = config.network ?? this.podNetwork;
    if (!config.hostNetwork) await this.networks.ensure(network);
    const body = sandboxCreateBody(config, { ...this.scope, image: this.podInfraImage, networkName: network.name });
    let id: string;
    try {
      id = await this.create(sandboxName(config.metadata), body);
    } catch (err) {
      // Someone removed the network since we last ensured it: recreate once.
      if (!isNotFound(err) || !/network/i.test((err as Error).message) || config.hostNetwork) throw err;
      this.networks.forget(network.name);
      await this.networks.ensure(network);
      id = await this.create(sandboxName(config.metadata), body);
    }
    try {
      await this.client.request('POST', `/containers/${id}/start`);
    } catch (err) {
      await this.removeContainer(id).catch(() => undefined);
      throw err;
    }
    return id;
  }

  async stopPodSandbox(id: string): Promise<void> {
    const sandbox = await this.inspect(id).catch(ignoreNotFound);
    if (!sandbox) return;
    const members = await this.listContainers({ podSandboxId: sandbox.Id });
    await Promise.all(
      members.filter((c) => c.state === 'running').map((c) => this.stopContainer(c.id, this.sandboxStopTimeout)),
    );
    await this.stopContainer(sandbox.Id, this.sandboxStopTimeout);
  }

  async removePodSandbox(id: string): Promise<void> {
    const sandbox = await this.inspect(id).catch(ignoreNotFound);
    if (!sandbox) return;
    const members = await this.listContainers({ podSandboxId: sandbox.Id });
    await Promise.all(members.map((c) => this.removeContainer(c.id)));
    await this.removeContainer(sandbox.Id);
  }

  async podSandboxStatus(id: string): Promise<PodSandboxStatus> {
    const c = await this.inspect(id);
    if (c.Config.Labels?.[LABEL_CONTAINER_TYPE] !== CONTAINER_TYPE_SANDBOX) {
      throw new NotFoundError(`no such pod sandbox: ${id}`, 404);
    }
    return toPodSandboxStatus(c);
  }

  async listPodSandboxes(filter: PodSandboxFilter = {}): Promise<PodSandbox[]> {
    const list = await this.list(CONTAINER_TYPE_SANDBOX, filter.labelSelector, filter.id);
    return list.map(toPodSandbox).filter((s) => !filter.state || s.state === filter.state);
  }

  // ---- containers -------------------------------------------------------------------------

  async createContainer(podSandboxId: string, config: ContainerConfig): Promise<string> {
    const sandbox = await this.inspect(podSandboxId);
    const sandboxLabels = sandbox.Config.Labels ?? {};
    if (sandboxLabels[LABEL_CONTAINER_TYPE] !== CONTAINER_TYPE_SANDBOX) {
      throw new NotFoundError(`no such pod sandbox: ${podSandboxId}`, 404);
    }
    const body = containerCreateBody(config, { ...this.scope, sandboxId: sandbox.Id, sandboxLabels });
    return this.create(containerName(config.metadata, sandboxMetadataFromLabels(sandboxLabels)), body);
  }

  async startContainer(id: string): Promise<void> {
    // 304 (already running) is success.
    await this.client.request('POST', `/containers/${id}/start`);
  }

  async stopContainer(id: string, timeoutSeconds: number): Promise<void> {
    await this.client
      .request('POST', `/containers/${id}/stop`, { query: { t: Math.max(0, Math.floor(timeoutSeconds)) } })
      .catch(ignoreNotFound);
  }

  async removeContainer(id: string): Promise<void> {
    await this.client.request('DELETE', `/containers/${id}`, { query: { force: true, v: true } }).catch((err) => {
      // 409 "removal already in progress" ends in the state we want, too.
      if (!isNotFound(err) && !(isConflict(err) && /in progress/i.test((err as Error).message))) throw err;
    });
  }

  async listContainers(filter: ContainerFilter = {}): Promise<Container[]> {
    const selector: Labels = { ...(filter.labelSelector ?? {}) };
    if (filter.podSandboxId) selector[LABEL_SANDBOX_ID] = filter.podSandboxId;
    const list = await this.list(CONTAINER_TYPE_CONTAINER, selector, filter.id);
    return list.map(toContainer).filter((c) => !filter.state || c.state === filter.state);
  }

  async containerStatus(id: string): Promise<ContainerStatus> {
    let c = await this.inspect(id);
    // Docker records an OOM kill from a separate containerd event that can land after the
    // exit (over a second later on a loaded host): a memory-limited container that just died
    // with 137 is looked at again for up to 3 s before we call it a plain Error.
    for (let i = 0; i < 12 && maybeLateOOM(c); i++) {
      await new Promise((r) => setTimeout(r, 250));
      c = await this.inspect(id);
    }
    return toContainerStatus(c, await this.imageRef(c.Image));
  }

  // ---- streaming --------------------------------------------------------------------------

  exec(id: string, cmd: string[], options?: ExecOptions): Promise<ExecSession> {
    return startExec(this.client, id, cmd, options);
  }

  execSync(id: string, cmd: string[], timeoutSeconds: number): Promise<ExecSyncResult> {
    return execSync(this.client, id, cmd, timeoutSeconds);
  }

  async logs(id: string, options: LogOptions = {}): Promise<Readable> {
    const c = await this.inspect(id);
    const which = options.stream ?? 'all';
    let since: string | undefined;
    if (options.sinceTime) since = (options.sinceTime.getTime() / 1000).toFixed(3);
    else if (options.sinceSeconds !== undefined) since = (Date.now() / 1000 - options.sinceSeconds).toFixed(3);
    const body = await this.client.stream('GET', `/containers/${c.Id}/logs`, {
      query: {
        stdout: which !== 'stderr',
        stderr: which !== 'stdout',
        follow: options.follow ?? false,
        timestamps: options.timestamps ?? false,
        tail: options.tailLines !== undefined ? Math.max(0, options.tailLines) : 'all',
        since,
      },
    });
    // A TTY container's log is one unframed stream.
    if (c.Config.Tty) return body;
    const streams = new Set<number>();
    if (which !== 'stderr') streams.add(STREAM_STDOUT);
    if (which !== 'stdout') streams.add(STREAM_STDERR);
    // Destroying the returned stream (to stop following) tears down the HTTP body too.
    return pipeline(body, payloadStream(streams), () => undefined);
  }

  // ---- stats and events -------------------------------------------------------------------

  async containerStats(id: string): Promise<ContainerStats> {
    const [c, stats] = await Promise.all([this.inspect(id), this.stats(id)]);
    return toContainerStats(c.Id, c.Config.Labels ?? {}, stats);
  }

  async listContainerStats(filter: ContainerFilter = {}): Promise<ContainerStats[]> {
    const running = await this.listContainers({ ...filter, state: 'running' });
    // All at once: every call waits for dockerd's next sampling tick (~1 s), so they finish together.
    const all = await Promise.all(
      running.map((c) =>
        this.stats(c.id)
          .then((s) => toContainerStats(c.id, c.labels, s))
          .catch((err: unknown) => (isNotFound(err) ? null : Promise.reject(err))),
      ),
    );
    return all.filter((s): s is ContainerStats => s !== null);
  }

  private async stats(id: string): Promise<DockerStats> {
    // one-shot: one sample, instead of two to compute a CPU delta we do not need.
    const s = await this.client.request<DockerStats>('GET', `/containers/${id}/stats`, {
      query: { stream: false, 'one-shot': true },
      slow: true,
    });
    return s ?? {};
  }

  async *events(options: EventOptions = {}): AsyncGenerator<ContainerEvent> {
    const filters = {
      type: ['container'],
      event: ['create', 'start', 'die', 'destroy'],
      label: ownerFilters(this.scope),
    };
    let body: Readable;
    try {
      body = await this.client.stream('GET', '/events', {
        query: {
          filters: JSON.stringify(filters),
          since: options.since ? (options.since.getTime() / 1000).toFixed(3) : undefined,
        },
        signal: options.signal,
      });
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err;
    }
    try {
      for await (const raw of readJsonLines(body)) {
        const event = toContainerEvent(raw as DockerEvent);
        if (event && ownedBy(event.labels, this.scope)) yield event;
      }
    } catch (err) {
      if (options.signal?.aborted) return;
      throw err;
    } finally {
      body.destroy();
    }
  }

  // ---- images -----------------------------------------------------------------------------

  async pullImage(image: string): Promise<string> {
    await pullImage(this.client, image, this.pullTimeout);
    const status = await this.imageStatus(image);
    if (!status) throw new RuntimeError('ImagePull', `image ${image} is not present after pulling it`);
    return imageRefOf({ Id: status.id, RepoDigests: status.repoDigests, RepoTags: status.repoTags, Size: status.sizeBytes }, status.id);
  }

  async imageStatus(image: string): Promise<ImageStatus | null> {
    const img = await this.client.request<DockerImageJSON>('GET', `/images/${encodeURI(image)}/json`).catch((err: unknown) => {
      if (err instanceof RuntimeError && (err.code === 'NotFound' || err.code === 'ImageNotFound')) return undefined;
      throw err;
    });
    return img ? toImageStatus(img) : null;
  }

  async removeImage(image: string): Promise<void> {
    await this.client.request('DELETE', `/images/${encodeURI(image)}`).catch((err: unknown) => {
      if (!(err instanceof RuntimeError && (err.code === 'NotFound' || err.code === 'ImageNotFound'))) throw err;
    });
  }

  async listImages(): Promise<ImageStatus[]> {
    const images = (await this.client.request<DockerImageJSON[]>('GET', '/images/json')) ?? [];
    return images.map(toImageStatus);
  }

  async close(): Promise<void> {
    await this.client.close();
  }

  // ---- helpers ----------------------------------------------------------------------------

  private async inspect(id: string): Promise<DockerContainerJSON> {
    const c = await this.client.request<DockerContainerJSON>('GET', `/containers/${encodeURIComponent(id)}/json`);
    if (!c) throw new NotFoundError(`no such container: ${id}`, 404);
    return c;
  }

  /** Creates a named container; a stale holder of the name gets a random suffix instead of a failure. */
  private async create(name: string, body: DockerBody): Promise<string> {
    const attempt = (n: string): Promise<{ Id: string } | undefined> =>
      this.client.request<{ Id: string }>('POST', '/containers/create', { query: { name: n }, body });
    let created: { Id: string } | undefined;
    try {
      created = await attempt(name);
    } catch (err) {
      if (!isConflict(err)) throw err;
      created = await attempt(`${name}_${randomBytes(4).toString('hex')}`);
    }
    if (!created) throw new ConflictError(`docker created ${name} without an id`);
    return created.Id;
  }

  private async list(type: string, selector: Labels | undefined, id: string | undefined): Promise<DockerContainerSummary[]> {
    const label = [...ownerFilters(this.scope), `${LABEL_CONTAINER_TYPE}=${type}`];
    for (const [k, v] of Object.entries(selector ?? {})) label.push(`${k}=${v}`);
    const filters: Record<string, string[]> = { label };
    if (id) filters.id = [id];
    const list =
      (await this.client.request<DockerContainerSummary[]>('GET', '/containers/json', {
        query: { all: true, filters: JSON.stringify(filters) },
      })) ?? [];
    return list.filter((c) => ownedBy(c.Labels, this.scope));
  }

  /** Whose containers this runtime sees and makes. */
  get scope(): RuntimeScope {
    return { nodeName: this.nodeName, clusterId: this.clusterId };
  }

  private async imageRef(imageId: string): Promise<string> {
    const cached = this.imageRefs.get(imageId);
    if (cached) return cached;
    const img = await this.client.request<DockerImageJSON>('GET', `/images/${imageId}/json`).catch(() => undefined);
    const ref = imageRefOf(img ?? null, imageId);
    if (img) this.imageRefs.set(imageId, ref);
    return ref;
  }
}

function toImageStatus(img: DockerImageJSON): ImageStatus {
  return { id: img.Id, repoTags: img.RepoTags ?? [], repoDigests: img.RepoDigests ?? [], sizeBytes: img.Size };
}

function maybeLateOOM(c: DockerContainerJSON): boolean {
  const s = c.State;
  return s.Status === 'exited' && s.ExitCode === 137 && !s.OOMKilled && (c.HostConfig.Memory ?? 0) > 0 && Date.now() - Date.parse(s.FinishedAt) < 5000;
}
